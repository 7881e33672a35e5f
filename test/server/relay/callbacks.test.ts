import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from '../../../server/shared/sign.ts';
import { backoffDelay } from '../../../server/relay/outbox.ts';
import {
  api,
  callbackSink,
  createAndPush,
  relayProcess,
  sleep,
  startRelay,
  tempDir,
  waitFor,
} from './support.ts';

const KEY = 'k3y';

test('retry delays grow exponentially with jitter and stay under the cap', () => {
  const lo = () => 0;
  const hi = () => 0.999999;
  assert.equal(backoffDelay(1, 1000, 60_000, lo), 500);
  assert.equal(backoffDelay(3, 1000, 60_000, lo), 2000);
  assert.equal(backoffDelay(3, 1000, 60_000, hi), 6000);
  assert.ok(backoffDelay(30, 1000, 60_000, hi) <= 90_000);
  assert.equal(backoffDelay(30, 1000, 60_000, lo), 30_000);
});

test('callbacks are retried while the receiver answers 500, re-signed each time, and delivered once it answers 200', async () => {
  const sink = await callbackSink();
  sink.status = 500;
  const relay = await startRelay({
    callbackUrl: sink.url,
    callbackKey: KEY,
    callbackRetryBaseMs: 100,
    callbackRetryMaxMs: 400,
  });
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 20 });
    assert.equal(
      (await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, { encode: 'flv' })).status,
      200,
    );
    assert.equal((await api(relay.base, 'DELETE', `/api/streams/${streamId}/relay`)).status, 200);
    await pusher.stop();
    const mine = () => sink.received.filter((c) => c.body.stream_id === streamId);
    await waitFor(
      () => mine().filter((c) => c.body.event_type === 1).length >= 3,
      'three failed attempts of the start event',
    );
    for (const c of mine())
      assert.equal(c.body.sign, sign(KEY, c.body.t as number), 'every attempt is signed');
    sink.status = 200;
    await waitFor(() => mine().filter((c) => c.status === 200).length === 2, 'start and stop delivered');
    await sleep(1000);
    const delivered = mine().filter((c) => c.status === 200);
    assert.deepEqual(
      delivered.map((c) => c.body.event_type).sort(),
      [0, 1],
      'each event acknowledged exactly once, then no more sends',
    );
    assert.equal(mine().length, mine().filter((c) => c.status === 500).length + 2);
  } finally {
    await relay.close();
    await sink.close();
  }
});

test('a receiver that hangs past the timeout, then is down, gets the callbacks once it is back', async () => {
  const hanging = await callbackSink();
  hanging.status = 0;
  const port = hanging.port;
  const relay = await startRelay({
    callbackUrl: `http://127.0.0.1:${port}/callbacks/tencent`,
    callbackKey: KEY,
    callbackRetryBaseMs: 100,
    callbackRetryMaxMs: 300,
    callbackTimeoutMs: 500,
  });
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 20 });
    await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, { encode: 'hls' });
    await api(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    await pusher.stop();
    await waitFor(() => hanging.received.length >= 2, 'a retry after the first attempt timed out');
    await hanging.close(); // now nothing listens: connection refused
    await sleep(1000);
    const sink = await callbackSink(port);
    try {
      await waitFor(
        () => sink.received.filter((c) => c.body.stream_id === streamId).length >= 2,
        'delivery after the receiver came back',
      );
      const types = sink.received.filter((c) => c.body.stream_id === streamId).map((c) => c.body.event_type);
      assert.deepEqual([...new Set(types)].sort(), [0, 1]);
    } finally {
      await sink.close();
    }
  } finally {
    await relay.close();
  }
});

test('callbacks still pending when the relay process stops are delivered after it restarts', async () => {
  const data = tempDir('relay-restart-');
  const probe = await callbackSink();
  const port = probe.port;
  await probe.close();
  const env = {
    DATA_DIR: data.dir,
    RELAY_CALLBACK_URL: `http://127.0.0.1:${port}/callbacks/tencent`,
    RELAY_CALLBACK_KEY: KEY,
    RELAY_CALLBACK_RETRY_MS: '100',
  };
  let child = await relayProcess(env);
  try {
    const { streamId, pusher } = await createAndPush(child.base, { seconds: 20 });
    await api(child.base, 'POST', `/api/streams/${streamId}/relay`, {
      encode: 'flv',
      recordFileTypes: ['mp4'],
      recordId: 99,
    });
    assert.equal((await fetch(`${child.base}/live/${streamId}.m3u8`)).status, 200, 'media is flowing');
    await sleep(3000);
    const stopped = await api<{ recordings: { id: string; url: string }[] }>(
      child.base,
      'DELETE',
      `/api/streams/${streamId}/relay`,
    );
    assert.equal(stopped.body.recordings.length, 1);
    await pusher.stop();
    await child.stop(); // receiver was down the whole time: start, stop and the mp4 callback are all pending
    const sink = await callbackSink(port);
    try {
      await sleep(500);
      assert.equal(sink.received.length, 0, 'nothing is sent while the relay is down');
      child = await relayProcess(env);
      const got = await waitFor(() => {
        const m = sink.received.filter((c) => c.body.stream_id === streamId);
        return m.length >= 3 ? m : null;
      }, 'pending callbacks after restart');
      const file = got.find((c) => c.body.event_type === 100);
      assert.equal(file?.body.file_id, stopped.body.recordings[0].id);
      assert.equal(file?.body.userdefinerecordid, 99);
      assert.equal(file?.body.sign, sign(KEY, file?.body.t as number));
      assert.ok((file?.body.t as number) >= Math.floor(Date.now() / 1000) + 590, 'fresh t on the resend');
    } finally {
      await sink.close();
    }
  } finally {
    await child.stop();
    data.remove();
  }
});
