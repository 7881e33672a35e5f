/**
 * Who may drive and watch the relay, Tencent-style (`server/shared/tx-secret.ts`):
 * - push auth (`RELAY_PUSH_KEY`): every control call and the ingest for stream S carries
 *   `txSecret = md5(key + S + txTime)` and `txTime` (hex unix expiry). The credential a stream was created with
 *   becomes its owner credential: every later call for S must present that same credential, so another valid
 *   credential for S (or none) can neither stop, delete, re-relay nor re-create a stream in use.
 * - play anti-leech (`RELAY_PLAY_KEY`): `/live/*` and `/recordings/*` need a valid credential for the stream id;
 *   the relay signs every URL it hands out.
 * - RTMP publish: only the relay itself may publish into its RTMP server, with a key no one else knows.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes } from '../../../src/contract/errors.ts';
import { signUrl, txSign, txVerify, type TxCredential, type TxFailure } from '../../shared/tx-secret.ts';
import { HttpError, relayError } from '../../shared/http-error.ts';

export interface RelayAuthOptions {
  /** `RELAY_PUSH_KEY`: without it control calls are not authenticated (loopback only). */
  pushKey?: string | null;
  /** `RELAY_PLAY_KEY`: without it `/live/*` and `/recordings/*` are open. */
  playKey?: string | null;
  /** Clock skew tolerated on `txTime`, seconds. Default 30. */
  skewSeconds?: number;
  /** Lifetime of the live play URLs the relay answers with, seconds. Default 86400 (1 day). */
  livePlayTtlSeconds?: number;
  /** Lifetime of recording URLs in answers and callbacks, seconds. Default 2592000 (30 days). */
  recordingPlayTtlSeconds?: number;
}

type Query = Record<string, unknown>;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function why(failure: TxFailure, what: string, name: string, keyVar: string): string {
  const how = `add txSecret = md5(${keyVar} + "${name}" + txTime) and txTime (hex unix expiry) as query parameters`;
  if (failure === 'MISSING') return `${what} for "${name}" needs a credential: ${how}.`;
  if (failure === 'EXPIRED')
    return `The ${what.toLowerCase()} credential for "${name}" has expired; mint a new one.`;
  return `The ${what.toLowerCase()} credential for "${name}" is not valid (${how}).`;
}

export class RelayAuth {
  readonly pushKey: string | null;
  readonly playKey: string | null;
  /** Signs the relay's own RTMP publishes; never leaves this process. */
  private readonly rtmpKey = randomBytes(24).toString('hex');
  private readonly skew: number;
  private readonly liveTtl: number;
  private readonly recordingTtl: number;
  /** Owner credential (`txTime`) of each stream created with push auth, by stream object. */
  private readonly owners = new WeakMap<object, string>();
  /** The whole credential each stream was created with: its callbacks report it in `stream_param`, as Tencent's. */
  private readonly credentials = new WeakMap<object, TxCredential>();

  constructor(o: RelayAuthOptions = {}) {
    this.pushKey = o.pushKey || null;
    this.playKey = o.playKey || null;
    this.skew = o.skewSeconds ?? 30;
    this.liveTtl = o.livePlayTtlSeconds ?? 86_400;
    this.recordingTtl = o.recordingPlayTtlSeconds ?? 30 * 86_400;
  }

  private static pushError(message: string): HttpError {
    return relayError(403, ErrorCodes.PUSH_AUTH_FAILED, message);
  }

  /**
   * A control call or ingest naming stream `name`: throws 403 PUSH_AUTH_FAILED unless the query carries a valid,
   * unexpired credential for it. Returns the credential (null when push auth is off).
   */
  checkPush(name: string, query: Query): TxCredential | null {
    if (!this.pushKey) return null;
    const failure = txVerify(this.pushKey, name, query.txSecret, query.txTime, nowSeconds(), this.skew);
    if (failure) throw RelayAuth.pushError(why(failure, 'Push control', name, 'RELAY_PUSH_KEY'));
    return { txSecret: String(query.txSecret), txTime: String(query.txTime) };
  }

  /** Remembers `credential` as the owner of `stream` (the one it was created with). */
  bindOwner(stream: object, credential: TxCredential | null): void {
    if (credential) this.owners.set(stream, credential.txTime.toUpperCase());
    if (credential) this.credentials.set(stream, credential);
  }

  /** The push credential `stream` was created with (`null` without push auth). */
  pushCredentialOf(stream: object): TxCredential | null {
    return this.credentials.get(stream) ?? null;
  }

  /**
   * A call on an existing stream: the credential must be genuine for `name` and be the one the stream was
   * created with. It stays valid for its own stream after `txTime` passes (a running push is not cut off, as on
   * Tencent's CDN); any other credential, even a valid one for the same name, is refused.
   */
  checkOwner(stream: object, name: string, query: Query): void {
    if (!this.pushKey) return;
    const failure = txVerify(this.pushKey, name, query.txSecret, query.txTime, 0, 0);
    if (failure) throw RelayAuth.pushError(why(failure, 'Push control', name, 'RELAY_PUSH_KEY'));
    if (String(query.txTime).toUpperCase() !== this.owners.get(stream)) {
      throw RelayAuth.pushError(
        `Stream "${name}" belongs to another push session; only the credential it was created with can control it.`,
      );
    }
  }

  /** A read of `/live/*` or `/recordings/*` for stream `name`: throws 403 PLAY_AUTH_FAILED when not allowed. */
  checkPlay(name: string, query: Query): void {
    if (!this.playKey) return;
    const failure = txVerify(this.playKey, name, query.txSecret, query.txTime, nowSeconds(), this.skew);
    if (failure)
      throw relayError(403, ErrorCodes.PLAY_AUTH_FAILED, why(failure, 'Playback', name, 'RELAY_PLAY_KEY'));
  }

  /** `url` with a play credential for stream `name` (unchanged without a play key). */
  signLive(url: string, name: string): string {
    return this.playKey ? signUrl(url, this.playKey, name, nowSeconds() + this.liveTtl) : url;
  }

  signRecording(url: string, name: string): string {
    return this.playKey ? signUrl(url, this.playKey, name, nowSeconds() + this.recordingTtl) : url;
  }

  /** The query (`?txSecret=…&txTime=…`) a playlist appends to its segment URIs, taken from its own request. */
  static playQuery(query: Query): string {
    const { txSecret, txTime } = query;
    if (typeof txSecret !== 'string' || typeof txTime !== 'string') return '';
    return `?${new URLSearchParams({ txSecret, txTime }).toString()}`;
  }

  /** The URL the relay publishes stream `name` to on its own RTMP server. */
  rtmpPublishUrl(base: string, name: string): string {
    const { txSecret, txTime } = txSign(this.rtmpKey, name, nowSeconds() + 3600);
    return `${base}/live/${name}?txSecret=${txSecret}&txTime=${txTime}`;
  }

  /** True when an RTMP publish of `name` carries the relay's own credential (expiry is checked at start). */
  isOwnRtmpPublish(name: string, args: Query): boolean {
    return txVerify(this.rtmpKey, name, args.txSecret, args.txTime, nowSeconds(), this.skew) === null;
  }

  /** RTMP play of `name`: allowed without a play key, or with a valid play credential. */
  mayPlayRtmp(name: string, args: Query): boolean {
    if (!this.playKey) return true;
    return txVerify(this.playKey, name, args.txSecret, args.txTime, nowSeconds(), this.skew) === null;
  }
}

/** Appends `query` to every URI line of an HLS playlist (segments are relative, so they lose the page's query). */
export function signPlaylist(text: string, query: string): string {
  if (!query) return text;
  return text
    .split('\n')
    .map((line) =>
      line && !line.startsWith('#') && !line.includes('?') ? `${line.trimEnd()}${query}` : line,
    )
    .join('\n');
}

/** True for loopback addresses (127.0.0.0/8, ::1, IPv4-mapped loopback, `localhost`). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, '');
  return a === 'localhost' || a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}
