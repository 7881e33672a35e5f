// The PostgreSQL store's rows: how recordings and statuses are written in batches, how a filter becomes `$n`
// conditions, which input PostgreSQL cannot hold, and which errors mean "the database is unavailable" (503) rather than a bug (500).
import type pg from 'pg';
import { isWebUrl, type StoredNotification } from './notification.ts';
import { filterConditions } from './store-rows.ts';
import { StoreUnavailableError, type RecordingFilter } from './store.ts';

export function whereOf(filter: RecordingFilter): { where: string[]; params: unknown[] } {
  const params: unknown[] = [];
  const where = filterConditions(filter, (_name, value) => `$${params.push(value)}`);
  return { where: ['web', ...where], params };
}

type Batch = { seq: number; n: StoredNotification }[];
type Column<T> = [name: string, type: string, value: (v: T) => unknown];

/** The columns after `seq` that both tables have. */
const KEY_COLUMNS: Column<{ streamId: string; recordId: string | null }>[] = [
  ['stream_id', 'text', (v) => v.streamId],
  ['record_id', 'text', (v) => v.recordId],
];

const RECORDING_COLUMNS: Column<NonNullable<StoredNotification['recording']>>[] = [
  ...KEY_COLUMNS,
  ['file_format', 'text', (r) => r.fileFormat],
  ['start_time', 'float8', (r) => r.startTime],
  ['end_time', 'float8', (r) => r.endTime],
  ['duration', 'float8', (r) => r.duration],
  ['file_size', 'float8', (r) => r.fileSize],
  ['url', 'text', (r) => r.url],
  ['web', 'bool', (r) => isWebUrl(r.url)],
];

const STATUS_COLUMNS: Column<NonNullable<StoredNotification['status']>>[] = [
  ...KEY_COLUMNS,
  ['status', 'text', (s) => s.status],
  ['message', 'text', (s) => s.message],
  ['time', 'float8', (s) => s.time],
];

/** One multi-row insert: `seq` and `columns`, each passed as one array and turned into rows by `unnest`. */
async function insertColumns<T>(
  client: pg.PoolClient,
  table: string,
  columns: Column<T>[],
  rows: Batch,
  pick: (n: StoredNotification) => T,
): Promise<void> {
  const items = rows.map(({ seq, n }) => ({ seq, value: pick(n) }));
  const names = ['seq', ...columns.map(([name]) => name)];
  const arrays = ['bigint', ...columns.map(([, type]) => type)].map((type, i) => `$${i + 1}::${type}[]`);
  await client.query(
    `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})`,
    [items.map((r) => r.seq), ...columns.map(([, , value]) => items.map((r) => value(r.value)))],
  );
}

export function insertRecordings(client: pg.PoolClient, rows: Batch): Promise<void> {
  return insertColumns(client, 'recordings', RECORDING_COLUMNS, rows, (n) => n.recording!);
}

export function insertStatuses(client: pg.PoolClient, rows: Batch): Promise<void> {
  return insertColumns(client, 'statuses', STATUS_COLUMNS, rows, (n) => n.status!);
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
