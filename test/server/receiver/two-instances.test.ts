// Several receiver processes on one PostgreSQL database: one truth, live updates across instances, and what a
// sender sees while PostgreSQL is down or an instance dies.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, startCluster } from '../../../scripts/db.mjs';
import { postCallback, postKeepAlive, queryDb, recordingNotification, signed } from './receiver-process.ts';
import { SseReader, startReceiver, type RunningReceiver } from './receiver-process.ts';
import { STORE_KINDS } from './stores.ts';

const KEY = 'two-instance-key';
const skip = !STORE_KINDS.includes('postgres') && 'PostgreSQL is not among RECEIVER_TEST_STORES';

describe('two receiver instances, one PostgreSQL database', { skip }, () => {
  let a: RunningReceiver;
  let b: RunningReceiver;
  before(async () => {
    a = await startReceiver({ key: KEY, store: 'postgres' });
    b = await startReceiver({ key: KEY, dataDir: a.dataDir }); // the same database
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test('200 concurrent deliveries of one notification, split across both: all 200, stored once', async () => {
    const n = recordingNotification('split-dup', { stream_id: 'split' });
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postCallback(i % 2 ? a.url : b.url, signed(KEY, n, 600 - (i % 7))),
      ),
    );
    assert.deepEqual(
      statuses.map((s) => s.status),
      Array(200).fill(200),
    );
    const rows = await queryDb<{ n: number }>(
      a.dataDir,
      "SELECT count(*) AS n FROM notifications WHERE identity = '100:split-dup'",
    );
    assert.equal(rows[0].n, 1);
    const recs = await queryDb<{ n: number }>(
      a.dataDir,
      "SELECT count(*) AS n FROM recordings WHERE stream_id = 'split'",
    );
    assert.equal(recs[0].n, 1);
  });

  test('a subscriber on A sees what B stores, in id order, once each; after a reconnect it misses nothing', async () => {
    const live = await SseReader.open(`${a.url}/api/recordings/events?streamId=cross`);
    let lastId: string;
    try {
      await live.waitFor((m) => m.some((x) => x.event === 'ready'));
      // Both instances store at once; A's subscriber gets every recording, in increasing id order.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          postCallback(
            i % 4 === 0 ? a.url : b.url,
            signed(KEY, recordingNotification(`cross-${i}`, { stream_id: 'cross' })),
          ),
        ),
      );
      await live.waitFor(() => live.recordings().length >= 40, 15_000);
      const ids = live.recordings().map((r) => Number(r.id));
      assert.equal(ids.length, 40);
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
      );
      assert.equal(new Set(ids).size, 40);
      lastId = String(ids[ids.length - 1]);
    } finally {
      live.close();
    }
    // While nobody listens, B stores more; a reconnect to A with Last-Event-ID gets exactly those.
    for (let i = 40; i < 50; i++) {
      const r = await postCallback(
        b.url,
        signed(KEY, recordingNotification(`cross-${i}`, { stream_id: 'cross' })),
      );
      assert.equal(r.status, 200);
    }
    const again = await SseReader.open(`${a.url}/api/recordings/events?streamId=cross`, {
      'last-event-id': lastId,
    });
    try {
      await again.waitFor((m) => m.some((x) => x.event === 'ready'));
      const got = again.recordings().map((r) => r.url);
      assert.equal(got.length, 10);
      const page = (await (await fetch(`${a.url}/api/recordings?streamId=cross&limit=100`)).json()) as {
        recordings: { id: string }[];
      };
      assert.equal(page.recordings.length, 50);
    } finally {
      again.close();
    }
  });

  test('kill -9 of one instance during a burst to both: every acknowledged notification is stored, once', async () => {
    const c = await startReceiver({ key: KEY, dataDir: a.dataDir }); // a third instance, to be killed
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const acked = new Set<string>();
    let sent = 0;
    let stop = false;
    const worker = async (url: string) => {
      while (!stop && sent < 4000) {
        const id = `burst-${sent++}`;
        const status = await postKeepAlive(
          url,
          agent,
          JSON.stringify(signed(KEY, recordingNotification(id))),
        );
        if (status === 200) acked.add(`100:${id}`);
        if (status === null) return; // this instance is gone (the sender would retry elsewhere)
      }
    };
    const workers = [c.url, b.url].flatMap((url) => Array.from({ length: 8 }, () => worker(url)));
    while (acked.size < 300) await new Promise((res) => setTimeout(res, 5));
    await c.kill9();
    // B keeps answering during and after the kill.
    const before = acked.size;
    while (acked.size < before + 100) await new Promise((res) => setTimeout(res, 5));
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    const stored = new Set(
      (
        await queryDb<{ identity: string }>(
          a.dataDir,
          "SELECT identity FROM notifications WHERE identity LIKE '100:burst-%'",
        )
      ).map((r) => r.identity),
    );
    const lost = [...acked].filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged notifications were lost`);
    assert.ok(stored.size <= sent);
  });
});

test(
  'PostgreSQL down: callbacks get 503 (never 200), /readyz says so; once it is back the receiver stores again by itself',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'receiver-pg-restart-'));
    chmodSync(dir, 0o755); // run as root, the cluster belongs to the postgres user, who must reach its directory
    const port = await freePort();
    let cluster = await startCluster({ dir: join(dir, 'data'), port });
    const url = new URL(cluster.url);
    let r: RunningReceiver | undefined;
    try {
      // A receiver on this private cluster's `postgres` database (not the suite's shared test cluster).
      r = await startReceiver({ key: KEY, env: { DATABASE_URL: url.toString() } });
      assert.equal(
        (await postCallback(r.url, signed(KEY, recordingNotification('before-down')))).status,
        200,
      );
      assert.equal((await fetch(`${r.url}/readyz`)).status, 200);

      await cluster.stop();
      const down = await postCallback(r.url, signed(KEY, recordingNotification('while-down')));
      assert.equal(down.status, 503);
      assert.equal((down.json as { error: { code: string } }).error.code, 'STORE_UNAVAILABLE');
      const ready = await fetch(`${r.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.match(((await ready.json()) as { error: { message: string } }).error.message, /postgres/);
      assert.equal((await fetch(`${r.url}/healthz`)).status, 200); // alive, not ready
      const list = await fetch(`${r.url}/api/recordings`);
      assert.equal(list.status, 503);

      // The live feed on the restarted database: the listener reconnects by itself.
      cluster = await startCluster({ dir: join(dir, 'data'), port });
      const live = await SseReader.open(`${r.url}/api/recordings/events`);
      try {
        await live.waitFor((m) => m.some((x) => x.event === 'ready'), 10_000);
        // The sender's retry of what was refused is stored now, exactly once.
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          status = (await postCallback(r.url, signed(KEY, recordingNotification('while-down')))).status;
          if (status !== 200) await new Promise((res) => setTimeout(res, 200));
        }
        assert.equal(status, 200);
        await live.waitFor(() => live.recordings().length === 1, 10_000);
        const deadline = Date.now() + 10_000;
        while ((await fetch(`${r.url}/readyz`)).status !== 200) {
          assert.ok(Date.now() < deadline, '/readyz did not recover');
          await new Promise((res) => setTimeout(res, 200));
        }
      } finally {
        live.close();
      }
      const rows = await queryPgCount(url.toString());
      assert.equal(rows, 2);
    } finally {
      await r?.stop();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Counts the notifications in the `postgres` database of a private cluster. */
async function queryPgCount(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM notifications');
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}
