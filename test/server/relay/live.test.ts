import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffprobe } from '../../../server/relay/relay/ffmpeg.ts';
import {
  api,
  createAndPush,
  readFlv,
  startRelay,
  tempDir,
  waitFor,
  type RunningRelay,
  startRelaying,
} from './support.ts';

let relay: RunningRelay;
const scratch = tempDir('relay-live-');

before(async () => {
  relay = await startRelay();
});
after(async () => {
  await relay.close();
  scratch.remove();
});

test('a pushed WebM stream is relayed as HTTP-FLV (H.264 + AAC) that every viewer can decode from its first byte', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
  try {
    const started = await startRelaying(relay.base, streamId, { encode: 'flv' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.urls[0].encode, 'flv', 'requested encode comes first');
    assert.deepEqual(started.body.urls.map((u) => u.encode).sort(), ['flv', 'hls', 'webrtc']);
    const flvUrl = started.body.urls[0].url;
    assert.equal(flvUrl, `${relay.base}/live/${streamId}.flv`);

    // two viewers, the second joining later: both must start with a decodable keyframe
    const [a, b] = await Promise.all([
      readFlv(flvUrl, 3000),
      new Promise((r) => setTimeout(r, 1500)).then(() => readFlv(flvUrl, 2500)),
    ]);
    for (const [name, bytes] of [
      ['first', a],
      ['late', b],
    ] as const) {
      assert.equal(bytes.subarray(0, 3).toString('latin1'), 'FLV', `${name} viewer gets an FLV header`);
      const file = join(scratch.dir, `${name}.flv`);
      writeFileSync(file, bytes);
      const probe = await ffprobe(file);
      const codecs = probe.streams.map((s) => s.codec_name).sort();
      assert.deepEqual(codecs, ['aac', 'h264'], `${name} viewer: ${JSON.stringify(codecs)}`);
      const video = probe.streams.find((s) => s.codec_type === 'video');
      assert.equal(video?.width, 320);
    }
    const state = await api<{ ingesting: boolean; relay: { encode: string } | null }>(
      relay.base,
      'GET',
      `/api/streams/${streamId}`,
    );
    assert.equal(state.body.ingesting, true);
    assert.equal(state.body.relay?.encode, 'flv');
  } finally {
    await pusher.stop();
  }
});

test('the same push is relayed as live HLS with a sliding playlist of ~1 s segments', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
  try {
    const started = await startRelaying(relay.base, streamId, {
      encode: 'hls',
    });
    assert.equal(started.status, 200);
    assert.equal(started.body.urls[0].encode, 'hls');
    const m3u8 = started.body.urls[0].url;
    const res = await fetch(m3u8);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /mpegurl/);
    // wait until a few segments exist, then check the playlist slides and segments decode
    const text = await waitFor(async () => {
      const t = await (await fetch(m3u8)).text();
      return (t.match(/#EXTINF/g) ?? []).length >= 3 ? t : null;
    }, 'three HLS segments');
    assert.doesNotMatch(text, /#EXT-X-ENDLIST/);
    const durations = [...text.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    assert.ok(
      durations.every((d) => d > 0.3 && d < 2.5),
      `segment durations ${durations.join(',')}`,
    );
    const probe = await ffprobe(m3u8);
    assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    const first = /^(\S+\.ts)$/m.exec(text)?.[1];
    assert.ok(first);
    const seg = await fetch(new URL(first, m3u8));
    assert.equal(seg.status, 200);
    assert.equal(seg.headers.get('content-type'), 'video/mp2t');
  } finally {
    await pusher.stop();
  }
});

/** Each segment's program date (ms) and duration (s), in playlist order. */
function programDates(playlist: string): { date: number; duration: number }[] {
  const out: { date: number; duration: number }[] = [];
  const lines = playlist.split('\n');
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXTINF:')) return;
    const pdt = lines[i - 1]?.startsWith('#EXT-X-PROGRAM-DATE-TIME:') ? lines[i - 1]!.slice(25) : '';
    out.push({ date: Date.parse(pdt), duration: Number(/#EXTINF:([\d.]+)/.exec(line)![1]) });
  });
  return out;
}

test('every live HLS segment is dated by when its first frame was captured (the pusher’s clock), so players can tell the true delay', async () => {
  // the pusher says its media's timestamp 0 was captured 3 s before it really was (a clock running behind)
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30, captureClockOffsetMs: -3000 });
  try {
    const started = await startRelaying(relay.base, streamId, { encode: 'hls' });
    const m3u8 = started.body.urls[0].url;
    const text = await waitFor(async () => {
      const t = await (await fetch(m3u8)).text();
      return (t.match(/#EXTINF/g) ?? []).length >= 3 ? t : null;
    }, 'three HLS segments');
    const fetchedAt = Date.now();
    const dated = programDates(text);
    assert.ok(dated.length >= 3);
    assert.ok(
      dated.every((d) => Number.isFinite(d.date)),
      `every segment has a date:\n${text}`,
    );
    for (let i = 1; i < dated.length; i++) {
      const step = (dated[i]!.date - dated[i - 1]!.date) / 1000;
      assert.ok(Math.abs(step - dated[i - 1]!.duration) < 0.1, `dates advance by the durations: ${step} s`);
    }
    // the newest segment ended (was captured) at least the 3 s the pusher's clock adds, and less than 3 s + the
    // pipeline (WebM chunks, transcode, one segment) before the playlist was read
    const last = dated.at(-1)!;
    const age = (fetchedAt - (last.date + last.duration * 1000)) / 1000;
    assert.ok(age > 3 && age < 6.5, `newest segment captured ${age.toFixed(2)} s before the read`);
  } finally {
    await pusher.stop();
  }
});

for (const video of ['vp9', 'h264'] as const) {
  test(`a ${video} MediaRecorder push is accepted and relayed as H.264 FLV`, async () => {
    const { streamId, pusher } = await createAndPush(relay.base, { seconds: 15, video });
    try {
      const started = await startRelaying(relay.base, streamId, { encode: 'flv' });
      assert.equal(started.status, 200);
      const file = join(scratch.dir, `${video}.flv`);
      writeFileSync(file, await readFlv(started.body.urls[0].url, 2500));
      assert.deepEqual((await ffprobe(file)).streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    } finally {
      await pusher.stop();
    }
  });
}

test('an audio-only push is relayed as AAC-only FLV', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { audioOnly: true, seconds: 20 });
  try {
    const started = await startRelaying(relay.base, streamId, {
      encode: 'flv',
      audioOnly: true,
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const bytes = await readFlv(started.body.urls[0].url, 2500);
    const file = join(scratch.dir, 'audio.flv');
    writeFileSync(file, bytes);
    const probe = await ffprobe(file);
    assert.deepEqual(
      probe.streams.map((s) => s.codec_name),
      ['aac'],
    );
  } finally {
    await pusher.stop();
  }
});

test('when the pusher vanishes mid-push the relay stops cleanly and the stream reports it ended', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
  const started = await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, { encode: 'hls' });
  assert.equal(started.status, 200);
  await waitFor(async () => (await fetch(`${relay.base}/live/${streamId}.m3u8`)).status === 200, 'playlist');
  pusher.vanish();
  const state = await waitFor(async () => {
    const s = await api<{ ingest: string; relay: unknown }>(relay.base, 'GET', `/api/streams/${streamId}`);
    return s.body.ingest === 'ended' && s.body.relay === null ? s : null;
  }, 'ingest to end');
  assert.equal(state.status, 200);
  assert.equal((await fetch(`${relay.base}/live/${streamId}.flv`)).status, 404);
  const again = await api<{ error: { code: string } }>(relay.base, 'POST', `/api/streams/${streamId}/relay`, {
    encode: 'hls',
  });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'NOT_INGESTING');
});

test('when the transcoder crashes the ingest socket closes with 1011 and the stream ends with a reason', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
  await api(relay.base, 'POST', `/api/streams/${streamId}/relay`, { encode: 'flv' });
  assert.ok((await readFlv(`${relay.base}/live/${streamId}.flv`, 1000)).length > 0, 'media flows');
  // find the transcoder's pid through the process table: the ffmpeg whose input is pipe:0 in matroska
  const { execFileSync } = await import('node:child_process');
  const pgrep = (): string[] => {
    try {
      return execFileSync('pgrep', ['-f', '-P', String(process.pid), 'matroska'], { encoding: 'utf8' })
        .trim()
        .split('\n');
    } catch {
      return [];
    }
  };
  const pids = await waitFor(() => (pgrep().length ? pgrep() : null), 'the transcoder');
  assert.equal(pids.length, 1, 'one transcoder for one ingest');
  process.kill(Number(pids[0]), 'SIGKILL');
  const closed = await pusher.closed;
  assert.equal(closed.code, 1011);
  const state = await waitFor(async () => {
    const s = await api<{ ingest: string; relay: unknown; error: string | null }>(
      relay.base,
      'GET',
      `/api/streams/${streamId}`,
    );
    return s.body.ingest === 'ended' ? s : null;
  }, 'ingest to end');
  assert.equal(state.body.relay, null);
  assert.match(state.body.error ?? '', /transcoder exited/);
  await pusher.stop();
});

test('garbage on the ingest socket ends the ingest with a clear error and the server keeps serving', async () => {
  const created = await api<{ streamId: string; ingest: { url: string } }>(
    relay.base,
    'POST',
    '/api/streams',
    {},
  );
  const { WebSocket } = await import('ws');
  const ws = new WebSocket(created.body.ingest.url);
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  ws.send(Buffer.alloc(200_000, 7));
  ws.close(1000);
  await closed;
  const state = await waitFor(async () => {
    const s = await api<{ ingest: string; error: string | null }>(
      relay.base,
      'GET',
      `/api/streams/${created.body.streamId}`,
    );
    return s.body.ingest === 'ended' ? s : null;
  }, 'ingest to end');
  assert.match(state.body.error ?? '', /transcoder exited/);
  assert.equal((await api(relay.base, 'POST', '/api/streams', {})).status, 201);
});
