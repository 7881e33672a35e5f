import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlvHub } from '../../../server/relay/relay/flv-hub.ts';
import { tempDir } from './support.ts';

const tmp = tempDir('flv-hub-');
let source: Buffer;

before(() => {
  // 4 s of H.264 (keyframe every 10 frames) + AAC, as the relay's transcoder produces it
  const file = join(tmp.dir, 'src.flv');
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=4',
    '-f', 'lavfi', '-i', 'sine=duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10',
    '-c:a', 'aac', '-f', 'flv', file,
  ]);
  source = readFileSync(file);
});
after(() => tmp.remove());

interface Tag {
  type: number;
  body0: number;
  body1: number;
  ms: number;
}

function tags(flv: Buffer): Tag[] {
  const out: Tag[] = [];
  for (let o = 13; o + 11 <= flv.length;) {
    const size = flv.readUIntBE(o + 1, 3);
    out.push({
      type: flv[o] & 0x1f,
      body0: flv[o + 11],
      body1: flv[o + 12],
      ms: flv.readUIntBE(o + 4, 3) | (flv[o + 7] << 24),
    });
    o += 11 + size + 4;
  }
  return out;
}

function feed(hub: FlvHub, bytes: Buffer, chunk: number): void {
  for (let o = 0; o < bytes.length; o += chunk) hub.push(bytes.subarray(o, o + chunk));
}

test('a viewer joining mid-stream gets header, metadata, sequence headers, then a keyframe, and decodes cleanly', () => {
  const hub = new FlvHub();
  const half = Math.floor(source.length * 0.55);
  feed(hub, source.subarray(0, half), 777); // odd chunk size: tags split across pushes
  const received: Buffer[] = [];
  let ended = false;
  hub.subscribe({ write: (c) => received.push(c), end: () => (ended = true) });
  feed(hub, source.subarray(half), 1234);
  hub.end();
  assert.ok(ended, 'consumer is ended with the source');
  const out = Buffer.concat(received);
  assert.equal(out.subarray(0, 3).toString('latin1'), 'FLV');
  const t = tags(out);
  assert.equal(t[0].type, 18, 'onMetaData first');
  const avcSeq = t.findIndex((x) => x.type === 9 && x.body1 === 0);
  const aacSeq = t.findIndex((x) => x.type === 8 && x.body1 === 0);
  const firstFrame = t.findIndex((x) => x.type === 9 && x.body1 === 1);
  assert.ok(
    avcSeq > 0 && aacSeq > 0 && avcSeq < firstFrame && aacSeq < firstFrame,
    'sequence headers before media',
  );
  assert.equal(t[firstFrame].body0 >> 4, 1, 'the first video frame is a keyframe');
  assert.ok(
    t[firstFrame].ms >= 1000,
    `joined at the GOP before the live point, not the start (${t[firstFrame].ms} ms)`,
  );
  const file = join(tmp.dir, 'joined.flv');
  writeFileSync(file, out);
  const r = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0);
  assert.equal(r.stderr.trim(), '', 'no decode errors');
});

test('a consumer that subscribes before the first keyframe is attached once it arrives; detaching stops delivery', () => {
  const hub = new FlvHub();
  const received: Buffer[] = [];
  const detach = hub.subscribe({ write: (c) => received.push(c), end: () => {} });
  assert.equal(hub.ready, false);
  feed(hub, source.subarray(0, 40_000), 4096);
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.ok(hub.ready);
      feed(hub, source.subarray(40_000, 60_000), 4096);
      const before = Buffer.concat(received).length;
      assert.ok(before > 0);
      detach();
      feed(hub, source.subarray(60_000), 4096);
      assert.equal(Buffer.concat(received).length, before);
      resolve();
    }),
  );
});

test('video frames stamped within the same millisecond go out with increasing timestamps', () => {
  // the source's frames 3 and 4 get the same timestamp as frame 2, as a browser's MediaRecorder sometimes stamps them
  const all = tagBuffers(source).map((t) => Buffer.from(t));
  const frames = all.filter((t) => (t[0] & 0x1f) === 9 && t[12] === 1);
  const at = (t: Buffer) => t.readUIntBE(4, 3);
  for (const t of frames.slice(3, 5)) t.writeUIntBE(at(frames[2]!), 4, 3);
  const hub = new FlvHub();
  const received: Buffer[] = [];
  hub.push(source.subarray(0, 13));
  // up to the first keyframe (the hub is then ready and attaches a viewer at once), then the viewer, then the rest
  const first = all.indexOf(frames[0]!) + 1;
  for (const t of all.slice(0, first)) hub.push(t);
  hub.subscribe({ write: (c) => received.push(c), end: () => {} });
  for (const t of all.slice(first)) hub.push(t);
  hub.end();
  const out = Buffer.concat(received);
  const video = tags(out)
    .filter((t) => t.type === 9 && t.body1 === 1)
    .map((t) => t.ms);
  assert.ok(video.length === frames.length, `${video.length} of ${frames.length} frames`);
  for (let i = 1; i < video.length; i++)
    assert.ok(video[i]! > video[i - 1]!, `frame ${i}: ${video.join(', ')}`);
  // only the frames that collided moved, by 1 ms each
  assert.deepEqual(video.slice(2, 6), [
    at(frames[2]!),
    at(frames[2]!) + 1,
    at(frames[2]!) + 2,
    at(frames[5]!),
  ]);
});

test('input that is not FLV is refused', () => {
  const hub = new FlvHub();
  assert.throws(() => hub.push(Buffer.from('GIF89a-not-an-flv')), /not an FLV/);
});

function makeFlv(name: string, args: string[]): Buffer {
  const file = join(tmp.dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, '-f', 'flv', file]);
  return readFileSync(file);
}

/**
 * `seconds` of test video and audio as two separate FLV files (as the transcoder's two pipes carry them), and a
 * hub that declared both tracks, with its audio input and one viewer recording what it receives.
 */
function splitSources(seconds: number, name: string) {
  // prettier-ignore
  const av = [
    '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=duration=${seconds}`,
  ];
  // prettier-ignore
  const video = makeFlv(`${name}-v.flv`, [...av, '-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '10']);
  const audio = makeFlv(`${name}-a.flv`, [...av, '-map', '1:a', '-c:a', 'aac']);
  const hub = new FlvHub();
  hub.declareTracks({ audio: true, video: true });
  const pushAudio = hub.input();
  const received: Buffer[] = [];
  hub.subscribe({ write: (c) => received.push(c), end: () => {} });
  return { video, audio, hub, pushAudio, received };
}

/** The tags of an FLV file, without its 13-byte header. */
function tagBuffers(flv: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 13; o + 11 <= flv.length;) {
    const total = 11 + flv.readUIntBE(o + 1, 3) + 4;
    out.push(flv.subarray(o, o + total));
    o += total;
  }
  return out;
}

test('a viewer gets one write per video frame: audio rides along with the next frame', () => {
  const hub = new FlvHub();
  feed(hub, source.subarray(0, 20_000), 4096);
  let writes = 0;
  const received: Buffer[] = [];
  hub.subscribe({
    write: (c) => {
      writes += 1;
      received.push(c);
    },
    end: () => {},
  });
  feed(hub, source.subarray(20_000), 4096);
  hub.end();
  const t = tags(Buffer.concat(received));
  const frames = t.filter((x) => x.type === 9 && x.body1 === 1).length;
  const audio = t.filter((x) => x.type === 8).length;
  assert.ok(audio > frames, `the stream has more audio tags (${audio}) than video frames (${frames})`);
  // the joining prefix, one per frame after it, and the audio left at the end
  assert.ok(writes <= frames + 2, `${writes} writes for ${frames} video frames and ${audio} audio tags`);
});

test('video and audio from separate FLV sources are merged into one stream that decodes with both tracks', async () => {
  const { video, audio, hub, pushAudio, received } = splitSources(3, 'split3');
  // interleave the two byte streams in uneven pieces, as two pipes deliver them
  for (let v = 0, a = 0; v < video.length || a < audio.length; v += 1500, a += 700) {
    hub.push(video.subarray(v, v + 1500));
    pushAudio(audio.subarray(a, a + 700));
    await new Promise(setImmediate); // the consumer is attached once the first keyframe is there
  }
  hub.end();
  const file = join(tmp.dir, 'merged.flv');
  writeFileSync(file, Buffer.concat(received));
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file],
    {
      encoding: 'utf8',
    },
  );
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['aac', 'h264']);
  const d = spawnSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', file, '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  assert.equal(d.stderr.trim(), '', 'no decode errors');
});

test('when a keyframe brings new SPS/PPS (the encoder changed resolution), the hub sends a new sequence header first', async () => {
  // x264 repeating its parameter sets in-band, as browsers' H.264 encoders do
  const clip = (size: string): Buffer =>
    makeFlv(`${size}.flv`, [
      ...['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=10:duration=2`, '-c:v', 'libx264'],
      ...['-preset', 'ultrafast', '-g', '10', '-x264-params', 'repeat-headers=1'],
    ]);
  const small = clip('160x120');
  const large = tagBuffers(clip('320x240')).filter((t) => t[0] === 9 && t[12] === 1);
  const hub = new FlvHub();
  const received: Buffer[] = [];
  const late: Buffer[] = [];
  hub.subscribe({ write: (c) => received.push(c), end: () => {} });
  for (let o = 0; o < small.length; o += 2000) {
    hub.push(small.subarray(o, o + 2000));
    await new Promise(setImmediate); // lets the consumer attach at the first keyframe
  }
  for (const [i, t] of large.entries()) {
    const shifted = Buffer.from(t);
    shifted.writeUIntBE(2000 + i * 100, 4, 3); // continue the timeline
    hub.push(shifted);
    if (i === 12) hub.subscribe({ write: (c) => late.push(c), end: () => {} });
  }
  hub.end();
  assert.equal(hub.videoConfigs, 2, 'one sequence header per resolution');
  const widths = (bytes: Buffer[], name: string): number[] => {
    const file = join(tmp.dir, `${name}.flv`);
    writeFileSync(file, Buffer.concat(bytes));
    // prettier-ignore
    const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=width', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    return [...new Set(r.stdout.split('\n').map((l) => parseInt(l, 10)))].filter((w) => w > 0);
  };
  assert.deepEqual(widths(received, 'resized'), [160, 320], 'the viewer follows the change');
  assert.deepEqual(widths(late, 'resized-late'), [320], 'a later joiner starts with the new header');
  const t = tags(Buffer.concat(late));
  assert.equal(t.filter((x) => x.type === 9 && x.body1 === 0).length, 1, 'only the current header');
});

test('with both tracks declared, a joiner (e.g. a recorder) waits for the audio sequence header, so its prefix describes both tracks', async () => {
  const { video, audio, hub, pushAudio, received } = splitSources(2, 'split2');
  hub.push(video); // video keyframes, but no audio yet
  await new Promise(setImmediate);
  assert.equal(hub.ready, false, 'not ready without the declared audio');
  assert.equal(received.length, 0);
  pushAudio(audio);
  await new Promise(setImmediate);
  const t = tags(Buffer.concat(received));
  const aacSeq = t.findIndex((x) => x.type === 8 && x.body1 === 0);
  const firstFrame = t.findIndex((x) => x.type === 9 && x.body1 === 1);
  assert.ok(aacSeq >= 0 && aacSeq < firstFrame, 'the AAC header comes before the first video frame');
});

/** The relay-clock cue points (`onCuePoint` "relayClock" { ts, wall }) in an FLV byte stream, in order. */
function relayClocks(flv: Buffer): { ts: number; wall: number }[] {
  const out: { ts: number; wall: number }[] = [];
  for (let o = 13; o + 11 <= flv.length;) {
    const size = flv.readUIntBE(o + 1, 3);
    const body = flv.subarray(o + 11, o + 11 + size);
    if ((flv[o]! & 0x1f) === 18 && body.includes(Buffer.from('relayClock'))) {
      assert.ok(body.subarray(3, 13).equals(Buffer.from('onCuePoint')), 'the clock is a cue point');
      assert.equal(flv.readUIntBE(o + 4, 3) + flv[o + 7]!, 0, 'at tag timestamp 0 (what FFmpeg skips)');
      const at = (key: string): number => {
        const k = body.indexOf(Buffer.from(key));
        assert.equal(body[k + key.length], 0, `${key} is an AMF0 number`);
        return body.readDoubleBE(k + key.length + 1);
      };
      out.push({ ts: at('ts'), wall: at('wall') });
      assert.equal(at('time'), at('ts') / 1000);
    }
    o += 11 + size + 4;
  }
  return out;
}

test('relay clock: a clocked viewer is told when its first frame and then about each second was captured; others are not', async () => {
  const hub = new FlvHub();
  const origin = Date.now() - 5000;
  hub.setOrigin(origin);
  hub.setOrigin(0, true); // a weak origin does not replace a known one
  const all = tagBuffers(source);
  const header = source.subarray(0, 13);
  const half = Math.floor(all.length / 2);
  hub.push(Buffer.concat([header, ...all.slice(0, half)]));
  const clocked: Buffer[] = [];
  const plain: Buffer[] = [];
  hub.subscribe({ write: (c) => clocked.push(c), end: () => {} }, { clock: true });
  hub.subscribe({ write: (c) => plain.push(c), end: () => {} });
  for (const t of all.slice(half)) {
    hub.push(t);
    await new Promise((r) => setTimeout(r, 25)); // 10 fps source fed at 40 fps: about a second of wall time
  }
  hub.end();
  const stream = Buffer.concat(clocked);
  const clocks = relayClocks(stream);
  assert.ok(clocks.length >= 2, `clock tags: ${clocks.length}`);
  const firstMedia = tags(stream).find((t) => t.type === 9 && t.body1 === 1)!;
  assert.equal(clocks[0]!.ts, firstMedia.ms, 'the first clock is for the first frame the viewer gets');
  for (const c of clocks) assert.equal(c.wall, origin + c.ts, 'wall = when the media was captured');
  assert.deepEqual(relayClocks(Buffer.concat(plain)), [], 'recorders and muxers get no clock tags');
  // ffmpeg still reads the clocked stream (unknown script data is skipped)
  const file = join(tmp.dir, 'clocked.flv');
  writeFileSync(file, stream);
  const probe = spawnSync('ffmpeg', [
    '-hide_banner',
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0:v',
    '-f',
    'null',
    '-',
  ]);
  assert.equal(probe.status, 0, probe.stderr.toString());
});
