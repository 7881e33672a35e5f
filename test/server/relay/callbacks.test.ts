import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sign } from '../../../server/shared/sign.ts';
import { Outbox } from '../../../server/relay/callbacks/outbox.ts';
import {
  api,
  callbackSink,
  createAndPush,
  relayProcess,
  sleep,
  startRelay,
  startRelaying,
  tempDir,
  waitFor,
} from './support.ts';

const KEY = 'k3y';

test('callbacks are retried while the receiver answers 500, re-signed each time, and delivered once it answers 200', async () => {
  const sink = await callbackSink();
  sink.status = 500;
  const relay = await startRelay({
    callbackUrl: sink.url,
    callbackKey: KEY,
    callbackRetryIntervalMs: 100,
    callbackRetries: 1000,
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
    assert.ok(
      !mine().some((c) => c.body.event_type === 0),
      'the end event waits while the start event of its stream is retried',
    );
    for (const c of mine())
      assert.equal(c.body.sign, sign(KEY, c.body.t as number), 'every attempt is signed');
    sink.status = 200;
    await waitFor(() => mine().filter((c) => c.status === 200).length === 2, 'start and stop delivered');
    await sleep(1000);
    const delivered = mine().filter((c) => c.status === 200);
    assert.deepEqual(
      delivered.map((c) => c.body.event_type),
      [1, 0],
      'each event acknowledged exactly once, in order, then no more sends',
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
    callbackRetryIntervalMs: 100,
    callbackRetries: 1000,
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
      assert.deepEqual(types, [1, 0], 'start then end, once each');
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
    RELAY_CALLBACK_RETRIES: '100000',
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
      assert.equal(file?.body.userdefinerecordid, '99', 'an integer record id is sent as a string');
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

test('a receiver failing one stream delays only that stream: its 100s and 0 wait for its 1, others go through', async () => {
  const sink = await callbackSink();
  let failA = true;
  let streamA = '';
  sink.decide = (body) => (failA && body.stream_id === streamA ? 500 : 200);
  const relay = await startRelay({
    callbackUrl: sink.url,
    callbackKey: KEY,
    callbackRetryIntervalMs: 150,
    callbackRetries: 1000,
  });
  try {
    const a = await createAndPush(relay.base, { seconds: 30 });
    streamA = a.streamId;
    const b = await createAndPush(relay.base, { seconds: 30 });
    try {
      for (const s of [a.streamId, b.streamId]) {
        assert.equal(
          (await startRelaying(relay.base, s, { encode: 'hls', recordFileTypes: ['flv', 'mp4'] })).status,
          200,
        );
      }
      await waitFor(
        async () => (await fetch(`${relay.base}/live/${a.streamId}.m3u8`)).status === 200,
        'media flowing',
        60_000,
      );
      await sleep(2500);
      for (const s of [a.streamId, b.streamId]) await api(relay.base, 'DELETE', `/api/streams/${s}/relay`);
    } finally {
      await a.pusher.stop();
      await b.pusher.stop();
    }
    const of = (id: string) => sink.received.filter((c) => c.body.stream_id === id);
    await waitFor(() => of(b.streamId).length >= 4, "stream B's 1, two 100s and 0", 60_000);
    assert.deepEqual(
      of(b.streamId).map((c) => c.body.event_type),
      [1, 100, 100, 0],
    );
    await waitFor(() => of(a.streamId).length >= 4, 'stream A retried');
    assert.ok(
      of(a.streamId).every((c) => c.body.event_type === 1),
      "while A's 1 fails, none of A's later events is sent",
    );
    failA = false;
    await waitFor(
      () => of(a.streamId).filter((c) => c.status === 200).length >= 4,
      "A's events after recovery",
    );
    await sleep(500);
    assert.deepEqual(
      of(a.streamId)
        .filter((c) => c.status === 200)
        .map((c) => c.body.event_type),
      [1, 100, 100, 0],
      'A delivered in order once its receiver answers',
    );
  } finally {
    await relay.close();
    await sink.close();
  }
});

test("on Tencent's cadence a callback is retried a set number of times at a fixed interval, then given up so the next one goes", async () => {
  const sink = await callbackSink();
  sink.decide = (body) => (body.event_type === 1 ? 503 : 200);
  const relay = await startRelay({
    callbackUrl: sink.url,
    callbackKey: KEY,
    callbackRetryIntervalMs: 300,
    callbackRetries: 2,
  });
  try {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 20 });
    try {
      await startRelaying(relay.base, streamId, { encode: 'flv' });
      await sleep(1500);
      await api(relay.base, 'DELETE', `/api/streams/${streamId}/relay`);
    } finally {
      await pusher.stop();
    }
    const mine = () => sink.received.filter((c) => c.body.stream_id === streamId);
    await waitFor(() => mine().some((c) => c.body.event_type === 0), 'the 0 after the 1 is given up');
    await sleep(1000);
    const starts = mine().filter((c) => c.body.event_type === 1);
    assert.equal(starts.length, 3, 'one attempt and two retries');
    for (let i = 1; i < starts.length; i++) {
      assert.ok(starts[i].at - starts[i - 1].at >= 280, 'retries wait for the interval');
    }
    assert.deepEqual(
      mine().map((c) => c.body.event_type),
      [1, 1, 1, 0],
    );
  } finally {
    await relay.close();
    await sink.close();
  }
});

test('callbacks left in an outbox file from before per-stream ordering are still delivered', async () => {
  const data = tempDir('relay-outbox-old-');
  const sink = await callbackSink();
  try {
    const file = join(data.dir, 'relay-outbox.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL,
      created_at INTEGER NOT NULL, next_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT, delivered_at INTEGER)`);
    const insert = old.prepare('INSERT INTO outbox (body, created_at, next_at) VALUES (?, 0, 0)');
    insert.run(JSON.stringify({ event_type: 1, stream_id: 'old_stream', sequence: '1' }));
    insert.run(JSON.stringify({ event_type: 0, stream_id: 'old_stream', sequence: '1' }));
    old.close();
    const outbox = new Outbox({ file, urls: { push: sink.url, streamEnd: sink.url }, key: KEY });
    outbox.start();
    try {
      await waitFor(() => sink.received.length >= 2, 'the old rows');
      assert.deepEqual(
        sink.received.map((c) => c.body.event_type),
        [1, 0],
      );
      assert.equal(outbox.pending(), 0);
    } finally {
      outbox.close();
    }
  } finally {
    await sink.close();
    data.remove();
  }
});
