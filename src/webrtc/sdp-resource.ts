/**
 * The HTTP half of WHIP (RFC 9725) and WHEP, shared by the WHIP push provider and the WHEP playback engine: one
 * `POST` of an `application/sdp` offer, a `201` with `Location` and the answer, ICE servers from `Link: <…>;
 * rel="ice-server"`, trickle and ICE restart by `PATCH` (`application/trickle-ice-sdpfrag`, RFC 8840) where the
 * server supports it, `DELETE` of the resource at the end. It never touches an `RTCPeerConnection`: the caller
 * makes the offer and applies the answer, so a push and a player each keep their own peer logic.
 *
 * Written here rather than taken from `whip-whep` (medooze's WHIP/WHEP clients, MIT, the reference by one of the
 * RFC's authors): that client drives the peer connection itself (it sets `onicecandidate`/`onconnectionstatechange`
 * on the caller's peer), has no timeout or abort, throws plain `Error("Request rejected with status 401")` strings and
 * fires its trickle `PATCH` from timers whose failures nobody can catch. Every answer outside the RFC must become a
 * `{ module, code, message }` naming the endpoint and the status, which needs the exchange itself in our hands.
 */
import { ErrorCodes, RelayError } from '../contract/errors.js';
import type { RelayErrorInfo } from '../contract/types.js';

export type SdpProtocol = 'WHIP' | 'WHEP';

export interface SdpExchangeOptions {
  /** `WHIP` (publish) or `WHEP` (play): named in every message. */
  readonly protocol: SdpProtocol;
  /** The endpoint to `POST` the offer to. */
  readonly endpoint: string;
  /** `module` of every error (`push` for WHIP, `player` for WHEP). */
  readonly module: string;
  /** Sent as `Authorization: Bearer …` on every request, when given. */
  readonly token?: string;
  /** How long the `POST` may take before it fails with `BACKEND_TIMEOUT` (default 10 s). */
  readonly timeoutMs?: number;
  /** Aborts the `POST`; it then rejects with `START_CANCELLED`. */
  readonly signal?: AbortSignal;
}

/** What a successful `POST` gave: the session's resource, the answer, ICE servers the server announced. */
export interface SdpResource {
  /** The resource URL (`Location`, resolved against the endpoint). */
  readonly url: string;
  /** The SDP answer, as the server sent it. */
  readonly answer: string;
  /** ICE servers from the answer's `Link: <…>; rel="ice-server"` headers (empty when none). */
  readonly iceServers: RTCIceServer[];
  /** The resource's `ETag`, sent back as `If-Match` on trickle `PATCH`es. */
  readonly etag: string | null;
  /** False once the server answered a `PATCH` with 405/501 (it does not take trickle or ICE restarts). */
  readonly patchable: boolean;
  /**
   * Trickles candidates (`fragment` from {@link trickleFragment}). Resolves `false` when the server does not
   * support trickle (405/501; nothing to do: the offer held every candidate); rejects with a `RelayError` on any
   * other failure.
   */
  trickle(fragment: string): Promise<boolean>;
  /**
   * ICE restart: `PATCH` with the restarted offer's ufrag/pwd (`If-Match: *`). Resolves the server's answer
   * fragment (its new ufrag/pwd and candidates), or `null` when it does not support it (the caller then starts a
   * new session). Rejects with a `RelayError` on any other failure.
   */
  restartIce(offerSdp: string): Promise<string | null>;
  /**
   * Ends the session on the server (`DELETE`). Never rejects; resolves whether the server confirmed it. Uses
   * `keepalive` so it still goes out while the page unloads.
   */
  delete(): Promise<boolean>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function endpointName(o: SdpExchangeOptions): string {
  try {
    const u = new URL(o.endpoint, globalThis.location?.href);
    return `the ${o.protocol} endpoint ${u.origin}${u.pathname}`;
  } catch {
    return `the ${o.protocol} endpoint "${o.endpoint}"`;
  }
}

function isErrorInfo(v: unknown): v is RelayErrorInfo {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.module === 'string' && typeof o.code === 'string' && typeof o.message === 'string';
}

/** The server's own `{ error: { message } }` (the local relay's shape) or a short plain-text body, for messages. */
function serverWords(text: string, contentType: string | null): string | null {
  if (contentType?.includes('json')) {
    try {
      const info = (JSON.parse(text) as { error?: unknown }).error;
      if (isErrorInfo(info)) return info.message;
    } catch {
      /* not the contract's body */
    }
  }
  const plain = text.trim();
  return plain && plain.length <= 200 && !plain.startsWith('<') ? plain : null;
}

/** The error for an answer with status `status` (not 201), in the caller's module. */
export function statusError(
  o: SdpExchangeOptions,
  status: number,
  text = '',
  contentType: string | null = null,
): RelayError {
  const where = endpointName(o);
  const said = serverWords(text, contentType);
  const tail = said ? ` It said: "${said}".` : '';
  const whip = o.protocol === 'WHIP';
  if (status === 401 || status === 403)
    return new RelayError(
      o.module,
      whip ? ErrorCodes.PUSH_AUTH_FAILED : ErrorCodes.PLAY_AUTH_FAILED,
      `${cap(where)} refused the ${whip ? 'push' : 'playback'} (${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}): check the token.${tail}`,
    );
  if (status === 404)
    return new RelayError(
      o.module,
      ErrorCodes.NOT_FOUND,
      `${cap(where)} answered 404 Not Found: check the URL${whip ? '' : ' and that the stream is live'}.${tail}`,
    );
  if (status === 429 || status === 503)
    return new RelayError(
      o.module,
      status === 429 ? ErrorCodes.RATE_LIMITED : ErrorCodes.BACKEND_REJECTED,
      `${cap(where)} is busy (${status}): try again in a moment.${tail}`,
    );
  return new RelayError(
    o.module,
    ErrorCodes.BACKEND_REJECTED,
    `${cap(where)} answered ${status} where ${o.protocol} expects 201 Created with an SDP answer.${tail}`,
  );
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function headersOf(o: SdpExchangeOptions, contentType?: string): Record<string, string> {
  const h: Record<string, string> = {};
  if (contentType) h['content-type'] = contentType;
  if (o.token) h.authorization = `Bearer ${o.token}`;
  return h;
}

/**
 * `POST`s `offerSdp` to the endpoint and returns the session's resource. Rejects with a `RelayError`:
 * `START_CANCELLED` when `signal` aborts, `BACKEND_TIMEOUT` when no answer came within the bound,
 * `BACKEND_UNREACHABLE` when the request failed (network, CORS), the status's code for a non-201 answer
 * ({@link statusError}), `BAD_ANSWER` for a 201 without `Location` or without an SDP body.
 */
export async function exchangeSdp(offerSdp: string, o: SdpExchangeOptions): Promise<SdpResource> {
  const where = endpointName(o);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, timeoutMs);
  const onAbort = (): void => ctl.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) ctl.abort();
  let res: Response;
  let text: string;
  try {
    res = await fetch(o.endpoint, {
      method: 'POST',
      headers: headersOf(o, 'application/sdp'),
      body: offerSdp,
      signal: ctl.signal,
    });
    text = await res.text();
  } catch (err) {
    if (o.signal?.aborted)
      throw new RelayError(o.module, ErrorCodes.START_CANCELLED, `The ${o.protocol} request was cancelled.`);
    if (timedOut)
      throw new RelayError(
        o.module,
        ErrorCodes.BACKEND_TIMEOUT,
        `${cap(where)} did not answer within ${Math.round(timeoutMs / 100) / 10} s.`,
        { cause: err },
      );
    throw new RelayError(
      o.module,
      ErrorCodes.BACKEND_UNREACHABLE,
      `Cannot reach ${where}: check that it is running, that the address is right and that it allows this page's origin (CORS).`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
  const type = res.headers.get('content-type');
  if (res.status !== 201 && !(res.status === 200 && text.startsWith('v=0'))) {
    // RFC 9725 §4.2: 201. A 200 with an SDP body is tolerated (a few servers answer 200), anything else is not.
    throw statusError(o, res.status, text, type);
  }
  const location = res.headers.get('location');
  if (!location)
    throw new RelayError(
      o.module,
      ErrorCodes.BAD_ANSWER,
      `${cap(where)} answered ${res.status} without a Location header, so the session could never be ended. If the server is on another origin, it must also list Location in Access-Control-Expose-Headers.`,
    );
  if (!/^v=0\r?\n/.test(text)) {
    // the server made a session the answer cannot be used for: end it rather than leave it behind
    void fetch(new URL(location, new URL(o.endpoint, globalThis.location?.href)).href, {
      method: 'DELETE',
      headers: headersOf(o),
      keepalive: true,
    }).catch(() => undefined);
    throw new RelayError(
      o.module,
      ErrorCodes.BAD_ANSWER,
      `${cap(where)} answered ${res.status} with ${type ?? 'no content type'} instead of an SDP answer (application/sdp).`,
    );
  }
  const url = new URL(location, new URL(o.endpoint, globalThis.location?.href)).href;
  return new Resource(o, url, text, parseIceServerLinks(res.headers.get('link')), res.headers.get('etag'));
}

class Resource implements SdpResource {
  #patchable = true;
  #etag: string | null;

  constructor(
    private readonly o: SdpExchangeOptions,
    readonly url: string,
    readonly answer: string,
    readonly iceServers: RTCIceServer[],
    etag: string | null,
  ) {
    this.#etag = etag;
  }

  get etag(): string | null {
    return this.#etag;
  }

  get patchable(): boolean {
    return this.#patchable;
  }

  async #patch(body: string, ifMatch: string | null): Promise<Response | null> {
    if (!this.#patchable) return null;
    const headers = headersOf(this.o, 'application/trickle-ice-sdpfrag');
    if (ifMatch) headers['if-match'] = ifMatch;
    let res: Response;
    try {
      res = await fetch(this.url, { method: 'PATCH', headers, body });
    } catch (err) {
      throw new RelayError(
        this.o.module,
        ErrorCodes.BACKEND_UNREACHABLE,
        `Cannot reach the ${this.o.protocol} session at ${this.url}.`,
        { cause: err },
      );
    }
    if (res.status === 405 || res.status === 501) {
      this.#patchable = false;
      return null;
    }
    if (!res.ok)
      throw statusError(
        this.o,
        res.status,
        await res.text().catch(() => ''),
        res.headers.get('content-type'),
      );
    const etag = res.headers.get('etag');
    if (etag) this.#etag = etag;
    return res;
  }

  async trickle(fragment: string): Promise<boolean> {
    const res = await this.#patch(fragment, this.#etag);
    if (res) await res.body?.cancel();
    return res !== null;
  }

  async restartIce(offerSdp: string): Promise<string | null> {
    const res = await this.#patch(iceRestartFragment(offerSdp), '*');
    if (!res) return null;
    const text = await res.text();
    if (res.status !== 200 || !/a=ice-ufrag:/.test(text)) {
      // 204: the server took the new credentials but sent none back; a restart cannot complete that way.
      this.#patchable = false;
      return null;
    }
    return text;
  }

  async delete(): Promise<boolean> {
    try {
      const res = await fetch(this.url, { method: 'DELETE', headers: headersOf(this.o), keepalive: true });
      await res.body?.cancel();
      return res.ok || res.status === 404;
    } catch {
      return false;
    }
  }
}

/**
 * ICE servers from `Link` headers (RFC 9725 §4.6: `<turn:turn.example.net?transport=udp>; rel="ice-server";
 * username="u"; credential="p"; credential-type="password"`). Links of other relations and malformed ones are
 * skipped; a `Link` header with several links is split on the commas between links only.
 */
export function parseIceServerLinks(header: string | null): RTCIceServer[] {
  if (!header) return [];
  const servers: RTCIceServer[] = [];
  for (const link of splitLinks(header)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(link);
    if (!m) continue;
    const params = new Map<string, string>();
    for (const part of m[2]!.split(';')) {
      const kv = /^\s*([a-z-]+)\s*=\s*(?:"([^"]*)"|([^\s;]*))\s*$/i.exec(part);
      if (kv) params.set(kv[1]!.toLowerCase(), kv[2] ?? kv[3] ?? '');
    }
    if (!(params.get('rel') ?? '').split(/\s+/).includes('ice-server')) continue;
    if (!/^(stun|stuns|turn|turns):/i.test(m[1]!)) continue;
    const server: RTCIceServer = { urls: m[1]! };
    const username = params.get('username');
    const credential = params.get('credential');
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    servers.push(server);
  }
  return servers;
}

/** Splits a `Link` header's value on the commas between links (not those inside `<…>` or quotes). */
function splitLinks(header: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  let bracketed = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '"' && !bracketed) quoted = !quoted;
    else if (c === '<' && !quoted) bracketed = true;
    else if (c === '>' && !quoted) bracketed = false;
    else if (c === ',' && !quoted && !bracketed) {
      out.push(header.slice(start, i));
      start = i + 1;
    }
  }
  out.push(header.slice(start));
  return out;
}

function iceCredentials(sdp: string): { ufrag: string; pwd: string } | null {
  const ufrag = /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
  const pwd = /^a=ice-pwd:(\S+)/m.exec(sdp)?.[1];
  return ufrag && pwd ? { ufrag, pwd } : null;
}

/**
 * An RFC 8840 fragment trickling `candidates` (those of the first media section's transport: with BUNDLE the
 * others share it) for the session described by `localSdp`; `end` adds `a=end-of-candidates`.
 */
export function trickleFragment(
  localSdp: string,
  candidates: readonly RTCIceCandidateInit[],
  end: boolean,
): string {
  const cred = iceCredentials(localSdp);
  const m = /^m=(\w+) .*$/m.exec(localSdp);
  const mid = /^a=mid:(\S+)/m.exec(localSdp)?.[1] ?? '0';
  const lines = cred ? [`a=ice-ufrag:${cred.ufrag}`, `a=ice-pwd:${cred.pwd}`] : [];
  lines.push(`m=${m?.[1] ?? 'audio'} 9 UDP/TLS/RTP/SAVPF 0`, `a=mid:${mid}`);
  for (const c of candidates) if (c.candidate) lines.push(`a=${c.candidate}`);
  if (end) lines.push('a=end-of-candidates');
  return lines.join('\r\n') + '\r\n';
}

function iceRestartFragment(offerSdp: string): string {
  const cred = iceCredentials(offerSdp);
  const mid = /^a=mid:(\S+)/m.exec(offerSdp)?.[1] ?? '0';
  const m = /^m=(\w+) .*$/m.exec(offerSdp);
  const lines = cred ? [`a=ice-ufrag:${cred.ufrag}`, `a=ice-pwd:${cred.pwd}`] : [];
  lines.push(`m=${m?.[1] ?? 'audio'} 9 UDP/TLS/RTP/SAVPF 0`, `a=mid:${mid}`);
  return lines.join('\r\n') + '\r\n';
}

/**
 * Applies the server's ICE-restart answer fragment to `remoteSdp` (new ufrag/pwd, its candidates instead of the
 * old ones) and returns the SDP to set as the new remote description.
 */
export function applyRestartAnswer(remoteSdp: string, fragment: string): string {
  const cred = iceCredentials(fragment);
  const candidates = fragment.match(/^a=candidate:.*$/gm) ?? [];
  let sdp = remoteSdp.replace(/\r?\n/g, '\r\n');
  if (cred) {
    sdp = sdp.replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${cred.ufrag}`);
    sdp = sdp.replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${cred.pwd}`);
  }
  sdp = sdp.replace(/^a=candidate:.*\r\n/gm, '');
  if (candidates.length)
    sdp = sdp.replace(/^(m=.*\r\n)/gm, `$1${candidates.map((c) => `${c}\r\n`).join('')}`);
  return sdp;
}

/**
 * Waits until `pc` has gathered its candidates (or `timeoutMs` passed), so the offer `POST`ed carries them all:
 * the way to work with a server that does not take trickle `PATCH`es. On loopback it takes 130–240 ms here.
 */
export function iceGatheringComplete(pc: RTCPeerConnection, timeoutMs = 2000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = (): void => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/**
 * Sets a new local offer on `pc` (an ICE-restart one with `iceRestart`) and waits, bounded, for its candidates, so
 * the offer sent carries them all. Returns that SDP.
 */
export async function gatheredOffer(pc: RTCPeerConnection, iceRestart = false): Promise<string> {
  if (iceRestart) pc.restartIce();
  const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
  await pc.setLocalDescription(offer);
  await iceGatheringComplete(pc, 1000);
  return pc.localDescription?.sdp ?? offer.sdp ?? '';
}

/**
 * Restarts ICE of `pc`'s session on `resource` (RFC 9725 §4.4: `PATCH` with the new ufrag/pwd, the server's answer
 * fragment applied). Resolves `false` when the server takes no restart; rejects when the restart failed.
 */
export async function restartSessionIce(pc: RTCPeerConnection, resource: SdpResource): Promise<boolean> {
  if (!resource.patchable) return false;
  const fragment = await resource.restartIce(await gatheredOffer(pc, true));
  if (!fragment || !pc.remoteDescription) return false;
  await pc.setRemoteDescription({
    type: 'answer',
    sdp: applyRestartAnswer(pc.remoteDescription.sdp, fragment),
  });
  return true;
}
