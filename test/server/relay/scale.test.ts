import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import {
  api,
  createAndPush,
  readFlv,
  sleep,
  startRelay,
  startRelaying,
  tempDir,
  waitFor,
  type RunningRelay,
} from './support.ts';
import { startChromiumPusher, type ChromiumPusher } from './scale-chromium.ts';

process.env.RELAY_OUTPUT_IDLE_MS = '3000';

let relay: RunningRelay;
let chromium: ChromiumPusher;
const scratch = tempDir('relay-scale-');

before(async () => {
  chromium = await startChromiumPusher();
  relay = await startRelay({ allowedOrigins: [chromium.origin] });
});
after(async () => {
  await chromium.close();
  await relay.close();
  scratch.remove();
});

interface VideoInfo {
  codec_name: string;
  profile?: string;
  level?: number;
  width?: number;
}

async function videoOf(file: string): Promise<VideoInfo> {
  const v = (await ffprobe(file)).streams.find((s) => s.codec_type === 'video');
  assert.ok(v, `${file} has video`);
  return v as VideoInfo;
}

/** Per decoded video frame: keyframe flag and width, in order. */
function framesOf(file: string): { key: boolean; width: number }[] {
  // prettier-ignore
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=key_frame,width', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => l.split(','))
    .map(([key, width]) => ({ key: key === '1', width: Number(width) }));
}

function decodeErrors(file: string): string {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stderr.trim() : `exit ${r.status}: ${r.stderr}`;
}

/** The encoder settings x264 writes into its SEI ("x264 - core … options: …"), or null. */
function x264Settings(bytes: Buffer): string | null {
  const at = bytes.indexOf('x264 - core');
  return at < 0 ? null : bytes.toString('latin1', at, bytes.indexOf(0, at));
}

test("a Chromium MediaRecorder H.264 push is copied: viewers and recordings carry the browser's own encoding, a joiner plays from its first byte, and a mid-push resolution change is followed", async () => {
  const created = await api<{ streamId: string; ingest: { url: string; mimeType: string } }>(
    relay.base,
    'POST',
    '/api/streams',
    {},
  );
  assert.equal(created.body.ingest.mimeType, 'video/webm;codecs=h264,opus', 'the relay asks for H.264');
  const id = created.body.streamId;
  const push = await chromium.push(created.body.ingest.url, {
    width: 640,
    height: 360,
    resizeAfterMs: 4500,
    resizeTo: [480, 270],
  });
  await push.firstChunkAt;
  const started = await startRelaying(relay.base, id, { encode: 'flv', recordFileTypes: ['mp4'] });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const flvUrl = `${relay.base}/live/${id}.flv`;
  // viewer A from the start through the resize; B joins mid-GOP before it; C joins after it
  const [a, b, c] = await Promise.all([
    readFlv(flvUrl, 7500),
    sleep(1700).then(() => readFlv(flvUrl, 2000)),
    sleep(6500).then(() => readFlv(flvUrl, 1500)),
  ]);
  const stopped = await api<{ recordings: { fileFormat: string; url: string }[] }>(
    relay.base,
    'DELETE',
    `/api/streams/${id}/relay`,
  );
  const ingest = await push.stop();
  const ingestFile = join(scratch.dir, 'ingest.webm');
  writeFileSync(ingestFile, ingest);
  const input = await videoOf(ingestFile);
  assert.equal(input.codec_name, 'h264');
  assert.equal(x264Settings(ingest), null, 'the browser does not use x264');

  for (const [name, bytes] of [
    ['a', a],
    ['b', b],
    ['c', c],
  ] as const) {
    const file = join(scratch.dir, `${name}.flv`);
    writeFileSync(file, bytes);
    const v = await videoOf(file);
    assert.deepEqual([v.codec_name, v.profile], [input.codec_name, input.profile], `viewer ${name}`);
    // (after the resize the browser's encoder picks its own level for the smaller picture)
    if (name !== 'c') assert.equal(v.level, input.level, `viewer ${name}: the browser's level`);
    assert.equal(x264Settings(bytes), null, `viewer ${name}: no x264 re-encode`);
    const frames = framesOf(file);
    assert.ok(frames.length > 20, `viewer ${name} decoded ${frames.length} frames`);
    assert.ok(frames[0].key, `viewer ${name} starts on a keyframe`);
    assert.equal(decodeErrors(file), '', `viewer ${name} decodes cleanly from its first byte`);
  }
  const widthsA = [...new Set(framesOf(join(scratch.dir, 'a.flv')).map((f) => f.width))];
  assert.deepEqual(widthsA, [640, 480], 'the viewer that stayed saw the resolution change');
  assert.deepEqual(
    [...new Set(framesOf(join(scratch.dir, 'c.flv')).map((f) => f.width))],
    [480],
    'a joiner after the change starts at the new size',
  );

  const mp4 = stopped.body.recordings.find((r) => r.fileFormat === 'mp4');
  assert.ok(mp4, JSON.stringify(stopped.body));
  const rec = await ffprobe(mp4.url);
  assert.deepEqual(rec.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  assert.ok(rec.duration > 5, `recorded ${rec.duration} s`);
});

test('an H.264 push keeps its encoder settings through the relay, while VP8 is re-encoded as before', async () => {
  for (const video of ['h264', 'vp8'] as const) {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 15, video });
    try {
      const started = await startRelaying(relay.base, streamId, { encode: 'flv' });
      assert.equal(started.status, 200);
      const bytes = await readFlv(started.body.urls[0].url, 2500);
      const file = join(scratch.dir, `${video}-settings.flv`);
      writeFileSync(file, bytes);
      assert.deepEqual((await ffprobe(file)).streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
      const settings = x264Settings(bytes) ?? '';
      if (video === 'h264') {
        // the test pusher encodes at 400 kb/s ABR; the relay's own encoder would say crf=26
        assert.match(settings, /rc=abr .*bitrate=400/, 'the pusher’s encoding arrives unchanged');
      } else {
        assert.match(settings, /rc=crf .*crf=26/, 'VP8 is transcoded by the relay');
      }
    } finally {
      await pusher.stop();
    }
  }
});

test('the live HLS muxer does not run until HLS is requested, and stops when nobody fetches it', async () => {
  const hlsMuxers = (): number => {
    try {
      return execFileSync('pgrep', ['-f', '-P', String(process.pid), 'index.m3u8'], { encoding: 'utf8' })
        .trim()
        .split('\n').length;
    } catch {
      return 0;
    }
  };
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30, video: 'h264' });
  try {
    const started = await startRelaying(relay.base, streamId, { encode: 'flv' });
    assert.equal(started.status, 200);
    await readFlv(started.body.urls[0].url, 1500); // FLV is watched: still no HLS muxer
    assert.equal(hlsMuxers(), 0, 'no HLS muxer before an HLS request');
    const m3u8 = `${relay.base}/live/${streamId}.m3u8`;
    const res = await fetch(m3u8);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /#EXTM3U/);
    assert.equal(hlsMuxers(), 1, 'one HLS muxer once HLS is fetched');
    const probe = await ffprobe(m3u8);
    assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    await waitFor(() => hlsMuxers() === 0, 'the idle HLS muxer to stop', 20_000);
    assert.equal((await fetch(m3u8)).status, 200, 'a later request starts it again');
  } finally {
    await pusher.stop();
  }
});
