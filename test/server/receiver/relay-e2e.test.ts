import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { api, createAndPush, sleep, startRelay, waitFor } from '../relay/support.ts';
import { SseReader, startReceiver } from './receiver-process.ts';
import { forEachStore } from './stores.ts';

const KEY = 'e2e-callback-key';

forEachStore(() => {
  test(
    'end to end: a recorded push stops, the relay calls back, the receiver lists and pushes the playable mp4',
    { timeout: 90_000 },
    async (t) => {
      const receiver = await startReceiver({ key: KEY });
      const relay = await startRelay({
        callbackUrl: `${receiver.url}/callbacks/tencent`,
        callbackKey: KEY,
        callbackRetryBaseMs: 100,
        callbackRetryMaxMs: 400,
      });
      const cleanup: (() => unknown)[] = [() => receiver.stop(), () => relay.close()];
      t.after(async () => {
        // Each step bounded, so one stuck teardown cannot hang the run.
        for (const step of cleanup.reverse()) await Promise.race([step(), sleep(10_000)]);
      });
      const recordId = 424242;
      const live = await SseReader.open(`${receiver.url}/api/recordings/events?recordId=${recordId}`);
      cleanup.push(() => live.close());
      await live.waitFor((m) => m.some((x) => x.event === 'ready'));

      const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
      cleanup.push(() => pusher.stop());
      const started = await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
        encode: 'flv',
        recordFileTypes: ['mp4'],
        recordId,
      });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      await sleep(5000);
      const stopped = await api(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
      assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
      assert.equal(
        (stopped.body as { recordings: unknown[] }).recordings.length,
        1,
        JSON.stringify(stopped.body),
      );

      // The recording arrives over server-sent events and in the list, tagged with the record id.
      await live.waitFor(() => live.recordings().length > 0, 20_000);
      const [pushed] = live.recordings();
      assert.equal(pushed.streamId, streamId);
      assert.equal(pushed.recordId, String(recordId)); // record ids are strings at the receiver
      const page = await waitFor(async () => {
        const res = await fetch(`${receiver.url}/api/recordings?recordId=${recordId}`);
        const body = (await res.json()) as {
          recordings: { id: string; fileFormat: string; url: string; duration: number }[];
        };
        return body.recordings.length > 0 ? body : null;
      }, 'recording listed');
      assert.equal(page.recordings.length, 1);
      const rec = page.recordings[0];
      assert.equal(rec.id, pushed.id);
      assert.equal(rec.fileFormat, 'mp4');
      assert.match(rec.url, /^https?:\/\//);

      // The URL is a real, playable MP4 of about the recorded length.
      const res = await fetch(rec.url);
      assert.equal(res.status, 200);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
      // ffprobe asynchronously: the relay answering it runs in this process.
      const { stdout } = await promisify(execFile)('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'format=duration',
        '-of',
        'csv=p=0',
        rec.url,
      ]);
      const probed = Number(stdout);
      assert.ok(probed > 1 && probed < 10, `duration ${probed}`);
    },
  );
});
