/**
 * WebRTC playback over WHEP: a `{ encode: "webrtc", url }` source is a WHEP endpoint. A recvonly peer (video +
 * audio) `POST`s its offer, plays the answer's tracks through the media element's `srcObject`, and `DELETE`s the
 * session when the engine is destroyed or the page unloads. Fetched on first use (a lazy module of its own), so
 * pages that never play WebRTC never download it.
 *
 * The offer carries every candidate (gathering is awaited, bounded): it works with servers that do not take
 * trickle `PATCH`es, and on a LAN or loopback gathering takes 130–240 ms. A connection that drops is restarted
 * with an ICE restart `PATCH` where the server supports it; otherwise (or when that fails) the engine reports
 * a failure and the session reconnects with a new session, with its own backoff.
 */
import { ErrorCodes, RelayError, isRelayError, type ErrorCode } from '../../contract/errors.js';
import { mendAnswer } from '../../webrtc/answer-quirks.js';
import {
  exchangeSdp,
  gatheredOffer,
  restartSessionIce,
  type SdpResource,
} from '../../webrtc/sdp-resource.js';
import {
  failureReporter,
  type EngineCallbacks,
  type EngineOptions,
  type PlaybackEngine,
  type WebRtcStats,
} from '../engine.js';

/** How long the peer may take to connect once the server answered (UDP blocked, no route: fall back). */
const CONNECT_TIMEOUT_MS = 5000;
/** How long a `disconnected` connection may take to come back by itself before an ICE restart. */
const DISCONNECTED_GRACE_MS = 2000;
/** The WHEP `POST` bound. */
const ANSWER_TIMEOUT_MS = 8000;
const STATS_EVERY_MS = 1000;
/**
 * `jitterBufferTarget` (ms) per `latency`: `normal` leaves the browser's own adaptive jitter buffer (what a bare
 * `RTCPeerConnection` viewer gets: tens of ms on a clean network, more where packets arrive unevenly); `low` asks
 * for the smallest one (0), at the price of more freezes on a jittery network. (A 250 ms `normal` target was
 * measured ×12.8 the bare viewer's glass-to-glass on loopback, for nothing a viewer would notice there.)
 */
const JITTER_TARGET_MS = { normal: null, low: 0 } as const;

export default async function createWhepEngine(
  media: HTMLMediaElement,
  callbacks: EngineCallbacks,
  options: EngineOptions,
): Promise<PlaybackEngine> {
  if (typeof RTCPeerConnection === 'undefined')
    throw new Error('this browser has no WebRTC (RTCPeerConnection)');
  const { fail, silence } = failureReporter(callbacks);
  const abort = new AbortController();
  let pc: RTCPeerConnection | null = null;
  let resource: SdpResource | null = null;
  let destroyed = false;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let statsTimer: ReturnType<typeof setInterval> | undefined;
  let restarting = false;
  let stats: WebRtcStats | null = null;
  let latency: number | null = null;
  let bitrate: number | null = null;
  let lastBytes: { bytes: number; at: number } | null = null;

  const endOnUnload = (): void => void resource?.delete();

  const poll = async (): Promise<void> => {
    if (!pc) return;
    const report = await pc.getStats().catch(() => null);
    if (!report) return;
    let video: Record<string, number> | null = null;
    let audio: Record<string, number> | null = null;
    let pairId: unknown = null;
    const pairs = new Map<unknown, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') video = s as Record<string, number>;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio = s as Record<string, number>;
      if (s.type === 'transport') pairId = s.selectedCandidatePairId;
      if (s.type === 'candidate-pair') pairs.set(s.id, s);
    });
    // the pair in use (the transport's selected one), its STUN round trip
    const pair = pairs.get(pairId) ?? [...pairs.values()].find((p) => p.state === 'succeeded');
    const rtt = typeof pair?.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null;
    const v = video as Record<string, number> | null;
    const a = audio as Record<string, number> | null;
    const main = v ?? a;
    if (!main) return;
    const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
    const emitted = num(main.jitterBufferEmittedCount);
    const jitterDelay = emitted ? (num(main.jitterBufferDelay) ?? 0) / emitted : null;
    stats = {
      rtt,
      jitter: num(main.jitter),
      packetsLost: (num(v?.packetsLost) ?? 0) + (num(a?.packetsLost) ?? 0),
      framesDecoded: num(v?.framesDecoded),
      framesDropped: num(v?.framesDropped),
      jitterBufferDelay: jitterDelay,
    };
    // what a viewer waits for beyond the sender: half the round trip on the way here, then the jitter buffer
    latency = jitterDelay === null ? null : jitterDelay + (rtt ?? 0) / 2;
    const bytes = (num(v?.bytesReceived) ?? 0) + (num(a?.bytesReceived) ?? 0);
    const now = performance.now();
    if (lastBytes && now > lastBytes.at)
      bitrate = Math.round(((bytes - lastBytes.bytes) * 8000) / (now - lastBytes.at));
    lastBytes = { bytes, at: now };
  };

  /** ICE restart over `PATCH`; false when the server cannot (the session then starts a new one). */
  const restart = async (): Promise<boolean> => {
    const peer = pc;
    const res = resource;
    if (!peer || !res?.patchable || restarting) return false;
    restarting = true;
    try {
      return (await restartSessionIce(peer, res)) && peer === pc;
    } catch {
      return false;
    } finally {
      restarting = false;
    }
  };

  const lost = async (why: string): Promise<void> => {
    if (destroyed) return;
    if (await restart()) return;
    if (!destroyed) fail(ErrorCodes.NETWORK_ERROR, `The WebRTC connection was lost (${why}).`);
  };

  const start = async (url: string): Promise<void> => {
    const peer = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    pc = peer;
    const stream = new MediaStream();
    peer.addTransceiver('video', { direction: 'recvonly' });
    peer.addTransceiver('audio', { direction: 'recvonly' });
    const target = JITTER_TARGET_MS[options.latency];
    for (const r of peer.getReceivers()) if ('jitterBufferTarget' in r) r.jitterBufferTarget = target;
    peer.addEventListener('track', (e) => {
      stream.addTrack(e.track);
      if (media.srcObject !== stream) media.srcObject = stream;
    });
    let connected = false;
    peer.addEventListener('connectionstatechange', () => {
      const state = peer.connectionState;
      if (peer !== pc) return;
      clearTimeout(graceTimer);
      if (state === 'connected') {
        connected = true;
        clearTimeout(connectTimer);
      } else if (state === 'failed') {
        if (connected) void lost('ICE failed');
        else
          fail(
            ErrorCodes.WEBRTC_FAILED,
            `The WebRTC connection to ${new URL(url, location.href).host} could not be made (ICE failed: UDP may be blocked).`,
          );
      } else if (state === 'disconnected') {
        graceTimer = setTimeout(() => void lost('disconnected'), DISCONNECTED_GRACE_MS);
      }
    });
    const offerSdp = await gatheredOffer(peer);
    const res = await exchangeSdp(offerSdp, {
      protocol: 'WHEP',
      module: 'player',
      endpoint: url,
      token: options.token,
      timeoutMs: ANSWER_TIMEOUT_MS,
      signal: abort.signal,
    });
    if (destroyed) {
      void res.delete();
      return;
    }
    resource = res;
    addEventListener('pagehide', endOnUnload);
    if (res.iceServers.length)
      peer.setConfiguration({ ...peer.getConfiguration(), iceServers: res.iceServers });
    const { sdp, unusable } = mendAnswer(offerSdp, res.answer);
    if (unusable)
      throw new RelayError(
        'player',
        ErrorCodes.BAD_ANSWER,
        `The WHEP answer of ${new URL(url, location.href).host} cannot be played: ${unusable} (a server configuration to fix).`,
      );
    await peer.setRemoteDescription({ type: 'answer', sdp });
    connectTimer = setTimeout(() => {
      if (!connected)
        fail(
          ErrorCodes.WEBRTC_FAILED,
          `The WebRTC connection to ${new URL(url, location.href).host} was not made within ${CONNECT_TIMEOUT_MS / 1000} s (UDP may be blocked).`,
        );
    }, CONNECT_TIMEOUT_MS);
    statsTimer = setInterval(() => void poll(), STATS_EVERY_MS);
  };

  return {
    kind: 'webrtc',
    live: true,
    load(url: string) {
      start(url).catch((err: unknown) => {
        if (destroyed) return;
        if (isRelayError(err)) fail(err.code as ErrorCode, err.message);
        else fail(ErrorCodes.WEBRTC_FAILED, `WebRTC playback could not start (${(err as Error).message}).`);
      });
    },
    liveEdge() {
      return null; // the jitter buffer is the live edge: nothing to chase
    },
    stats() {
      return { latency, bitrate, webrtc: stats };
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      silence();
      abort.abort();
      clearTimeout(connectTimer);
      clearTimeout(graceTimer);
      clearInterval(statsTimer);
      removeEventListener('pagehide', endOnUnload);
      void resource?.delete();
      resource = null;
      pc?.close();
      pc = null;
      if (media.srcObject) media.srcObject = null;
    },
  };
}

// This file's entry in the lazy-module registry (src/lazy/manifest.json lists the modules).
declare module '../../lazy/registry.js' {
  interface LazyModules {
    /** The WHEP (WebRTC) playback engine: fetched when a player first plays a `webrtc` source. */
    'whep-engine': typeof createWhepEngine;
  }
}
