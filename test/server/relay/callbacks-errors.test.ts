import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ffprobe, FFMPEG } from '../../../server/relay/ffmpeg.ts';
import { api, callbackSink, createAndPush, startRelay, startRelaying, waitFor } from './support.ts';

interface StreamState {
  error: string | null;
  relay: unknown;
}

test('an RTMP push that fails ends the relay with an error the widget sees and the 0 callback reports', async () => {
  const sink = await callbackSink();
  const relay = await startRelay({ rtmpPort: 0, callbackUrl: sink.url, callbackKey: 'k' });
  const a = await createAndPush(relay.base, { seconds: 40 });
  const b = await createAndPush(relay.base, { seconds: 40 });
  let squatter: ReturnType<typeof spawn> | null = null;
  try {
    // learn the RTMP server's address from a working relay
    const ok = await startRelaying(relay.base, a.streamId, { encode: 'rtmp' });
    const rtmpBase = ok.body.urls[0].url.replace(/\/live\/[^/]+$/, '');
    assert.match(rtmpBase, /^rtmp:\/\/127\.0\.0\.1:\d+$/);

    // someone else already publishes B's RTMP name: the relay's own RTMP push of B is refused and its ffmpeg exits
    const target = `${rtmpBase}/live/${b.streamId}`;
    // prettier-ignore
    squatter = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-f', 'flv', target], { stdio: 'ignore' });
    await waitFor(
      async () => (await ffprobe(target, 10_000).catch(() => null)) !== null,
      'the squatter publishing',
      90_000,
    );

    assert.equal((await startRelaying(relay.base, b.streamId, { encode: 'rtmp' })).status, 200);
    const state = await waitFor(
      async () => {
        const r = await api<StreamState>(relay.base, 'GET', `/api/streams/${b.streamId}`);
        return r.body.error !== null ? r.body : null;
      },
      'the relay error',
      60_000,
    );
    assert.match(String(state.error), /RTMP push/);
    assert.equal(state.relay, null, 'the relay ended');

    const end = await waitFor(
      () => sink.received.find((c) => c.body.stream_id === b.streamId && c.body.event_type === 0),
      'the 0 of B',
      60_000,
    );
    assert.equal(end.body.errcode, 5, '断流错误码 5: internal error');
    assert.match(String(end.body.errmsg), /RTMP push/);
    const start = sink.received.find((c) => c.body.stream_id === b.streamId && c.body.event_type === 1);
    assert.equal(end.body.sequence, start?.body.sequence);

    // the working relay of A is untouched
    const aState = await api<StreamState>(relay.base, 'GET', `/api/streams/${a.streamId}`);
    assert.equal(aState.body.error, null);
    assert.notEqual(aState.body.relay, null);
  } finally {
    squatter?.kill('SIGKILL');
    await a.pusher.stop();
    await b.pusher.stop();
    await relay.close();
    await sink.close();
  }
});
