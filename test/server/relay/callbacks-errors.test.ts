import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { FFMPEG } from '../../../server/relay/relay/ffmpeg.ts';
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
  let player: ReturnType<typeof spawn> | null = null;
  try {
    const ok = await startRelaying(relay.base, a.streamId, { encode: 'rtmp' });
    assert.equal(ok.status, 200);
    const bStarted = await startRelaying(relay.base, b.streamId, { encode: 'rtmp' });
    assert.equal(bStarted.status, 200);
    // The RTMP push of B runs on demand: an RTMP player starts it (only the relay may publish, so no one can
    // squat the name). Then the push's ffmpeg dies (killed here, as a crash or an OOM kill would).
    const target = bStarted.body.urls[0].url;
    assert.match(target, /^rtmp:\/\/127\.0\.0\.1:\d+\/live\//);
    // prettier-ignore
    player = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', target, '-f', 'null', '-'], { stdio: 'ignore' });
    const pushPid = await waitFor(
      () => {
        const r = spawnSync('pgrep', ['-f', `pipe:0 .*rtmp://[^ ]*/live/${b.streamId}`], {
          encoding: 'utf8',
        });
        const pid = Number(r.stdout.trim().split('\n')[0]);
        return pid > 0 ? pid : null;
      },
      'the on-demand RTMP push of B',
      60_000,
    );
    process.kill(pushPid, 'SIGKILL');

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
    player?.kill('SIGKILL');
    await a.pusher.stop();
    await b.pusher.stop();
    await relay.close();
    await sink.close();
  }
});
