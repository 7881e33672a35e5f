import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlvHub } from '../../../server/relay/flv-hub.ts';
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

test('input that is not FLV is refused', () => {
  const hub = new FlvHub();
  assert.throws(() => hub.push(Buffer.from('GIF89a-not-an-flv')), /not an FLV/);
});
