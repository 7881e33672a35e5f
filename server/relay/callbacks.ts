/**
 * Callback bodies in the shape Tencent CSS posts them (`shared/reference/push-model.md`). `t` and `sign` are added
 * by the outbox on each delivery attempt.
 */
import type { CallbackBody } from './outbox.ts';
import type { FinishedFile } from './relay-session.ts';

export const EVENT_STREAM_END = 0;
export const EVENT_STREAM_START = 1;
export const EVENT_RECORD_FILE = 100;

export interface CallbackContext {
  appid: number;
  /** Push domain, e.g. `127.0.0.1:8080`. */
  app: string;
  streamId: string;
  recordId: number | null;
  /** The push URL's query string as the cloud reports it. */
  streamParam: string;
}

export function streamParam(recordId: number | null, recordTypes: readonly string[]): string {
  const parts: string[] = [];
  if (recordTypes.length) parts.push(`record=${recordTypes.join('|')}`);
  if (recordId !== null) parts.push(`recordId=${recordId}`, `userdefinerecordid=${recordId}`);
  return parts.join('&');
}

let sequence = 0;

export function streamEvent(
  ctx: CallbackContext,
  eventType: typeof EVENT_STREAM_START | typeof EVENT_STREAM_END,
  err: { code: number; message: string } = { code: 0, message: '' },
): CallbackBody {
  sequence += 1;
  const body: CallbackBody = {
    event_type: eventType,
    appid: ctx.appid,
    app: ctx.app,
    appname: 'live',
    stream_id: ctx.streamId,
    channel_id: ctx.streamId,
    sequence: `${Date.now()}${String(sequence).padStart(6, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    errcode: err.code,
    errmsg: err.message,
    user_ip: '127.0.0.1',
    node: '127.0.0.1',
    stream_param: ctx.streamParam,
  };
  if (ctx.recordId !== null) body.userdefinerecordid = ctx.recordId;
  return body;
}

export function recordFileEvent(ctx: CallbackContext, file: FinishedFile, videoUrl: string): CallbackBody {
  const body: CallbackBody = {
    event_type: EVENT_RECORD_FILE,
    appid: ctx.appid,
    app: ctx.app,
    appname: 'live',
    stream_id: ctx.streamId,
    channel_id: ctx.streamId,
    file_id: file.fileId,
    record_file_id: file.fileId,
    file_format: file.format,
    task_id: file.fileId,
    start_time: file.startTime,
    end_time: file.endTime,
    start_time_usec: file.startTimeUsec,
    end_time_usec: file.endTimeUsec,
    duration: Math.round(file.duration),
    file_size: file.fileSize,
    video_url: videoUrl,
    video_id: `local_${file.fileId}`,
    media_start_time: 0,
    stream_param: ctx.streamParam,
  };
  if (ctx.recordId !== null) body.userdefinerecordid = ctx.recordId;
  return body;
}
