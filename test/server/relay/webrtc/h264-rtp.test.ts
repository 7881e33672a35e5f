/**
 * The in-process H.264 depacketiser and FLV writer, on RTP made by ffmpeg's own packetiser (libx264 baseline, as a
 * browser sends it): every frame comes out and decodes cleanly with ffmpeg; lost packets cost frames up to the next
 * keyframe but never a broken picture, and ask for a keyframe; STAP-A and timestamp wraps are followed.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AvcFlvWriter,
  FLV_VIDEO_HEADER,
  H264Depacketizer,
  MAX_FRAME_BYTES,
  type AccessUnit,
} from '../../../../server/relay/webrtc/h264-rtp.ts';
import { nackPacket, rtpPayload } from '../../../../server/relay/webrtc/rtp.ts';
import { tempDir } from '../support.ts';

const FRAMES = 90; // 3 s at 30 fps, a keyframe every 30
let packets: Buffer[] = [];
/** The NAL unit type an RTP packet's payload starts with (24 STAP-A, 28 FU-A). */
const nalType = (p: Buffer): number => (rtpPayload(p)?.payload[0] ?? 0) & 0x1f;
const dir = tempDir('h264-rtp-test-');

/** RTP of ffmpeg's test pattern, as ffmpeg's RTP muxer packetises it (single NAL units and FU-A, 1200 bytes). */
async function ffmpegRtp(): Promise<Buffer[]> {
  const socket = createSocket('udp4');
  socket.setMaxListeners(0);
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(Buffer.from(m)));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  const port = socket.address().port;
  // prettier-ignore
  const ff = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30`,
    '-frames:v', String(FRAMES), '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p',
    '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-payload_type', '102',
    '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`,
  ], { stdio: 'ignore' });
  await new Promise((r) => ff.on('exit', r));
  await new Promise((r) => setTimeout(r, 200));
  socket.close();
  return got;
}

/** Depacketises `input`, writes the FLV, and decodes it with ffmpeg: frames decoded and ffmpeg's complaints. */
function run(
  input: Buffer[],
  name: string,
): {
  units: AccessUnit[];
  losses: number;
  decoded: number;
  errors: string;
  stats: H264Depacketizer['stats'];
} {
  const units: AccessUnit[] = [];
  let losses = 0;
  const d = new H264Depacketizer(
    (u) => units.push(u),
    () => (losses += 1),
  );
  for (const p of input) d.push(p);
  const w = new AvcFlvWriter();
  const first = units[0]?.timestamp ?? 0;
  const tags = units.flatMap((u) => w.tags(u, Math.round((u.timestamp - first) / 90)));
  const file = join(dir.dir, `${name}.flv`);
  writeFileSync(file, Buffer.concat([FLV_VIDEO_HEADER, ...tags]));
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'framemd5', '-'], { encoding: 'utf8' });
  const decoded = r.stdout.split('\n').filter((l) => /^0,/.test(l)).length;
  return { units, losses, decoded, errors: r.stderr.trim(), stats: d.stats };
}

before(async () => {
  packets = await ffmpegRtp();
});

test('every frame of an unbroken stream comes out, keyframes flagged, and decodes without an error', () => {
  assert.ok(packets.length > FRAMES, `${packets.length} packets`);
  const fu = packets.filter((p) => nalType(p) === 28).length;
  assert.ok(fu > 0, 'large frames came as FU-A');
  assert.equal(nalType(packets[0]!), 24, 'SPS and PPS came in a STAP-A, as browsers send them');
  const r = run(packets, 'whole');
  assert.equal(r.units.length, FRAMES);
  assert.deepEqual(
    r.units.flatMap((u, i) => (u.keyframe ? [i] : [])),
    [0, 30, 60],
  );
  assert.equal(r.losses, 0);
  assert.equal(r.errors, '');
  assert.equal(r.decoded, FRAMES);
  // 30 fps: 3000 ticks of 90 kHz apart
  assert.equal(r.units[1]!.timestamp - r.units[0]!.timestamp, 3000);
});

test('lost packets drop the frames up to the next keyframe, ask for one once, and nothing broken is decoded', () => {
  // lose one packet in frame 10 and one in frame 45 (both between keyframes)
  const frameOf: number[] = [];
  let frame = 0;
  let last: number | null = null;
  for (const p of packets) {
    const ts = p.readUInt32BE(4);
    if (last !== null && ts !== last) frame += 1;
    last = ts;
    frameOf.push(frame);
  }
  const victims = [frameOf.indexOf(10), frameOf.indexOf(45)];
  const r = run(
    packets.filter((_, i) => !victims.includes(i)),
    'lossy',
  );
  assert.equal(r.losses, 2, 'one keyframe request per loss');
  assert.equal(r.stats.gaps, 2);
  assert.equal(r.units.length, FRAMES - 20 - 15, 'frames 10–29 and 45–59 dropped');
  assert.equal(r.errors, '', 'the decoder never saw a broken frame');
  assert.equal(r.decoded, r.units.length);
});

test('packets out of order by a few are put back in order; a repeat is dropped; one too late counts as lost', () => {
  const i = packets.findIndex((p, k) => k > 100 && nalType(p) === 28);
  const swapped = [...packets];
  [swapped[i], swapped[i + 3]] = [swapped[i + 3]!, swapped[i]!];
  const r = run([...swapped.slice(0, 50), swapped[49]!, ...swapped.slice(50)], 'reordered');
  assert.equal(r.stats.late, 1, 'the repeat');
  assert.equal(r.stats.gaps, 0);
  assert.equal(r.losses, 0);
  assert.equal(r.units.length, FRAMES, 'every frame');
  assert.equal(r.errors, '');
  assert.equal(r.decoded, FRAMES);

  // a packet 20 places late: the gap is given up after 8, the packet is late when it comes
  const late = [...packets];
  const [moved] = late.splice(i, 1);
  late.splice(i + 20, 0, moved!);
  const r2 = run(late, 'too-late');
  assert.equal(r2.stats.gaps, 1);
  assert.equal(r2.stats.late, 1);
  assert.equal(r2.losses, 1);
  assert.ok(r2.units.length < FRAMES);
  assert.equal(r2.errors, '', 'nothing broken decoded');
});

test('parameter sets as single NAL unit packets instead of a STAP-A are taken as well', () => {
  // repacketise: each STAP-A split into one packet per NAL unit, sequence numbers renumbered
  const out: Buffer[] = [];
  for (const p of packets) {
    const rtp = rtpPayload(p)!;
    if ((rtp.payload[0]! & 0x1f) !== 24) {
      out.push(Buffer.from(p));
      continue;
    }
    const header = Buffer.from(p.subarray(0, 12));
    header[1]! &= 0x7f; // the marker goes on the frame's last packet, which follows
    for (let q = 1; q + 2 <= rtp.payload.length;) {
      const size = rtp.payload.readUInt16BE(q);
      out.push(Buffer.concat([header, rtp.payload.subarray(q + 2, q + 2 + size)]));
      q += 2 + size;
    }
  }
  out.forEach((p, n) => p.writeUInt16BE((packets[0]!.readUInt16BE(2) + n) & 0xffff, 2));
  assert.ok(out.length > packets.length, 'the STAP-As were split');
  const r = run(out, 'single');
  assert.equal(r.units.length, FRAMES);
  assert.equal(r.stats.gaps, 0);
  assert.equal(r.errors, '');
  assert.equal(r.decoded, FRAMES);
});

test('timestamps and sequence numbers carry on past their wrap', () => {
  const base = packets[0]!.readUInt32BE(4);
  const wrapped = packets.map((p, n) => {
    const c = Buffer.from(p);
    c.writeUInt32BE((p.readUInt32BE(4) - base + 0xffffffff - 3000 * 20) >>> 0, 4);
    c.writeUInt16BE((0xffff - 40 + n) & 0xffff, 2);
    return c;
  });
  const r = run(wrapped, 'wrapped');
  assert.equal(r.units.length, FRAMES);
  assert.equal(r.stats.gaps, 0);
  const steps = r.units.slice(1).map((u, n) => u.timestamp - r.units[n]!.timestamp);
  assert.ok(
    steps.every((s) => s === 3000),
    `steps ${[...new Set(steps)].join(',')}`,
  );
  assert.equal(r.errors, '');
});

test('a frame that never ends is let go at MAX_FRAME_BYTES, and the stream goes on at the next keyframe', () => {
  const units: AccessUnit[] = [];
  let losses = 0;
  const d = new H264Depacketizer(
    (u) => units.push(u),
    () => (losses += 1),
  );
  const first = packets.findIndex((p, k) => k > 0 && nalType(p) === 24); // the second keyframe's STAP-A
  for (const p of packets.slice(0, first)) d.push(p);
  const framesBefore = units.length;
  // one FU-A start, then middles on one timestamp with no end and no marker: 6 MiB
  const header = Buffer.from(packets[first - 1]!.subarray(0, 12));
  header[1]! &= 0x7f;
  let seq = header.readUInt16BE(2);
  const body = Buffer.alloc(1100, 0xab);
  const heapBefore = process.memoryUsage().arrayBuffers;
  for (let n = 0; n < Math.ceil((6 * 1024 * 1024) / body.length); n++) {
    seq = (seq + 1) & 0xffff;
    header.writeUInt16BE(seq, 2);
    header.writeUInt32BE(0x12345678, 4);
    const fu = Buffer.from([0x7c, n === 0 ? 0x81 : 0x01]);
    d.push(Buffer.concat([header, fu, body]));
  }
  const held = process.memoryUsage().arrayBuffers - heapBefore;
  assert.ok(held < MAX_FRAME_BYTES + 3 * 1024 * 1024, `${(held / 1048576).toFixed(1)} MiB held`);
  // the real stream resumes (renumbered to follow on): its next keyframe plays again
  for (const p of packets.slice(first)) {
    seq = (seq + 1) & 0xffff;
    const c = Buffer.from(p);
    c.writeUInt16BE(seq, 2);
    d.push(c);
  }
  assert.equal(losses, 1, 'one keyframe request');
  assert.equal(units.length, framesBefore + (FRAMES - 30), 'everything from the next keyframe on');
  assert.equal(units[framesBefore]?.keyframe, true);
});

test('a sender that restarts its sequence numbers is followed after a short run, from its next keyframe', () => {
  const units: AccessUnit[] = [];
  const d = new H264Depacketizer((u) => units.push(u));
  const half = packets.findIndex((p, k) => k > 0 && nalType(p) === 24); // the second keyframe
  for (const p of packets.slice(0, half)) d.push(p);
  const before = units.length;
  const restart = packets.slice(half).map((p, n) => {
    const c = Buffer.from(p);
    c.writeUInt16BE((packets[half - 1]!.readUInt16BE(2) + 30000 + 0x8000 + n) & 0xffff, 2); // far behind
    return c;
  });
  for (const p of restart) d.push(p);
  assert.ok(d.stats.late <= 50, `${d.stats.late} taken as late`);
  assert.equal(units[before]?.keyframe, true, 'it starts again on a keyframe');
  assert.equal(units.length, before + (FRAMES - 60), 'everything from the third keyframe on');
});

test('with NACKs: missing packets are asked for once, and when they come again later every frame is kept', () => {
  const units: AccessUnit[] = [];
  const asked: number[][] = [];
  let losses = 0;
  const d = new H264Depacketizer(
    (u) => units.push(u),
    () => (losses += 1),
    (seqs) => asked.push(seqs),
  );
  // packets 200 and 201 lost on the way, sent again 30 packets later (a round trip at ~230 packets a second)
  const lost = [200, 201];
  const order = packets.filter((_, k) => !lost.includes(k));
  order.splice(230, 0, ...lost.map((k) => packets[k]!));
  for (const p of order) d.push(p);
  assert.deepEqual(asked, [lost.map((k) => packets[k]!.readUInt16BE(2))], 'asked for both, once');
  assert.equal(losses, 0, 'no keyframe request');
  assert.equal(d.stats.gaps, 0);
  assert.equal(units.length, FRAMES, 'every frame');
});

test('a NACK packet lists runs as a packet id and a bitmask of the 16 after it (RFC 4585)', () => {
  const b = nackPacket(0xaaaa, 0x1111, [100, 101, 103, 117, 118, 0xffff, 0]);
  assert.equal(b[1], 205);
  assert.equal(b[0]! & 0x1f, 1);
  assert.equal(b.readUInt16BE(2), 2 + 3, 'three FCI entries');
  assert.equal(b.readUInt32BE(8), 0x1111);
  const fci = [0, 1, 2].map((i) => [b.readUInt16BE(12 + 4 * i), b.readUInt16BE(14 + 4 * i)]);
  // 100 with 101 (bit 0) and 103 (bit 2); 117 is 17 after 100: a new entry, with 118 (bit 0); 0 follows 0xffff
  assert.deepEqual(fci, [
    [100, 0b101],
    [117, 0b1],
    [0xffff, 0b1],
  ]);
});
