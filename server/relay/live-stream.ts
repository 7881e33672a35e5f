/**
 * One stream known to the relay: its ingest (WebSocket → transcoder), and its relay session when one runs.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { Transcoder } from './transcoder.ts';
import type { RelaySession } from './relay-session.ts';

export type IngestState = 'waiting' | 'ingesting' | 'ended';

export class LiveStream {
  readonly token = randomBytes(16).toString('hex');
  readonly createdAt = Date.now();
  ingest: IngestState = 'waiting';
  socket: WebSocket | null = null;
  transcoder: Transcoder | null = null;
  relay: RelaySession | null = null;
  /** Public base URL (scheme://host) seen when the relay started; used for URLs in callbacks. */
  baseUrl = '';
  /** When the ingest ended (ms), for clean-up of finished streams. */
  endedAt: number | null = null;
  /** Why ingest or relay ended abnormally, if it did. */
  lastError: string | null = null;

  constructor(
    readonly id: string,
    readonly audioOnly: boolean,
  ) {}

  /** Starts the transcoder for a freshly connected ingest socket. */
  startIngest(socket: WebSocket): Transcoder {
    this.ingest = 'ingesting';
    this.socket = socket;
    this.transcoder = new Transcoder(this.audioOnly);
    return this.transcoder;
  }
}

export function newStreamId(): string {
  return `s_${randomBytes(6).toString('hex')}`;
}
