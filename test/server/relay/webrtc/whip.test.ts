/**
 * WHIP ingest and WHEP egress of the local relay, against a running relay on loopback: a publisher whose H.264 and
 * Opus come from ffmpeg's encoders through a WebRTC peer (node-datachannel), a WHEP viewer, and hostile offers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ffprobe } from '../../../../server/relay/relay/ffmpeg.ts';
import { txSign } from '../../../../server/shared/tx-secret.ts';
import {
  api,
  callbackSink,
  sleep,
  startRelay,
  startRelaying,
  waitFor,
  type RunningRelay,
} from '../support.ts';
import { postSdp, publisherOffer, publishTo, releaseWebRtc, viewOf } from './whip-peers.ts';

let relay: RunningRelay;
let sink: Awaited<ReturnType<typeof callbackSink>>;

before(async () => {
  sink = await callbackSink();
  relay = await startRelay({ callbackUrl: sink.url, callbackKey: 'k', callbackRetryBaseMs: 100 });
});
after(async () => {
  await relay.close();
  await sink.close();
  await new Promise((r) => setTimeout(r, 1000));
  releaseWebRtc();
});

/** UDP sockets this process holds (libdatachannel's are native: node's own handle list does not show them). */
function udpSockets(): number {
  const out = execFileSync('ss', ['-uanp'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(`pid=${process.pid},`)).length;
}

/** Processes this one started that are still running (ffmpeg children). */
function children(): string[] {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((c) => c && c !== 'ps');
  } catch {
    return []; // ps exits 1 when there are none
  }
}

async function createStream(): Promise<{ id: string; token: string }> {
  const c = await api<{ streamId: string; ingest: { url: string } }>(relay.base, 'POST', '/api/streams', {});
  assert.equal(c.status, 201);
  return { id: c.body.streamId, token: new URL(c.body.ingest.url).searchParams.get('token') ?? '' };
}

/** A new stream as a WHIP target (path + Bearer token). */
async function whipTarget(): Promise<{ path: string; token: string }> {
  const { id, token } = await createStream();
  return { path: `/whip/${id}`, token };
}

const idOf = (path: string): string => path.slice('/whip/'.length);

/** Milliseconds until the first byte of `url`, and the bytes read in `ms`. */
async function readTimed(url: string, ms: number): Promise<{ firstByteAt: number; bytes: Buffer }> {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal });
  assert.equal(res.status, 200);
  const chunks: Buffer[] = [];
  let firstByteAt = 0;
  const timer = setTimeout(() => ctrl.abort(), ms);
  try {
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) {
      firstByteAt ||= Date.now();
      chunks.push(Buffer.from(c));
    }
  } catch {
    // aborted after ms
  } finally {
    clearTimeout(timer);
  }
  return { firstByteAt, bytes: Buffer.concat(chunks) };
}

/** Timestamps (ms) of the video frames, the keyframes and the audio frames in FLV bytes (sequence headers left out). */
function flvTimestamps(flv: Buffer): { frames: number[]; keyframes: number[]; audio: number[] } {
  const frames: number[] = [];
  const keyframes: number[] = [];
  const audio: number[] = [];
  for (let p = 13; p + 11 <= flv.length;) {
    const size = flv.readUIntBE(p + 1, 3);
    if (p + 11 + size > flv.length) break;
    const ts = flv.readUIntBE(p + 4, 3) | (flv[p + 7]! << 24);
    if (flv[p] === 9 && flv[p + 12] === 1) frames.push(ts);
    if (flv[p] === 9 && flv[p + 11] === 0x17 && flv[p + 12] === 1) keyframes.push(ts);
    if (flv[p] === 8 && flv[p + 12] === 1) audio.push(ts);
    p += 11 + size + 4;
  }
  return { frames, keyframes, audio };
}

test('a WHIP push plays as HTTP-FLV with its H.264 unchanged, is recorded, and its callbacks 1, 100 and 0 are sent when the publisher DELETEs', async () => {
  const udpBefore = udpSockets();
  const pub = await publishTo(relay.base, whipTarget, 30);
  const postedAt = Date.now() - pub.post.ms;
  const { token } = pub;
  const id = idOf(pub.path);
  try {
    assert.equal(pub.post.status, 201, pub.post.body);
    assert.match(pub.post.contentType ?? '', /^application\/sdp/);
    assert.match(pub.post.location ?? '', new RegExp(`^/whip/${id}/[0-9a-f]+$`));
    assert.match(pub.post.body, /a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host/);
    const started = await startRelaying(relay.base, id, {
      encode: 'flv',
      recordFileTypes: ['flv', 'mp4'],
      recordId: 'whip_42',
    });
    assert.equal(started.status, 200);
    assert.equal(started.body.urls[0]?.encode, 'flv', 'the chosen encode comes first');
    assert.deepEqual(
      started.body.urls.find((u) => u.encode === 'webrtc'),
      { encode: 'webrtc', url: `${relay.base}/whep/${id}` },
      'a WHIP push is offered over WHEP too',
    );
    const requestsBefore = pub.keyframeRequests.length;
    const { firstByteAt, bytes } = await readTimed(`${relay.base}/live/${id}.flv`, 3000);
    const file = join(relay.dataDir, 'whip-live.flv');
    writeFileSync(file, bytes);
    const probe = await ffprobe(file);
    const video = probe.streams.find((s) => s.codec_type === 'video') as Record<string, unknown> | undefined;
    assert.equal(video?.codec_name, 'h264');
    assert.equal(
      video?.profile,
      'Constrained Baseline',
      'the publisher encoded baseline: passed through, not re-encoded',
    );
    assert.deepEqual([video?.width, video?.height], [640, 360]);
    const aac = probe.streams.find((s) => s.codec_type === 'audio') as Record<string, unknown> | undefined;
    assert.equal(aac?.codec_name, 'aac');
    assert.equal(aac?.channels, 2, 'a publisher that said sprop-stereo=1 is heard in stereo');
    // the video (depacketised by the relay) and the audio (through ffmpeg) are on one timeline: the publisher
    // sends both from its start, so the audio next to each keyframe is stamped within a frame or two of it
    const { keyframes, audio } = flvTimestamps(bytes);
    assert.ok(
      keyframes.length >= 2 && audio.length > 50,
      `${keyframes.length} keyframes, ${audio.length} audio`,
    );
    // (a keyframe at the very end of the read may have no audio yet: the hub sends audio with the next frame)
    for (const k of keyframes.filter((k) => audio.some((a) => a > k + 50))) {
      const nearest = Math.min(...audio.map((a) => Math.abs(a - k)));
      assert.ok(nearest <= 30, `audio ${nearest} ms from the keyframe at ${k} ms`);
    }
    const lastAudio = audio[audio.length - 1]!;
    const lastKey = keyframes[keyframes.length - 1]!;
    assert.ok(
      lastAudio > lastKey - 1100,
      `audio keeps up: last audio ${lastAudio} ms, last keyframe ${lastKey} ms`,
    );
    assert.ok(
      pub.keyframeRequests.length > requestsBefore,
      'outputs joining asked the publisher for a keyframe',
    );
    console.log(
      `# WHIP POST → 201: ${pub.post.ms.toFixed(0)} ms; first FLV byte ${firstByteAt - postedAt} ms after the POST was sent`,
    );

    const del = await fetch(pub.resource, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(del.status, 200);
    const types = await waitFor(() => {
      const t = sink.received.filter((c) => c.body.stream_id === id).map((c) => c.body.event_type);
      return t.includes(0) ? t : null;
    }, 'callbacks 1, 100 and 0');
    assert.equal(types[0], 1);
    assert.equal(types.filter((t) => t === 100).length, 2, 'one 100 per recording (flv, mp4)');
    const records = sink.received.filter((c) => c.body.stream_id === id && c.body.event_type === 100);
    for (const r of records) {
      assert.match(String(r.body.stream_param), /whip_42/, 'the record id reaches the callback');
      const probed = await ffprobe(String(r.body.video_url));
      assert.ok(probed.duration > 1, `recording ${String(r.body.file_format)} has a duration`);
      assert.equal(probed.streams.find((s) => s.codec_type === 'video')?.codec_name, 'h264');
    }
    const after = await api<{ ingest: string; error: string | null }>(
      relay.base,
      'GET',
      `/api/streams/${id}`,
    );
    assert.equal(after.body.ingest, 'ended');
    assert.equal(after.body.error, null);
  } finally {
    pub.close();
  }
  await waitFor(() => udpSockets() <= udpBefore, 'the push’s UDP sockets closed', 5000);
  await waitFor(() => !children().includes('ffmpeg'), 'ffmpeg gone', 5000);
});

test('a WHEP viewer joining mid-stream gets a keyframe within 1 s, asks the publisher for it, and DELETE ends it', async () => {
  const pub = await publishTo(relay.base, whipTarget, 30);
  const id = idOf(pub.path);
  try {
    assert.equal(pub.post.status, 201);
    await sleep(1500); // mid-GOP of a 1 s GOP, on average
    const requestsBefore = pub.keyframeRequests.length;
    const v = await viewOf(`${relay.base}/whep/${id}`);
    assert.equal(
      v.post.status,
      201,
      `${v.post.body} ${JSON.stringify((await api(relay.base, 'GET', `/api/streams/${id}`)).body)}`,
    );
    const connected = await v.connectedAt;
    const keyframe = await Promise.race([v.firstKeyframeAt, sleep(3000).then(() => 0)]);
    assert.ok(keyframe > 0, 'a keyframe arrived');
    console.log(
      `# WHEP: connected → keyframe ${keyframe - connected} ms; POST → 201 ${v.post.ms.toFixed(0)} ms`,
    );
    assert.ok(keyframe - connected <= 1000, `keyframe ${keyframe - connected} ms after connecting`);
    assert.ok(pub.keyframeRequests.length > requestsBefore, 'the viewer’s arrival reached the publisher');
    await sleep(500);
    assert.ok(v.audioPackets > 0, 'Opus forwarded too');
    // the publisher's sender reports reach the viewer, under the SSRC of the RTP it gets (lip-sync), and the
    // publisher gets receiver reports that answer them (its round-trip time)
    for (const kind of ['video', 'audio'] as const) {
      const sr = await waitFor(
        () => v.senderReports.find((r) => r.kind === kind),
        `a ${kind} sender report`,
        12_000,
      );
      assert.equal(sr.ssrc, v.rtpSsrc[kind], `the ${kind} report is about the ${kind} RTP the viewer gets`);
      assert.ok(
        Math.abs(sr.ntpMs - Date.now()) < 15_000,
        `${kind} report NTP ${new Date(sr.ntpMs).toISOString()}`,
      );
    }
    const rr = await waitFor(
      () => pub.receiverReports.find((r) => r.lsr !== 0),
      'a receiver report answering a sender report',
    );
    assert.equal(rr.ssrc, 0x1111, 'about the publisher’s video');
    const del = await fetch(new URL(v.post.location ?? '', relay.base), { method: 'DELETE' });
    assert.equal(del.status, 200);
    const n = v.videoPackets;
    await sleep(500);
    assert.ok(v.videoPackets - n < 30, 'nothing more is sent after DELETE');
    v.close();
    const status = await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${id}`);
    assert.equal(status.body.ingest, 'ingesting', 'the push goes on');
    await fetch(pub.resource, { method: 'DELETE', headers: { authorization: `Bearer ${pub.token}` } });
  } finally {
    pub.close();
  }
  await waitFor(
    async () =>
      (await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${id}`)).body.ingest === 'ended',
    'the push ended',
  );
  await waitFor(() => !children().includes('ffmpeg'), 'ffmpeg gone', 5000);
});

/**
 * A UDP relay between a publisher and the relay's candidate that loses the first copy of every `every`-th video RTP
 * packet (SRTP leaves the RTP header readable) and counts the NACKs coming back (SRTCP leaves the RTCP header so).
 */
async function lossyPath(every: number): Promise<{
  port: number;
  target: number;
  dropped: number;
  nacks: number;
  close(): void;
}> {
  const s = createSocket('udp4');
  let publisher: RemoteInfo | null = null;
  const seen = new Set<number>();
  let videoPackets = 0;
  const state = { port: 0, target: 0, dropped: 0, nacks: 0, close: () => s.close() };
  s.on('message', (m, from) => {
    if (from.port === state.target) {
      if (m.length >= 2 && m[1] === 205) state.nacks += 1;
      if (publisher) s.send(m, publisher.port, publisher.address);
      return;
    }
    publisher ??= from;
    if (m.length >= 12 && m[0]! >> 6 === 2 && (m[1]! & 0x7f) === 102) {
      const seq = m.readUInt16BE(2);
      const first = !seen.has(seq);
      seen.add(seq);
      if (first && ++videoPackets % every === 0) {
        state.dropped += 1;
        return; // lost on the way; the copy sent again passes
      }
    }
    if (state.target) s.send(m, state.target, '127.0.0.1');
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  state.port = s.address().port;
  return state;
}

test('on a path losing 1 video packet in 25, the relay asks for each again (NACK) and the FLV keeps every frame', async () => {
  const path = await lossyPath(25);
  const pub = await publishTo(relay.base, whipTarget, 20, 'h264', 'stereo', {
    nackResponder: true,
    // the publisher reaches the relay's candidate through the lossy path
    answer: (sdp) =>
      sdp.replace(/(a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 )(\d+)/, (_, head: string, port: string) => {
        path.target = Number(port);
        return `${head}${path.port}`;
      }),
  });
  const id = idOf(pub.path);
  try {
    assert.equal(pub.post.status, 201, pub.post.body);
    assert.ok(path.target > 0, 'the answer had a candidate');
    const started = await startRelaying(relay.base, id, { encode: 'flv' });
    assert.equal(started.status, 200);
    const requestsBefore = pub.keyframeRequests.length;
    const { bytes } = await readTimed(`${relay.base}/live/${id}.flv`, 5000);
    assert.ok(path.dropped >= 20, `${path.dropped} packets lost on the way`);
    assert.ok(path.nacks >= path.dropped / 2, `${path.nacks} NACKs for ${path.dropped} losses`);
    // every frame there: 30 fps, no step between frames longer than a frame or two
    const { frames } = flvTimestamps(bytes);
    const steps = frames.slice(1).map((t, i) => t - frames[i]!);
    assert.ok(frames.length >= 120, `${frames.length} frames in 5 s`);
    assert.ok(Math.max(...steps) <= 70, `longest step between frames ${Math.max(...steps)} ms`);
    // the ingest asks for one a second anyway (a browser's encoder sends none unasked); asking at each loss would
    // add up to three a second (the rate limit), 15 more
    const asked = pub.keyframeRequests.length - requestsBefore;
    assert.ok(asked <= 10, `${asked} keyframe requests in 5 s with ${path.dropped} losses`);
    const file = join(relay.dataDir, 'whip-lossy.flv');
    writeFileSync(file, bytes);
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(decode.stderr.trim(), '', 'decodes without an error');
    await fetch(pub.resource, { method: 'DELETE', headers: { authorization: `Bearer ${pub.token}` } });
  } finally {
    pub.close();
    path.close();
  }
  await waitFor(() => !children().includes('ffmpeg'), 'ffmpeg gone', 5000);
});

test('a WHIP push offering VP8 but no H.264 is accepted and plays as H.264 FLV (re-encoded), and over WHEP from its hub', async () => {
  const pub = await publishTo(relay.base, whipTarget, 20, 'vp8', 'mono');
  const id = idOf(pub.path);
  try {
    assert.equal(pub.post.status, 201, pub.post.body);
    assert.match(pub.post.body, /a=rtpmap:\d+ VP8\/90000/, 'the answer takes VP8');
    const started = await startRelaying(relay.base, id, { encode: 'flv' });
    assert.equal(started.status, 200);
    assert.deepEqual(
      started.body.urls.map((u) => u.encode),
      ['flv', 'hls', 'webrtc'],
      'WHEP plays it from the hub (H.264 after the re-encode)',
    );
    const { bytes } = await readTimed(`${relay.base}/live/${id}.flv`, 3000);
    const file = join(relay.dataDir, 'whip-vp8.flv');
    writeFileSync(file, bytes);
    const probe = await ffprobe(file);
    const video = probe.streams.find((s) => s.codec_type === 'video');
    assert.equal(video?.codec_name, 'h264', 'VP8 arrives in the FLV as H.264');
    assert.deepEqual([video?.width, video?.height], [640, 360]);
    const aac = probe.streams.find((s) => s.codec_type === 'audio') as Record<string, unknown> | undefined;
    assert.equal(aac?.codec_name, 'aac');
    assert.equal(aac?.channels, 1, 'Opus offered as Chromium does (no sprop-stereo) becomes mono AAC');
    const v = await viewOf(`${relay.base}/whep/${id}`);
    assert.equal(v.post.status, 201, v.post.body);
    await v.firstKeyframeAt;
    assert.equal(
      v.firstVideoCarriedSps,
      true,
      'the WHEP viewer starts on a keyframe of the re-encoded H.264',
    );
    await fetch(new URL(v.post.location ?? '', relay.base), { method: 'DELETE' });
    v.close();
    await fetch(pub.resource, { method: 'DELETE', headers: { authorization: `Bearer ${pub.token}` } });
  } finally {
    pub.close();
  }
  await waitFor(() => !children().includes('ffmpeg'), 'ffmpeg gone', 5000);
});

test('an offer with both VP8 and H.264 is answered with H.264', async () => {
  const { pc, sdp } = await publisherOffer();
  pc.close();
  const target = await whipTarget();
  // VP8 listed first, as Chrome lists it
  const both = sdp
    .replace(/(m=video \d+ \S+) 102/, '$1 100 102')
    .replace(/(a=rtpmap:102 H264\/90000)/, 'a=rtpmap:100 VP8/90000\r\n$1');
  assert.match(
    both,
    /m=video \d+ \S+ 100 102\r?\n[\s\S]*a=rtpmap:100 VP8\/90000/,
    'the offer lists VP8 first',
  );
  const post = await postSdp(`${relay.base}${target.path}`, both, target.token);
  assert.equal(post.status, 201, post.body);
  assert.match(post.body, /a=rtpmap:102 H264\/90000/);
  assert.doesNotMatch(post.body, /VP8/);
  await fetch(new URL(post.location ?? '', relay.base), {
    method: 'DELETE',
    headers: { authorization: `Bearer ${target.token}` },
  });
  await waitFor(() => !children().includes('ffmpeg'), 'ffmpeg gone', 10000);
});

test('bad SDP bodies and unauthenticated WHIP POSTs are refused with nothing allocated, and a good one still works', async () => {
  const { id, token } = await createStream();
  const { pc, sdp: good } = await publisherOffer();
  pc.close();
  const udpBefore = udpSockets();
  const childrenBefore = children().length;
  const url = `${relay.base}/whip/${id}`;
  const crafted = [
    '',
    'hello',
    good.replace(/a=rtpmap:102 H264\/90000/, 'a=rtpmap:102 VP9/90000').replace(/m=audio[\s\S]*$/, ''),
    good.replace(/a=fingerprint:.*\r?\n/, ''),
    good.replace(/a=ice-ufrag:.*\r?\n/g, ''),
    good.replace(/m=video[\s\S]*$/, ''),
    good.replace(/a=mid:0/, 'a=mid:1'),
    good.replace(/a=sendonly/g, 'a=recvonly'),
    good.replace('v=0', 'v=1'),
    good.replace(/a=rtpmap:102 H264\/90000/, 'a=rtpmap:999 H264/90000'),
    good.replace(/m=video \d+/, 'm=video x'),
    `${good}\nnot a line`,
  ];
  const fuzzed = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(fc.constantFrom(...good.split(/\r?\n/)), { maxLength: 40 }).map((l) => l.join('\r\n')),
    ),
    { numRuns: 30 - crafted.length, seed: 23 },
  );
  const bodies = [...crafted, ...fuzzed];
  assert.equal(bodies.length, 30);
  for (const body of bodies) {
    const r = await postSdp(url, body, token);
    // a fuzzed body may happen to be a usable offer; then it is a push, which must be DELETEd
    if (r.status === 201) assert.fail(`a malformed body was accepted: ${body.slice(0, 200)}`);
    assert.equal(r.status, 400, `${r.status} ${r.body} for ${JSON.stringify(body.slice(0, 80))}`);
  }
  const unauthenticated = [
    await postSdp(url, good),
    await postSdp(url, good, 'wrong'),
    // one character changed (never the same one: a token ending in 0 would otherwise stay valid)
    await postSdp(url, good, `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`),
    await postSdp(`${relay.base}/whip/s_doesnotexist`, good, token),
  ];
  assert.deepEqual(
    unauthenticated.map((r) => r.status),
    [403, 403, 403, 404],
  );
  assert.equal((await postSdp(url, good, token, 'application/json')).status, 415);
  assert.equal((await postSdp(url, good, token, 'text/plain')).status, 415);
  assert.equal(udpSockets(), udpBefore, 'no UDP socket left open by refusals');
  assert.equal(children().length, childrenBefore, 'no process started by refusals');
  const still = await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${id}`);
  assert.equal(still.body.ingest, 'waiting');

  let first = true;
  const pub = await publishTo(
    relay.base,
    async () => (first ? ((first = false), { path: `/whip/${id}`, token }) : whipTarget()),
    10,
  );
  try {
    assert.equal(pub.post.status, 201, 'a legitimate publisher is still served');
    assert.equal(
      (await postSdp(`${relay.base}${pub.path}`, good, pub.token)).status,
      409,
      'one ingest per stream',
    );
    await fetch(pub.resource, { method: 'DELETE', headers: { authorization: `Bearer ${pub.token}` } });
  } finally {
    pub.close();
  }
});

test('with a push key, WHIP takes the stream’s own credential as Bearer {txTime}.{txSecret} and WHEP the play credential', async () => {
  const keyed = await startRelay({ pushKey: 'push-k', playKey: 'play-k' });
  try {
    const exp = Math.floor(Date.now() / 1000) + 600;
    let n = 0;
    const keyedTarget = async (): Promise<{ path: string; token: string }> => {
      const id = `whip_keyed_${++n}`;
      const own = txSign('push-k', id, exp);
      const q = `txSecret=${own.txSecret}&txTime=${own.txTime}`;
      const c = await api(keyed.base, 'POST', `/api/streams?${q}`, { streamId: id });
      assert.equal(c.status, 201);
      return { path: `/whip/${id}`, token: `${own.txTime}.${own.txSecret}` };
    };
    const first = await keyedTarget();
    const other = txSign('push-k', 'whip_keyed_1', exp + 60);
    const { pc, sdp } = await publisherOffer();
    pc.close();
    const url = `${keyed.base}${first.path}`;
    assert.equal(
      (await postSdp(url, sdp, `${other.txTime}.${other.txSecret}`)).status,
      403,
      'another credential',
    );
    assert.equal((await postSdp(url, sdp)).status, 403, 'no credential');
    assert.equal(
      (await postSdp(url, sdp, first.token.replace('.', ':'))).status,
      403,
      'not the token format',
    );
    let reuse = true;
    const pub = await publishTo(
      keyed.base,
      async () => (reuse ? ((reuse = false), first) : keyedTarget()),
      10,
    );
    const id = idOf(pub.path);
    try {
      assert.equal(pub.post.status, 201, pub.post.body);
      const refused = await viewOf(`${keyed.base}/whep/${id}`);
      refused.close();
      assert.equal(refused.post.status, 403, 'no play credential');
      const play = txSign('play-k', id, exp);
      const v = await viewOf(`${keyed.base}/whep/${id}?txSecret=${play.txSecret}&txTime=${play.txTime}`);
      assert.equal(v.post.status, 201);
      v.close();
      const own = txSign('push-k', id, exp);
      const started = await api<{ urls: { encode: string; url: string }[] }>(
        keyed.base,
        'POST',
        `/api/streams/${id}/relay?txSecret=${own.txSecret}&txTime=${own.txTime}`,
        { encode: 'hls' },
      );
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const webrtc = started.body.urls.find((u) => u.encode === 'webrtc')?.url ?? '';
      assert.match(webrtc, new RegExp(`^${keyed.base}/whep/${id}\\?txSecret=[0-9a-f]+&txTime=[0-9A-F]+$`));
      const fromAnswer = await viewOf(webrtc);
      fromAnswer.close();
      assert.equal(fromAnswer.post.status, 201, 'the start answer’s WHEP URL carries the play credential');
    } finally {
      pub.close();
    }
  } finally {
    await keyed.close();
  }
});
