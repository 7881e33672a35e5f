/**
 * Callback bodies in the shape Tencent CSS posts them. `t` and `sign` are added by the outbox on each attempt.
 *
 * Sources (field names, JSON types, meanings):
 * - push (1) / stream end (0): "推断流事件通知" https://cloud.tencent.com/document/product/267/47025
 *   (English: https://www.tencentcloud.com/document/product/267/38081). `sequence` is one push's id, shared by its
 *   1 and its 0; `push_duration` (string, ms) only on 0; `errcode`/`errmsg` from "断流错误码"
 *   https://cloud.tencent.com/document/product/267/31083 ; `width`/`height` ints, 0 while the header is unknown.
 * - recording file (100): "录制文件事件通知" https://cloud.tencent.com/document/product/267/47026
 *   (https://www.tencentcloud.com/zh/document/product/267/38082). `file_id` is a VOD FileId (a string of digits);
 *   `task_id` the recording task (one per relay run, = `session_id` in `callback_ext`, as in a 2025 capture);
 *   `record_bps` the bitrate (kbps) of the transcoded stream a recording pulls, 0 for the original stream (all the
 *   local relay records); `record_temp_id` the recording template id (a string), "0" as the relay records by push
 *   parameters, not by a template; `callback_ext` a JSON string `{video_codec, session_id, resolution}`;
 *   `media_start_time` "录制开始拉流收到的首帧 pts" — the position (ms) in the push at which recording began pulling.
 * - `set_id` on 0/1: "1–6 Chinese mainland, 7–200 elsewhere" (267/47025); 2, the value of every Tencent example
 *   and capture, as a local relay has no region.
 * - `stream_param`: the push URL's query as Tencent reports it, `txSecret=…&txTime=…` first (267/47026 example
 *   `bizid=…&txSecret=…&txTime=…&record=hls&record_interval=5400`), then `record=…` and TRTC's `userdefinerecordid`.
 * Recorded sample bodies with their source URLs: `test/server/relay/fixtures/tencent-callbacks.json`; each field's
 * source: `test/server/fixtures/tencent-callback-fields.json`.
 */
import type { FinishedFile } from '../recordings/finished-files.ts';
import type { RecordFileType } from '../streams/relay-options.ts';
import type { TxCredential } from '../../shared/tx-secret.ts';

export const EVENT_STREAM_END = 0;
export const EVENT_STREAM_START = 1;
export const EVENT_RECORD_FILE = 100;
export type CallbackEventType =
  typeof EVENT_STREAM_END | typeof EVENT_STREAM_START | typeof EVENT_RECORD_FILE;

export type CallbackBody = Record<string, string | number>;

/** Everything the callbacks of one push (one relay run) share; persisted so a restart can finish the push. */
export interface PushContext {
  /** Tencent `sequence`: one push's id, a string of digits shared by its 1 and its 0. */
  sequence: string;
  appid: number;
  /** Push domain (`app`), e.g. `127.0.0.1:8080`. */
  app: string;
  streamId: string;
  recordId: string | null;
  recordFileTypes: RecordFileType[];
  /** The push URL's query string as the cloud reports it (`stream_param`). */
  streamParam: string;
  /** Base of `video_url` (`http://host:port`). */
  baseUrl: string;
  /** Where the push came from (`user_ip`). */
  userIp: string;
  /** Unix ms when the push (relay) started. */
  startedAt: number;
  /**
   * Milliseconds into the push (since the stream was created) at which the relay, and so the recording, began
   * pulling it: Tencent's `media_start_time`. Absent in contexts journaled by an older relay (then 0).
   */
  mediaStartTime?: number;
  width: number;
  height: number;
}

/** Why a push ended: Tencent's 断流错误码 (https://cloud.tencent.com/document/product/267/31083). */
export interface StreamEndReason {
  errcode: number;
  errmsg: string;
}

export const StreamEnd = {
  /** 1: 推流客户端主动断流 — the pusher stopped (stop button, ingest closed). */
  clientStopped: (): StreamEndReason => ({ errcode: 1, errmsg: 'push stopped by the client' }),
  /** 20: 系统主动断开长时间无数据的推流 — no media for too long. */
  idle: (detail: string): StreamEndReason => ({ errcode: 20, errmsg: detail }),
  /** 5: 直播系统内部错误 — a relay process (transcoder, muxer, RTMP push) failed, or the relay crashed. */
  internal: (detail: string): StreamEndReason => ({ errcode: 5, errmsg: detail }),
  /** 10: 代理层收到断流命令 — the relay itself was shut down. */
  shutdown: (): StreamEndReason => ({ errcode: 10, errmsg: 'relay shutting down' }),
} as const;

/** Tencent's `set_id` (region of the push): 2, the value of every documented example and capture. */
export const SET_ID = 2;
/** Tencent's `record_temp_id`: no recording template (the relay records by push parameters). */
export const NO_RECORD_TEMPLATE = '0';

/**
 * `stream_param`: the push URL's query as Tencent's relay reports it — the push credential (`txSecret`, `txTime`)
 * when push auth is on, the recording parameter, and TRTC's record id (`userdefinerecordid`, which the receiver reads
 * back as the record id of 0/1 events).
 */
export function streamParam(
  recordId: string | null,
  recordTypes: readonly string[],
  credential: TxCredential | null = null,
): string {
  const parts: string[] = [];
  if (credential) parts.push(`txSecret=${credential.txSecret}`, `txTime=${credential.txTime}`);
  if (recordTypes.length) parts.push(`record=${recordTypes.join('|')}`);
  if (recordId !== null) parts.push(`userdefinerecordid=${recordId}`);
  return parts.join('&');
}

function common(ctx: PushContext): CallbackBody {
  return {
    appid: ctx.appid,
    app: ctx.app,
    appname: 'live',
    stream_id: ctx.streamId,
    channel_id: ctx.streamId,
  };
}

/** Event 1: the push (relay) started. */
export function pushStartEvent(ctx: PushContext): CallbackBody {
  return {
    event_type: EVENT_STREAM_START,
    ...common(ctx),
    event_time: Math.floor(ctx.startedAt / 1000),
    sequence: ctx.sequence,
    set_id: SET_ID,
    node: '127.0.0.1',
    user_ip: ctx.userIp,
    stream_param: ctx.streamParam,
    errcode: 0,
    errmsg: 'ok',
    width: ctx.width,
    height: ctx.height,
  };
}

/** Event 0: the push ended at `endedAt` (unix ms) for `reason`. */
export function streamEndEvent(ctx: PushContext, endedAt: number, reason: StreamEndReason): CallbackBody {
  return {
    event_type: EVENT_STREAM_END,
    ...common(ctx),
    event_time: Math.floor(endedAt / 1000),
    sequence: ctx.sequence,
    set_id: SET_ID,
    node: '127.0.0.1',
    user_ip: ctx.userIp,
    stream_param: ctx.streamParam,
    push_duration: String(Math.max(0, endedAt - ctx.startedAt)),
    errcode: reason.errcode,
    errmsg: reason.errmsg,
    width: ctx.width,
    height: ctx.height,
  };
}

/** Event 100: one finished recording file, served at `videoUrl`. */
export function recordFileEvent(ctx: PushContext, file: FinishedFile, videoUrl: string): CallbackBody {
  const body: CallbackBody = {
    event_type: EVENT_RECORD_FILE,
    ...common(ctx),
    file_id: file.fileId,
    record_file_id: file.fileId,
    file_format: file.format,
    start_time: file.startTime,
    end_time: file.endTime,
    start_time_usec: file.startTimeUsec,
    end_time_usec: file.endTimeUsec,
    duration: Math.round(file.duration),
    file_size: file.fileSize,
    video_url: videoUrl,
    video_id: `local_${file.fileId}`,
    media_start_time: Math.max(0, Math.round(ctx.mediaStartTime ?? 0)),
    stream_param: ctx.streamParam,
    task_id: ctx.sequence,
    record_bps: 0,
    record_temp_id: NO_RECORD_TEMPLATE,
    callback_ext: callbackExt(ctx),
  };
  if (ctx.recordId !== null) body.userdefinerecordid = ctx.recordId;
  return body;
}

/**
 * `callback_ext`: a JSON object in a string — `video_codec` (the relay records H.264), `session_id` (the recording
 * task, = `task_id`), `resolution` (`WxH`); the video keys only when the push had video.
 */
export function callbackExt(ctx: PushContext): string {
  const video = ctx.width > 0 && ctx.height > 0;
  return JSON.stringify({
    ...(video ? { video_codec: 'h264' } : {}),
    session_id: ctx.sequence,
    ...(video ? { resolution: `${ctx.width}x${ctx.height}` } : {}),
  });
}

/** The callback URL setting each event type uses, as Tencent's console has one per event. */
export function eventKind(eventType: number): 'push' | 'streamEnd' | 'record' | null {
  if (eventType === EVENT_STREAM_START) return 'push';
  if (eventType === EVENT_STREAM_END) return 'streamEnd';
  if (eventType === EVENT_RECORD_FILE) return 'record';
  return null;
}

/**
 * Reads `width`/`height` from an FLV `onMetaData` script tag (AMF0: `<u16 len>"width"` then `0x00` + a
 * big-endian double). Returns zeros when absent, as Tencent does before it has seen the video header.
 */
export function videoSizeFromFlv(flv: Buffer): { width: number; height: number } {
  const read = (key: string): number => {
    const needle = Buffer.concat([
      Buffer.from([0, key.length]),
      Buffer.from(key, 'latin1'),
      Buffer.from([0]),
    ]);
    const at = flv.indexOf(needle);
    if (at < 0 || at + needle.length + 8 > flv.length) return 0;
    const v = flv.readDoubleBE(at + needle.length);
    return Number.isFinite(v) && v > 0 && v < 100_000 ? Math.round(v) : 0;
  };
  return { width: read('width'), height: read('height') };
}
