import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'node:http';
import {
  postKeepAlive as post,
  queryDb,
  recordingNotification,
  signed,
  startReceiver,
} from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'crash-test-key';

forEachStore(() => {
  test('kill -9 during a burst of notifications: after a restart every acknowledged one is there, exactly once', async () => {
    const r = await startReceiver({ key: KEY });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const acked = new Set<string>();
    let sent = 0;
    let stop = false;
    const total = 5000;
    const worker = async () => {
      while (!stop && sent < total) {
        const id = `crash-${sent++}`;
        const n = recordingNotification(id, { stream_id: 'crash', start_time: 1000 + sent });
        const status = await post(r.url, agent, JSON.stringify(signed(KEY, n)));
        if (status === 200) acked.add(`100:${id}`);
        if (status === null) stop = true;
      }
    };
    const workers = Array.from({ length: 20 }, worker);
    // Let the burst run until a good number of notifications were acknowledged, then pull the plug.
    while (acked.size < 300 && sent < total) await new Promise((res) => setTimeout(res, 5));
    await r.kill9();
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    assert.ok(acked.size >= 300, `only ${acked.size} acknowledged before the kill`);
    assert.ok(sent < total, 'the kill happened during the burst');

    const again = await startReceiver({ key: KEY, dataDir: r.dataDir });
    try {
      const stored = new Set(
        (await queryDb<{ identity: string }>(again.dataDir, 'SELECT identity FROM notifications')).map(
          (x) => x.identity,
        ),
      );
      const lost = [...acked].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} acknowledged notifications were lost`);
      assert.ok(stored.size <= sent);

      // The cloud retries everything it had no 200 for (and some it had): still one row per notification.
      const retryAgent = new Agent({ keepAlive: true, maxSockets: 10 });
      for (let i = 0; i < sent; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, sent - i) }, (_, k) => {
            const n = recordingNotification(`crash-${i + k}`, {
              stream_id: 'crash',
              start_time: 1000 + i + k + 1,
            });
            return post(again.url, retryAgent, JSON.stringify(signed(KEY, n, 300)));
          }),
        );
      }
      retryAgent.destroy();
      const rows = (
        await queryDb<{ n: number; d: number }>(
          again.dataDir,
          'SELECT count(*) AS n, count(DISTINCT identity) AS d FROM notifications',
        )
      )[0];
      assert.equal(rows.n, sent);
      assert.equal(rows.d, sent);
      const recs = await queryDb<{ n: number }>(
        again.dataDir,
        "SELECT count(*) AS n FROM recordings WHERE stream_id = 'crash'",
      );
      assert.equal(recs[0].n, sent);
    } finally {
      await again.stop();
    }
  });
});
