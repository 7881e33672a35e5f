/**
 * A WHIP publisher whose WebRTC stack we did not write: GStreamer's webrtcbin (`gst-whip-publish.py`, python3-gi)
 * pushes H.264 + Opus to the relay and its FLV output plays. libnice skips loopback interfaces, so everything runs
 * inside a network namespace whose veth carries 127.0.0.1/32 (`scripts/netns.mjs`, root; the WebRTC lab's too): outside one, this file
 * runs itself again inside a fresh namespace and passes only when that run passes.
 * Needs (Debian): gstreamer1.0-plugins-base/-good/-bad/-ugly (x264enc), gstreamer1.0-nice, gir1.2-gst-plugins-bad-1.0,
 * python3-gi.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ffprobe } from '../../../../server/relay/relay/ffmpeg.ts';
import { releaseWebRtc } from './whip-peers.ts';
import { api, startRelay, startRelaying, waitFor, type RunningRelay } from '../support.ts';

const here = fileURLToPath(import.meta.url);
const publisher = join(here, '..', 'gst-whip-publish.py');
// Debian's python3 (python3-gi lives in its dist-packages), not a python3 earlier on PATH
const PYTHON = '/usr/bin/python3';

/** Why this machine cannot run the test (not root; a GStreamer piece missing), or null. */
function missing(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'needs root (a network namespace: ip netns add)';
  const gi = spawnSync(PYTHON, [
    '-c',
    "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0'); gi.require_version('GstSdp', '1.0')",
  ]);
  if (gi.status !== 0) return 'needs python3-gi and gir1.2-gst-plugins-bad-1.0';
  for (const el of ['webrtcbin', 'x264enc', 'opusenc', 'nicesrc', 'rtph264pay', 'videotestsrc'])
    if (spawnSync('gst-inspect-1.0', [el]).status !== 0)
      return `needs the GStreamer element ${el} (gstreamer1.0-plugins-bad/-ugly/-good/-base, gstreamer1.0-nice)`;
  return null;
}

const why = process.env.RELAY_NETNS ? null : missing();
if (why && !process.env.CI) {
  // .ci/run installs all of it: there a missing piece fails below instead of skipping
  test('GStreamer webrtcbin publishes over WHIP', { skip: `SKIPPED: ${why}` }, () => undefined);
} else if (!process.env.RELAY_NETNS) {
  test('GStreamer webrtcbin publishes over WHIP (run inside a network namespace)', () => {
    assert.equal(why, null, `this machine cannot run the GStreamer WHIP test: ${why}`);
    const r = spawnSync(
      process.execPath,
      ['scripts/netns.mjs', 'run', '--', process.execPath, '--import', 'tsx', '--test', here],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 120_000,
        // a plain run of its own (not reporting to this runner through NODE_TEST_CONTEXT)
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      },
    );
    process.stdout.write(r.stdout.replace(/^/gm, '  '));
    assert.equal(
      r.status,
      0,
      `the run inside the namespace failed:\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`,
    );
    assert.match(r.stdout, /# pass 1\b/, 'the inner test ran and passed');
  });
} else {
  let relay: RunningRelay;
  before(async () => {
    relay = await startRelay();
  });
  after(async () => {
    await relay.close();
    releaseWebRtc();
  });

  test('GStreamer webrtcbin publishes H.264 + Opus over WHIP and the FLV output plays', async () => {
    const c = await api<{ streamId: string; ingest: { url: string } }>(
      relay.base,
      'POST',
      '/api/streams',
      {},
    );
    assert.equal(c.status, 201);
    const id = c.body.streamId;
    const token = new URL(c.body.ingest.url).searchParams.get('token') ?? '';
    const gst = spawn(PYTHON, [publisher, `${relay.base}/whip/${id}`, token, '8'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    gst.stdout.on('data', (b: Buffer) => (out += b.toString()));
    gst.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => gst.on('exit', r));
    try {
      await waitFor(
        async () =>
          (await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${id}`)).body.ingest ===
          'ingesting',
        `the GStreamer push ingesting (publisher said: ${out} ${err.slice(-500)})`,
        20_000,
      );
      // the relay attaches the push before the publisher has read the 201
      const status = await waitFor(
        () => /status \d+/.exec(out)?.[0],
        'the publisher’s POST answered',
        10_000,
      );
      assert.equal(status, 'status 201', out);
      const started = await startRelaying(relay.base, id, { encode: 'flv' });
      assert.equal(started.status, 200);
      const ctrl = new AbortController();
      const res = await fetch(`${relay.base}/live/${id}.flv`, { signal: ctrl.signal });
      assert.equal(res.status, 200);
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => ctrl.abort(), 3000);
      try {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
      } catch {
        /* aborted after 3 s */
      }
      clearTimeout(timer);
      const file = join(relay.dataDir, 'gst.flv');
      writeFileSync(file, Buffer.concat(chunks));
      const probe = await ffprobe(file);
      const video = probe.streams.find((s) => s.codec_type === 'video');
      assert.equal(video?.codec_name, 'h264');
      assert.deepEqual([video?.width, video?.height], [640, 360]);
      assert.equal(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
      assert.equal(await exited, 0, `publisher: ${out} ${err.slice(-500)}`);
      await waitFor(
        async () =>
          (await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${id}`)).body.ingest === 'ended',
        'the publisher’s DELETE ended the push',
      );
    } finally {
      gst.kill('SIGKILL');
    }
  });
}
