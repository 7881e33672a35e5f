// What the SQLite and PostgreSQL stores share about their rows: the columns they read back, how a row becomes a
// `Recording` or `StoredStatus`, and which conditions a filter adds. Each store keeps its own SQL and placeholders.
import {
  encodeCursor,
  type Recording,
  type RecordingFilter,
  type RecordingPage,
  type StoredStatus,
} from './store.ts';

/** A `recordings` row; `seq` is a number in SQLite and a string (bigint) in PostgreSQL. */
export interface RecordingRow {
  seq: number | string;
  stream_id: string;
  record_id: string | null;
  file_format: string;
  start_time: number;
  end_time: number;
  duration: number;
  file_size: number;
  url: string;
}

/** A `statuses` row; `seq` as in `RecordingRow`. */
export interface StatusRow {
  seq: number | string;
  stream_id: string;
  record_id: string | null;
  status: string;
  message: string;
  time: number;
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

export function toStoredStatus(r: StatusRow): StoredStatus {
  return {
    seq: Number(r.seq),
    status: {
      streamId: r.stream_id,
      recordId: r.record_id,
      status: r.status,
      message: r.message,
      time: r.time,
    },
  };
}

/**
 * A newest-first page from up to `limit + 1` rows (the extra one only tells that an older page exists), with
 * `latestSeq`, the newest event id read after the rows.
 */
export function toPage(rows: RecordingRow[], limit: number, latestSeq: number): RecordingPage {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    recordings: page.map(toRecording),
    next:
      rows.length > limit && last
        ? encodeCursor({ startTime: last.start_time, seq: Number(last.seq) })
        : null,
    lastEventId: String(latestSeq),
  };
}

/** Whether the filter selects anything narrower than all events. */
export function isFiltered(filter: RecordingFilter | undefined): filter is RecordingFilter {
  return filter !== undefined && (filter.recordId !== undefined || filter.streamId !== undefined);
}

/**
 * The filter's conditions, in order record id, stream id; `bind` stores each value in the store's parameters
 * and returns its placeholder.
 */
export function filterConditions(
  filter: RecordingFilter,
  bind: (name: keyof RecordingFilter, value: string) => string,
): string[] {
  const where: string[] = [];
  if (filter.recordId !== undefined) where.push(`record_id = ${bind('recordId', filter.recordId)}`);
  if (filter.streamId !== undefined) where.push(`stream_id = ${bind('streamId', filter.streamId)}`);
  return where;
}
