/**
 * `<relay-player>` playing a `{ encode: "webrtc" }` source (WHEP) from the REAL local relay, of a WHIP push this
 * page makes with the fake camera: the picture, the stats a dashboard reads, the session ended on the server when
 * the player goes, and the fall back to the same stream's FLV when the WHEP server refuses.
 */
import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { exchangeSdp, iceGatheringComplete, type SdpResource } from '../../src/webrtc/sdp-resource.js';
import { mount } from '../support/player.js';
import { uid, until } from '../support/until.js';

let relay: string;
let stub: string;

before(async () => {
  const info = (await (await fetch('/relay-support/info')).json()) as { url?: string; error?: string };
  if (!info.url) throw new Error(`the relay did not start: ${info.error}`);
  relay = info.url;
  stub = ((await (await fetch('/sdp-stubs/info')).json()) as { url: string }).url;
});

interface Push {
  id: string;
  pc: RTCPeerConnection;
  whip: SdpResource;
  stream: MediaStream;
  end(): Promise<void>;
}

/** A WHIP push of the fake camera to the relay (H.264 first, as the relay passes H.264 through). */
async function whipPush(): Promise<Push> {
  const created = await fetch(`${relay}/api/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ streamId: uid('whep') }),
  });
  expect(created.status).to.equal(201);
  const { streamId: id, ingest } = (await created.json()) as { streamId: string; ingest: { url: string } };
  const token = new URL(ingest.url).searchParams.get('token')!;
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: 320, height: 240 },
    audio: true,
  });
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  for (const track of stream.getTracks()) {
    const t = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    if (track.kind === 'video') {
      const codecs = RTCRtpSender.getCapabilities('video')!.codecs;
      t.setCodecPreferences([
        ...codecs.filter((c) => /h264/i.test(c.mimeType)),
        ...codecs.filter((c) => !/h264/i.test(c.mimeType)),
      ]);
    }
  }
  await pc.setLocalDescription(await pc.createOffer());
  await iceGatheringComplete(pc);
  const whip = await exchangeSdp(pc.localDescription!.sdp, {
    protocol: 'WHIP',
    module: 'push',
    endpoint: `${relay}/whip/${id}`,
    token,
  });
  await pc.setRemoteDescription({ type: 'answer', sdp: whip.answer });
  await until('the WHIP push connects', () => pc.connectionState === 'connected');
  await until('the relay ingests it', async () => {
    const s = (await (await fetch(`${relay}/api/streams/${id}`)).json()) as { ingesting: boolean };
    return s.ingesting;
  });
  return {
    id,
    pc,
    whip,
    stream,
    async end() {
      await whip.delete();
      pc.close();
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

/** A `<live-push-controls>` on the page that pushes to the relay over the WebSocket ingest (FLV relay). */
function websocketPush(): HTMLElement & {
  start(): Promise<{ streamId: string; urls: { encode: string }[] }>;
  stop(): Promise<void>;
} {
  const push = document.createElement('live-push-controls') as ReturnType<typeof websocketPush>;
  push.setAttribute('endpoint', relay);
  push.setAttribute('transport', 'websocket');
  push.setAttribute('encode', 'flv');
  document.body.append(push);
  return push;
}

/** A page's own recvonly peer for `kinds`, its WHEP offer sent to the relay for `streamId` (the answer not applied). */
async function offerWhep(
  streamId: string,
  kinds: ('audio' | 'video')[],
): Promise<{ pc: RTCPeerConnection; res: Awaited<ReturnType<typeof exchangeSdp>> }> {
  const pc = new RTCPeerConnection();
  for (const kind of kinds) pc.addTransceiver(kind, { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await iceGatheringComplete(pc);
  const res = await exchangeSdp(pc.localDescription!.sdp, {
    protocol: 'WHEP',
    module: 'player',
    endpoint: `${relay}/whep/${streamId}`,
  });
  return { pc, res };
}

const video = (el: HTMLElement): HTMLVideoElement => el.shadowRoot!.querySelector('video')!;

/** Resource-timing entries for requests to `path` on the relay (a session's DELETE goes to its own URL). */
const requestsTo = (prefix: string): string[] =>
  performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((n) => n.startsWith(prefix));

describe('<relay-player> over WebRTC (WHEP)', () => {
  it("Chromium accepts the relay's answer to a video-only and to an audio-only WHEP offer", async () => {
    const push = await whipPush();
    try {
      for (const kind of ['video', 'audio'] as const) {
        const { pc, res } = await offerWhep(push.id, [kind]);
        expect(res.answer.match(/^m=/gm), kind).to.have.length(1);
        await pc.setRemoteDescription({ type: 'answer', sdp: res.answer }); // throws if Chromium refuses it
        await until(`${kind}-only WHEP connects`, () => pc.connectionState === 'connected');
        await res.delete();
        pc.close();
      }
    } finally {
      await push.end();
    }
  });

  /** The kinds a Chromium peer has had RTCP sender reports about (its remote-outbound-rtp entries). */
  const reportedKinds = async (pc: RTCPeerConnection): Promise<string[]> => {
    const kinds: string[] = [];
    (await pc.getStats()).forEach((s: { type: string; kind?: string; remoteTimestamp?: number }) => {
      if (s.type === 'remote-outbound-rtp' && s.kind && s.remoteTimestamp) kinds.push(s.kind);
    });
    return kinds.sort();
  };

  /** This page's own WHEP viewer of `streamId`, once it has had sender reports about both tracks. */
  const viewerWithSenderReports = async (
    streamId: string,
  ): Promise<Awaited<ReturnType<typeof offerWhep>>> => {
    const { pc, res } = await offerWhep(streamId, ['audio', 'video']);
    await pc.setRemoteDescription({ type: 'answer', sdp: res.answer });
    // Chromium makes a remote-outbound-rtp entry for a received stream once an RTCP sender report about it came
    await until(
      'sender reports for audio and video',
      async () => (await reportedKinds(pc)).length === 2,
      15000,
    );
    expect(await reportedKinds(pc)).to.deep.equal(['audio', 'video']);
    return { pc, res };
  };

  it('a WHEP viewer of a WebSocket push gets sender reports for both tracks (what Chromium syncs audio and video by)', async () => {
    const push = websocketPush();
    try {
      const live = await push.start();
      const { pc, res } = await viewerWithSenderReports(live.streamId);
      await res.delete();
      pc.close();
    } finally {
      await push.stop();
      push.remove();
    }
  });

  it("a WHEP viewer of a Chromium WHIP push gets the publisher's sender reports for both tracks", async () => {
    const push = await whipPush();
    try {
      const { pc, res } = await viewerWithSenderReports(push.id);
      // and the publisher, Chromium, hears back: the relay's receiver reports give it a round-trip time
      const rtt = async (): Promise<number | undefined> => {
        let t: number | undefined;
        (await push.pc.getStats()).forEach((s: { type: string; kind?: string; roundTripTime?: number }) => {
          if (s.type === 'remote-inbound-rtp' && s.kind === 'video') t = s.roundTripTime;
        });
        return t;
      };
      await until('a round-trip time at the publisher', async () => (await rtt()) !== undefined, 15000);
      await res.delete();
      pc.close();
    } finally {
      await push.end();
    }
  });

  it("plays the relay's WHEP output of a WebSocket push (packetised from the stream's hub)", async () => {
    const push = websocketPush();
    try {
      const live = await push.start();
      // this page pushed over the WebSocket (no WebRTC here, as far as it knows): its followers are not sent to WHEP
      expect(live.urls.map((u) => u.encode)).not.to.include('webrtc');
      const { el, rec } = await mount(
        { autoplay: true, muted: true },
        { sources: [{ encode: 'webrtc', url: `${relay}/whep/${live.streamId}` }] },
      );
      await until(
        `a picture over WebRTC (errors ${JSON.stringify(rec.errors)}, fallbacks ${JSON.stringify(rec.fallbacks)})`,
        () => video(el).videoWidth > 0 && video(el).currentTime > 0.5,
        20_000,
      );
      expect(el.protocol).to.equal('webrtc');
      expect(rec.fallbacks).to.deep.equal([]);
      el.remove();
    } finally {
      await push.stop();
      push.remove();
    }
  });

  it("plays the relay's WHEP output of a WHIP push: picture, protocol, WebRTC stats", async () => {
    const push = await whipPush();
    try {
      const { el, rec } = await mount(
        { autoplay: true, muted: true },
        { sources: [{ encode: 'webrtc', url: `${relay}/whep/${push.id}` }] },
      );
      await until(
        `a picture over WebRTC (errors ${JSON.stringify(rec.errors)}, fallbacks ${JSON.stringify(rec.fallbacks)})`,
        () => video(el).videoWidth > 0 && video(el).currentTime > 0.5,
      );
      expect(el.protocol).to.equal('webrtc');
      expect(rec.states.at(-1)).to.include({ state: 'playing', protocol: 'webrtc' });
      expect(video(el).videoWidth).to.equal(320);
      const stats = await until('WebRTC stats', () => {
        const s = el.getStats();
        // RTT comes with the first STUN round trip on the pair in use
        // (and the bitrate with the second sample)
        return s.webrtc && (s.webrtc.framesDecoded ?? 0) > 10 && s.webrtc.rtt !== null && s.bitrate !== null
          ? s
          : null;
      });
      expect(stats.webrtc!.rtt).to.be.a('number').within(0, 0.5);
      expect(stats.webrtc!.packetsLost).to.be.a('number');
      expect(stats.latency).to.be.a('number').within(0, 2);
      expect(stats.bitrate).to.be.a('number').greaterThan(0);
      expect(rec.fallbacks).to.deep.equal([]);
      el.remove();
    } finally {
      await push.end();
    }
  });

  it('ends its WHEP session on the server when the player goes', async () => {
    const push = await whipPush();
    try {
      const { el } = await mount(
        { autoplay: true, muted: true },
        { sources: [{ encode: 'webrtc', url: `${relay}/whep/${push.id}` }] },
      );
      await until('a picture', () => video(el).currentTime > 0.3);
      const session = `${relay}/whep/${push.id}/`;
      expect(requestsTo(session)).to.deep.equal([]);
      el.remove();
      // the DELETE of the session's own URL (the POST went to /whep/{id})
      const [deleted] = await until('the DELETE of the WHEP session', () => {
        const r = requestsTo(session);
        return r.length ? r : null;
      });
      const again = await fetch(deleted!, { method: 'DELETE' });
      expect(again.status, 'the session is gone on the relay').to.equal(404);
    } finally {
      await push.end();
    }
  });

  for (const scenario of ['status-404', 'text-500']) {
    it(`a WHEP server answering ${scenario.slice(-3)}: falls back to the stream's FLV, and the viewer sees the picture`, async function () {
      this.timeout(60000); // a WHIP push, then the relay's FLV of it (first byte ≈ 1 s after the relay starts)
      const push = await whipPush();
      try {
        const relayed = await fetch(`${relay}/api/streams/${push.id}/relay`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ encode: 'flv' }),
        });
        expect(relayed.status).to.equal(200);
        const { urls } = (await relayed.json()) as { urls: { encode: string; url: string }[] };
        const flv = urls.find((u) => u.encode === 'flv')!;
        const { el, rec } = await mount(
          { autoplay: true, muted: true },
          // the author's order puts FLV first: the player still tries WebRTC first
          {
            sources: [
              flv as { encode: 'flv'; url: string },
              { encode: 'webrtc', url: `${stub}/${scenario}/whep/${push.id}` },
            ],
          },
        );
        await until('a picture over FLV', () => video(el).currentTime > 0.5, 30000);
        expect(el.protocol).to.equal('flv');
        expect(rec.fallbacks).to.have.length(1);
        expect(rec.fallbacks[0]!.from.encode).to.equal('webrtc');
        expect(rec.fallbacks[0]!.reason).to.contain(scenario.slice(-3)).and.contain('WHEP');
        el.remove();
      } finally {
        await push.end();
      }
    });
  }
});

describe('<relay-player> over WebRTC: a session the server ends', () => {
  it('reconnects with a new WHEP session (the relay takes no ICE restart) and the picture comes back', async function () {
    this.timeout(60000);
    // observe (not change) the page's requests: the Location of each WHEP session the player opens
    const sessions: string[] = [];
    const realFetch = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await realFetch(input, init);
      const loc = res.headers.get('location');
      if (init?.method === 'POST' && loc && String(input).includes('/whep/'))
        sessions.push(new URL(loc, String(input)).href);
      return res;
    };
    const push = await whipPush();
    try {
      const { el, rec } = await mount(
        { autoplay: true, muted: true },
        { sources: [{ encode: 'webrtc', url: `${relay}/whep/${push.id}` }] },
      );
      await until('a picture', () => video(el).currentTime > 0.5);
      expect(sessions).to.have.length(1);
      // the server ends the viewer's session (as an operator or a restart would)
      expect((await realFetch(sessions[0]!, { method: 'DELETE' })).status).to.equal(200);
      await until('a second WHEP session', () => sessions.length >= 2, 30000);
      const t = video(el).currentTime;
      await until('the picture moving again', () => video(el).currentTime > t + 0.5, 20000);
      expect(el.protocol).to.equal('webrtc');
      expect(rec.errors.filter((e) => e.fatal)).to.deep.equal([]);
      el.remove();
    } finally {
      window.fetch = realFetch;
      await push.end();
    }
  });
});
