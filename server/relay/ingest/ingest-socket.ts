/**
 * The WebSocket ingest (`/ingest/{id}?token=…`): upgrades are checked (canonical path, origin, push credential,
 * caps) and refused with an HTTP status or a close code; an accepted socket feeds its stream's transcoder, and is
 * closed once its decoded media lags the wall clock (`MediaClock`). Everything an upgrade carries is parsed inside
 * a guard and every socket has an error listener from the moment it exists: a fault closes that socket only.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { redact } from '../../shared/redact.ts';
import { isLoopback, type RelayAuth } from '../http/auth.ts';
import { canonicalPath } from '../http/canonical-path.ts';
import { isAllowedOrigin, type AllowedOrigins } from '../http/cors.ts';
import type { RelayLimits } from '../streams/limits.ts';
import type { LiveStream } from '../streams/live-stream.ts';
import { IngestClose, type StreamRegistry } from '../streams/registry.ts';
import { StreamEnd } from '../callbacks/callbacks.ts';
import { MediaClock } from './media-clock.ts';

export interface IngestOptions {
  server: Server;
  registry: StreamRegistry;
  auth: RelayAuth;
  limits: RelayLimits;
  allowed: AllowedOrigins;
  selfOf(): string[];
  clientOf(req: IncomingMessage): string;
  log(message: string): void;
  error(message: string): void;
}

/** Compares two secrets in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Answers a refused upgrade with an HTTP status and closes the socket. */
function refuseUpgrade(socket: Duplex, status: 400 | 403 | 404 | 500, text: string): void {
  if (socket.writable)
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  else socket.destroy();
}

export class IngestServer {
  readonly #o: IngestOptions;
  readonly #wss: WebSocketServer;
  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.#upgrade(req, socket, head);

  constructor(o: IngestOptions) {
    this.#o = o;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: o.limits.maxIngestFrameBytes });
    o.server.on('upgrade', this.#onUpgrade);
  }

  /** Refuses no more upgrades (they are left to whoever else listens). */
  stopAccepting(): void {
    this.#o.server.off('upgrade', this.#onUpgrade);
  }

  /** Ends every ingest socket still open. */
  close(): void {
    this.stopAccepting();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { auth, registry } = this.#o;
    const target = req.url ?? '/';
    socket.on('error', () => {}); // a peer that resets mid-handshake ends its own socket, nothing else
    if (!target.startsWith('/ingest/')) {
      // someone else's upgrade, unless no one else listens: then it would hang until the peer gives up
      if (this.#o.server.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    try {
      let path: string;
      try {
        path = canonicalPath(target);
      } catch {
        refuseUpgrade(socket, 400, 'Bad Request');
        return;
      }
      const id = path.slice('/ingest/'.length);
      const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
      const origin = req.headers.origin;
      const ip = this.#o.clientOf(req);
      const offMachine = !auth.pushKey && !isLoopback(ip);
      if (
        (origin !== undefined && !isAllowedOrigin(this.#o.allowed, this.#o.selfOf(), origin)) ||
        offMachine
      ) {
        refuseUpgrade(socket, 403, 'Forbidden');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {}); // oversized or invalid frames close this socket; they never throw
        try {
          const s = registry.find(id);
          const refused = this.#refusal(id, s, query, ip);
          if (refused || !s)
            return ws.close(refused?.code ?? IngestClose.NOT_FOUND, refused?.reason.slice(0, 120));
          this.#attach(s, ws, registry.quota.ingests.acquire(ip));
        } catch (err) {
          this.#o.error(`[relay] ingest upgrade failed: ${redact(String(err))}`);
          ws.terminate();
        }
      });
    } catch (err) {
      this.#o.error(`[relay] upgrade failed: ${redact(String(err))}`);
      refuseUpgrade(socket, 500, 'Internal Server Error');
    }
  }

  /** Why an ingest request may not attach (close code + reason), or null when it may. */
  #refusal(
    id: string,
    s: LiveStream | undefined,
    query: URLSearchParams,
    ip: string,
  ): { code: number; reason: string } | null {
    const { auth } = this.#o;
    // With push auth, an unknown stream and someone else's get the same answer: stream ids cannot be probed.
    const unknownOrForeign = { code: IngestClose.BAD_TOKEN, reason: 'unknown stream or bad ingest token' };
    if (!s)
      return auth.pushKey
        ? unknownOrForeign
        : { code: IngestClose.NOT_FOUND, reason: `unknown stream ${id.slice(0, 64)}` };
    if (!sameSecret(query.get('token') ?? '', s.token))
      return auth.pushKey ? unknownOrForeign : { code: IngestClose.BAD_TOKEN, reason: 'bad ingest token' };
    try {
      auth.checkOwner(s, id, Object.fromEntries(query));
    } catch (err) {
      return { code: IngestClose.BAD_TOKEN, reason: `PUSH_AUTH_FAILED: ${(err as Error).message}` };
    }
    if (s.ingest !== 'waiting')
      return { code: IngestClose.ALREADY_INGESTING, reason: 'stream already has (or had) an ingest' };
    const full = this.#o.registry.quota.ingests.refusal(ip);
    if (full) return { code: IngestClose.LIMIT, reason: `${full.code}: ${full.message}` };
    return null;
  }

  #attach(s: LiveStream, ws: WebSocket, releaseIngest: () => void): void {
    const { registry, log } = this.#o;
    const ingestIdleMs = this.#o.limits.ingestIdleMs;
    const tc = s.startIngest(ws);
    // Liveness is measured in decoded media, not bytes: the transcoder's output timestamps must keep up with
    // the wall clock, or the ingest is closed once it lags by ingestIdleMs.
    const idleError = `no media for ${ingestIdleMs} ms`;
    const clock = new MediaClock();
    let first = true;
    const unclock = tc.hub.subscribe({
      write(chunk) {
        if (first)
          first = false; // the joiner prefix (header + cached tags), not one tag
        else clock.onTag(chunk);
      },
      end() {},
    });
    const every = Math.min(500, ingestIdleMs / 4);
    let checkedAt = Date.now();
    const idle = setInterval(() => {
      const late = Date.now() - checkedAt - every;
      checkedAt = Date.now();
      if (late > every) clock.forgive(late); // this process stalled: the pusher is not to blame
      // after this turn's I/O, so media that arrived during a stall is counted first
      setImmediate(() => {
        // a transcoder too slow to take more input (backpressure) is the relay's problem, not the pusher's
        if (ws.isPaused || !clock.starved(ingestIdleMs) || s.ingest !== 'ingesting') return;
        clearInterval(idle);
        s.fail(idleError);
        s.endIngest(IngestClose.IDLE, `no media received for ${ingestIdleMs} ms`);
        setTimeout(() => ws.terminate(), 2000).unref(); // a vanished peer never answers the close frame
      });
    }, every);
    log(`ingest of ${s.id} connected (transcoder pid ${tc.pid})`);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        // `{"clock": ms}`: when the pusher captured the media's timestamp 0 (its wall clock), for viewers' latency
        // estimates; anything else (or a clock a day off) is ignored. Media is binary.
        const clockAt = captureClock(data);
        if (clockAt !== null) tc.hub.setOrigin(clockAt);
        return;
      }
      tc.hub.setOrigin(Date.now(), true); // no clock from the pusher: its first media's arrival
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      clock.onBytes(buf.length);
      if (!tc.write(buf)) {
        ws.pause();
        tc.stdin.once('drain', () => ws.resume());
      }
    });
    ws.on('close', () => {
      clearInterval(idle);
      tc.end(); // flush what was sent; the transcoder exits and ends the relay
    });
    void tc.exited.then(async (exit) => {
      clearInterval(idle);
      unclock();
      releaseIngest();
      const failed = exit.code !== 0 && s.lastError === null && registry.isCurrent(s);
      s.ingestEnded(
        failed
          ? `transcoder exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-300) || 'no output'}`
          : null,
      );
      if (ws.readyState <= 1) {
        if (failed)
          ws.close(
            IngestClose.TRANSCODER_FAILED,
            `ingest failed: ${exit.stderr.split('\n').pop() ?? ''}`.slice(0, 120),
          );
        else ws.close(IngestClose.NORMAL, 'ingest ended');
      }
      log(`ingest of ${s.id} ended${failed ? `: ${s.lastError}` : ''}`);
      const idled = s.lastError === idleError;
      await registry.stopRelay(
        s,
        idled
          ? StreamEnd.idle(idleError)
          : failed
            ? StreamEnd.internal(s.lastError ?? 'ingest failed')
            : null,
      );
    });
  }
}

/** The capture clock in a text frame `{"clock": <ms since the epoch>}`, if it is one and within a day of ours. */
function captureClock(data: RawData): number | null {
  const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString(
    'utf8',
  );
  if (text.length > 100) return null;
  try {
    const v = (JSON.parse(text) as { clock?: unknown }).clock;
    return typeof v === 'number' && Number.isFinite(v) && Math.abs(v - Date.now()) < 86_400_000 ? v : null;
  } catch {
    return null;
  }
}
