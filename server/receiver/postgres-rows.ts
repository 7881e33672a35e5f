// The PostgreSQL store's rows: how recordings and statuses are written in batches and read back, which input
// PostgreSQL cannot hold, and which errors mean "the database is unavailable" (503) rather than a bug (500).
import type pg from 'pg';
import { isWebUrl, type StoredNotification } from './notification.ts';
import { StoreUnavailableError, type Recording, type RecordingFilter } from './store.ts';

export interface RecordingRow {
  seq: string;
  stream_id: string;
  record_id: string | null;
  file_format: string;
  start_time: number;
  end_time: number;
  duration: number;
  file_size: number;
  url: string;
}

export interface StatusRow {
  seq: string;
  stream_id: string;
  record_id: string | null;
  status: string;
  message: string;
  time: number;
}

export function whereOf(filter: RecordingFilter): { where: string[]; params: unknown[] } {
  const where = ['web'];
  const params: unknown[] = [];
  if (filter.recordId !== undefined) {
    params.push(filter.recordId);
    where.push(`record_id = $${params.length}`);
  }
  if (filter.streamId !== undefined) {
    params.push(filter.streamId);
    where.push(`stream_id = $${params.length}`);
  }
  return { where, params };
}

export async function insertRecordings(
  client: pg.PoolClient,
  rows: { seq: number; n: StoredNotification }[],
): Promise<void> {
  const col = <T>(f: (r: NonNullable<StoredNotification['recording']>) => T) =>
    rows.map(({ n }) => f(n.recording!));
  await client.query(
    `INSERT INTO recordings (seq, stream_id, record_id, file_format, start_time, end_time, duration, file_size, url, web)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                          $7::float8[], $8::float8[], $9::text[], $10::bool[])`,
    [
      rows.map((r) => r.seq),
      col((r) => r.streamId),
      col((r) => r.recordId),
      col((r) => r.fileFormat),
      col((r) => r.startTime),
      col((r) => r.endTime),
      col((r) => r.duration),
      col((r) => r.fileSize),
      col((r) => r.url),
      col((r) => isWebUrl(r.url)),
    ],
  );
}

export async function insertStatuses(
  client: pg.PoolClient,
  rows: { seq: number; n: StoredNotification }[],
): Promise<void> {
  const col = <T>(f: (s: NonNullable<StoredNotification['status']>) => T) =>
    rows.map(({ n }) => f(n.status!));
  await client.query(
    `INSERT INTO statuses (seq, stream_id, record_id, status, message, time)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[])`,
    [
      rows.map((r) => r.seq),
      col((s) => s.streamId),
      col((s) => s.recordId),
      col((s) => s.status),
      col((s) => s.message),
      col((s) => s.time),
    ],
  );
}

export function toRecording(r: RecordingRow): Recording {
  return {
    id: String(r.seq),
    streamId: r.stream_id,
    recordId: r.record_id,
    fileFormat: r.file_format,
    startTime: r.start_time,
    endTime: r.end_time,
    duration: r.duration,
    fileSize: r.file_size,
    url: r.url,
  };
}

/** PostgreSQL text cannot hold NUL; such a notification is refused (400) before it can fail a whole batch. */
export function nulField(n: StoredNotification): string | null {
  const fields: Record<string, string | null | undefined> = {
    identity: n.identity,
    stream_id: n.streamId,
    video_url: n.recording?.url,
    file_format: n.recording?.fileFormat,
    record_event: n.status?.status,
  };
  for (const [name, v] of Object.entries(fields)) if (v?.includes('\0')) return name;
  return null;
}

/** Connection-level failures (refused, reset, server shutting down or starting, out of connections, timeouts). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^(08|57P|53)/.test(code)) return true; // connection exception, operator intervention, resources
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT…
  }
  return /Connection terminated|timeout|not queryable|Client has encountered a connection error/i.test(
    err.message,
  );
}

export function unavailable(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || !isConnectionError(err)) return err;
  return new StoreUnavailableError(`PostgreSQL is unavailable (${messageOf(err)}).`, { cause: err });
}

export function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return messageOf(err.errors[0]);
  return err instanceof Error ? err.message || String((err as { code?: unknown }).code) : String(err);
}
