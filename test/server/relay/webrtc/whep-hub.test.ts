/**
 * WHEP for streams that are not H.264 WHIP pushes: a stream pushed over the WebSocket ingest (real WebM made by
 * ffmpeg, H.264 + Opus, as MediaRecorder sends it) plays to node-datachannel WHEP viewers, packetised from the hub by
 * one ffmpeg shared by all its viewers (`server/relay/webrtc/hub-rtp-source.ts`).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startsKeyframe } from '../../../../server/relay/webrtc/hub-rtp-source.ts';
import { api, createAndPush, startRelay, startRelaying, waitFor, type RunningRelay } from '../support.ts';
import { postSdp, releaseWebRtc, viewOf, type Viewer } from './whip-peers.ts';

let relay: RunningRelay;
before(async () => {
  relay = await startRelay();
});
after(async () => {
  await relay.close();
  releaseWebRtc();
});

/** ffmpeg processes this test process started (the ingest's, the relay's, the WHEP source's). */
async function settledFfmpegs(): Promise<number> {
  // ffmpegs of an earlier stream may still be exiting: wait until the count holds for half a second
  let n = ffmpegs();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const m = ffmpegs();
    if (m === n) return m;
    n = m;
  }
  return n;
}

function ffmpegs(): number {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((c) => c === 'ffmpeg').length;
  } catch {
    return 0;
  }
}

/** Leaves as a WHEP client should: DELETE the session (RFC 9725), then close the peer. */
async function leave(v: Viewer): Promise<void> {
  const res = await fetch(new URL(v.post.location ?? '', relay.base), { method: 'DELETE' });
  assert.equal(res.status, 200);
  v.close();
}

/** Waits until the relay says the stream is ingesting. */
async function ingesting(streamId: string): Promise<void> {
  await waitFor(
    async () =>
      (await api<{ ingest: string }>(relay.base, 'GET', `/api/streams/${streamId}`)).body.ingest ===
      'ingesting',
    'the push ingesting',
  );
}

test('a WebSocket push plays over WHEP: keyframe first, H.264 and Opus, one shared ffmpeg, gone after the last viewer', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 60 });
  try {
    const started = await startRelaying(relay.base, streamId, { encode: 'flv' });
    assert.equal(started.status, 200);
    const whep = started.body.urls.find((u) => u.encode === 'webrtc')?.url;
    assert.equal(whep, `${relay.base}/whep/${streamId}`, 'the start answer lists the WHEP URL');
    await ingesting(streamId);
    const before = await settledFfmpegs();
    const first = await viewOf(whep!);
    assert.equal(first.post.status, 201, first.post.body);
    await first.firstKeyframeAt;
    assert.equal(first.firstVideoCarriedSps, true, 'the first video packet a viewer gets starts a keyframe');
    await waitFor(() => first.audioPackets > 10, 'Opus packets arriving', 10_000);
    assert.equal(ffmpegs(), before + 1, 'one ffmpeg packetises the stream');
    // sender reports under each track's own SSRC, dated by the wall clock: what a browser syncs audio and video by
    for (const kind of ['video', 'audio'] as const) {
      const sr = await waitFor(
        () => first.senderReports.find((r) => r.kind === kind),
        `a ${kind} sender report`,
        12_000,
      );
      assert.equal(
        sr.ssrc,
        first.rtpSsrc[kind],
        `the ${kind} report is about the ${kind} RTP the viewer gets`,
      );
      assert.ok(
        Math.abs(sr.ntpMs - Date.now()) < 15_000,
        `${kind} report NTP time ${new Date(sr.ntpMs).toISOString()}`,
      );
    }

    // a second viewer joins mid-GOP: it is handed the current GOP, so it too starts on a keyframe
    const second = await viewOf(whep!);
    assert.equal(second.post.status, 201, second.post.body);
    await second.firstKeyframeAt;
    assert.equal(second.firstVideoCarriedSps, true);
    await waitFor(() => second.videoPackets > 50 && second.audioPackets > 10, 'the second viewer receiving');
    assert.equal(ffmpegs(), before + 1, 'both viewers share it');

    await leave(first);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(ffmpegs(), before + 1, 'still one while a viewer watches');
    await leave(second);
    await waitFor(() => ffmpegs() === before, 'the WHEP ffmpeg stopped after the last viewer', 5000);
  } finally {
    await pusher.stop();
  }
});

test('video-only and audio-only WHEP offers are answered with just that track', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 60 });
  try {
    await ingesting(streamId);
    const url = `${relay.base}/whep/${streamId}`;
    const video = await viewOf(url, undefined, { video: true, audio: false });
    assert.equal(video.post.status, 201, video.post.body);
    assert.equal((video.post.body.match(/^m=/gm) ?? []).length, 1, video.post.body);
    await video.firstKeyframeAt;
    const audio = await viewOf(url, undefined, { video: false, audio: true });
    assert.equal(audio.post.status, 201, audio.post.body);
    assert.match(audio.post.body, /^m=audio /m);
    await waitFor(() => audio.audioPackets > 10, 'Opus to the audio-only viewer', 10_000);
    await leave(video);
    await leave(audio);
  } finally {
    await pusher.stop();
  }
});

test('an offer that receives neither H.264 nor Opus is refused with 400 and starts nothing', async () => {
  const { streamId, pusher } = await createAndPush(relay.base, { seconds: 30 });
  try {
    await ingesting(streamId);
    const before = await settledFfmpegs();
    const vp8Only = [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'a=group:BUNDLE 0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'c=IN IP4 0.0.0.0',
      'a=mid:0',
      'a=recvonly',
      'a=rtcp-mux',
      'a=ice-ufrag:abcd',
      'a=ice-pwd:abcdefghijklmnopqrstuvwx',
      'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
      'a=setup:actpass',
      'a=rtpmap:96 VP8/90000',
      '',
    ].join('\r\n');
    const res = await postSdp(`${relay.base}/whep/${streamId}`, vp8Only);
    assert.equal(res.status, 400, res.body);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(ffmpegs() <= before, 'no ffmpeg for a refused offer');
  } finally {
    await pusher.stop();
  }
});

test('WHEP for a stream with no ingest is 409 NOT_INGESTING', async () => {
  const created = await api<{ streamId: string }>(relay.base, 'POST', '/api/streams', {});
  const res = await postSdp(`${relay.base}/whep/${created.body.streamId}`, 'v=0\r\n');
  assert.equal(res.status, 409, res.body);
  assert.match(res.body, /NOT_INGESTING/);
});

test('startsKeyframe: SPS or IDR, alone, first in a STAP-A, or starting a FU-A', () => {
  const rtp = (payload: number[]): Buffer =>
    Buffer.from([0x80, 102, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, ...payload]);
  assert.equal(startsKeyframe(rtp([0x67, 1])), true, 'SPS');
  assert.equal(startsKeyframe(rtp([0x65, 1])), true, 'IDR');
  assert.equal(startsKeyframe(rtp([0x41, 1])), false, 'P slice');
  assert.equal(startsKeyframe(rtp([0x78, 0, 2, 0x67, 1])), true, 'STAP-A with an SPS first');
  assert.equal(startsKeyframe(rtp([0x7c, 0x85, 1])), true, 'FU-A start of an IDR');
  assert.equal(startsKeyframe(rtp([0x7c, 0x05, 1])), false, 'FU-A middle of an IDR');
  assert.equal(startsKeyframe(Buffer.from([0x80, 102, 0])), false, 'too short');
});
