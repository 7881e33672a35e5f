/**
 * TRTC cloud-recording callbacks (the "new" cloud recording: REST `CreateCloudRecording`, and console auto-recording
 * into VOD), as Tencent documents them:
 * - body `{ EventGroupId: 3, EventType, CallbackTs (ms), EventInfo: { RoomId, EventTs, UserId, TaskId, Payload } }`
 *   — "Cloud Recording Callback", https://www.tencentcloud.com/document/product/647/54914
 *   (zh: https://cloud.tencent.com/document/product/647/81113);
 * - header `Sign = base64(hmacsha256(key, body))` over the raw body, `key` the callback key set in the TRTC console —
 *   "Verify Signature Example", https://www.tencentcloud.com/document/product/647/54912
 *   (zh: https://cloud.tencent.com/document/product/647/90450);
 * - the files: `EventType` 311 (EVENT_TYPE_CLOUD_RECORDING_VOD_COMMIT, `Payload.TencentVod.{UserId, TrackType,
 *   MediaId, FileId, VideoUrl, CacheFile}` with `Payload.Status` 0 on success) for VOD storage, and 310
 *   (EVENT_TYPE_CLOUD_RECORDING_MP4_STOP, `Payload.FileList` of MP4 names) for COS storage.
 * Pure functions: the route is in `trtc-recording-routes.ts`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCodes } from '../../src/contract/errors.ts';
import {
  asRecordId,
  canonicalJson,
  NotificationError,
  type RecordingFields,
  type StoredNotification,
} from './notification.ts';

/** Event group of cloud recording (page recording is 8, not handled). */
export const TRTC_RECORDING_GROUP = 3;
export const TrtcRecordingEvents = {
  /** EVENT_TYPE_CLOUD_RECORDING_MP4_STOP: MP4 files written to COS (`Payload.FileList`). */
  MP4_STOP: 310,
  /** EVENT_TYPE_CLOUD_RECORDING_VOD_COMMIT: one file uploaded to VOD (`Payload.TencentVod`). */
  VOD_COMMIT: 311,
} as const;

/** Files one 310 callback may list; a longer list is kept raw, not indexed. */
export const MAX_FILES_PER_CALLBACK = 64;

/** `Sign` as Tencent computes it: base64(HMAC-SHA256(key, raw body)). */
export function trtcSign(key: string, rawBody: string): string {
  return createHmac('sha256', key).update(rawBody, 'utf8').digest('base64');
}

/** Whether `sign` is the body's signature (constant-time compare). */
export function verifyTrtcSign(key: string, rawBody: string, sign: unknown): boolean {
  if (typeof sign !== 'string' || sign.length > 128) return false;
  const want = Buffer.from(trtcSign(key, rawBody));
  const got = Buffer.from(sign);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** A TRTC callback body: `EventGroupId`, `EventType`, `CallbackTs`, `EventInfo` (checked before anything is stored). */
export interface TrtcCallback {
  EventGroupId: number;
  EventType: number;
  CallbackTs: number;
  EventInfo: Record<string, unknown>;
}

/** Whether a parsed body has the TRTC callback shape (used to point a misrouted one to the right route). */
export function looksLikeTrtcCallback(body: Record<string, unknown>): boolean {
  return 'EventGroupId' in body && 'EventType' in body && 'EventInfo' in body;
}

export function asTrtcCallback(body: Record<string, unknown>): TrtcCallback {
  const { EventGroupId, EventType, CallbackTs, EventInfo } = body;
  if (!Number.isSafeInteger(EventGroupId) || !Number.isSafeInteger(EventType)) {
    throw new NotificationError(
      ErrorCodes.BAD_BODY,
      'A TRTC callback needs integer "EventGroupId" and "EventType".',
    );
  }
  if (typeof EventInfo !== 'object' || EventInfo === null || Array.isArray(EventInfo)) {
    throw new NotificationError(ErrorCodes.BAD_BODY, 'A TRTC callback needs an "EventInfo" object.');
  }
  return {
    EventGroupId: EventGroupId as number,
    EventType: EventType as number,
    CallbackTs: typeof CallbackTs === 'number' ? CallbackTs : 0,
    EventInfo: EventInfo as Record<string, unknown>,
  };
}

export interface TrtcRecordingContext {
  /** The `SdkAppId` header, for the stream id. */
  sdkAppId: string | null;
  /** `TRTC_RECORDING_FILE_BASE_URL`: where COS files (event 310) are served from; without it they are stored raw. */
  fileBaseUrl?: string;
}

/**
 * What to store for one TRTC callback: one notification per recorded file (310 may list several), or one raw
 * notification for any other event. Identities survive Tencent's retries (which resend the body with a new
 * `CallbackTs`): `trtc:311:{TaskId}:{FileId}`, `trtc:310:{TaskId}:{file name}`, else `trtc:{EventType}:sha256:{hash of
 * the body without CallbackTs}`.
 */
export function trtcToStored(
  cb: TrtcCallback,
  body: Record<string, unknown>,
  ctx: TrtcRecordingContext,
): StoredNotification[] {
  const info = cb.EventInfo;
  const payload = objectOr(info.Payload);
  const taskId = text(info.TaskId);
  const raw = JSON.stringify(body);
  const stored = (identity: string, recording: RecordingFields | null): StoredNotification => ({
    identity,
    eventType: cb.EventType,
    streamId: recording?.streamId ?? null,
    body: raw,
    recording,
    status: null,
  });
  if (cb.EventGroupId === TRTC_RECORDING_GROUP && taskId) {
    if (cb.EventType === TrtcRecordingEvents.VOD_COMMIT) {
      const vod = objectOr(payload.TencentVod);
      const fileId = text(vod.FileId);
      const url = text(vod.VideoUrl);
      if (Number(payload.Status ?? 0) === 0 && fileId && url) {
        return [
          stored(`trtc:311:${taskId}:${fileId}`, fileOf(cb, vod, url, text(vod.CacheFile) ?? url, ctx)),
        ];
      }
    }
    if (cb.EventType === TrtcRecordingEvents.MP4_STOP && Array.isArray(payload.FileList)) {
      // At most MAX_FILES_PER_CALLBACK distinct names (a task's MP4s); each is one stored notification.
      const names = [...new Set(payload.FileList.map(text).filter((n): n is string => n !== null))];
      if (names.length > 0 && names.length <= MAX_FILES_PER_CALLBACK) {
        return names.map((name) => {
          const url = fileUrlOf(name, ctx.fileBaseUrl);
          return stored(`trtc:310:${taskId}:${name}`, url ? fileOf(cb, {}, url, name, ctx) : null);
        });
      }
    }
  }
  const rest = { ...body };
  delete rest.CallbackTs;
  return [
    stored(
      `trtc:${cb.EventType}:sha256:${createHash('sha256').update(canonicalJson(rest)).digest('hex')}`,
      null,
    ),
  ];
}

/**
 * The recording of one file. Stream id: Tencent's default CDN stream id for the recorded user,
 * `{SdkAppId}_{RoomId}_{UserId}_{main|aux}`, so that it lines up with the relayed stream (`{SdkAppId}_{RoomId}_mix` for
 * mixed recordings, which carry no user). Record id: `UserDefineRecordId` where Tencent puts one, else the `TaskId`
 * when it is a valid record id. Times: `StartTimeStamp`/`EndTimeStamp` (ms or s) when present, else `EventTs`.
 */
function fileOf(
  cb: TrtcCallback,
  vod: Record<string, unknown>,
  url: string,
  name: string,
  ctx: TrtcRecordingContext,
): RecordingFields {
  const info = cb.EventInfo;
  const payload = objectOr(info.Payload);
  const room = text(info.RoomId) ?? 'room';
  const user = text(vod.UserId);
  const media = text(vod.MediaId) === 'aux' ? 'aux' : 'main';
  const prefix = ctx.sdkAppId ? `${ctx.sdkAppId}_${room}` : room;
  const eventTs = seconds(info.EventTs) ?? Math.floor(cb.CallbackTs / 1000);
  const startTime = seconds(vod.StartTimeStamp) ?? eventTs;
  const endTime = seconds(vod.EndTimeStamp) ?? eventTs;
  return {
    streamId: user ? `${prefix}_${user}_${media}` : `${prefix}_mix`,
    recordId:
      asRecordId(vod.UserDefineRecordId) ??
      asRecordId(payload.UserDefineRecordId) ??
      asRecordId(info.UserDefineRecordId) ??
      asRecordId(info.TaskId),
    fileFormat: formatOf(url) ?? formatOf(name) ?? 'mp4',
    startTime,
    endTime,
    duration: Math.max(0, endTime - startTime),
    fileSize: 0,
    url,
  };
}

/** Where the bucket serves file `name`: under `base` only (no scheme, host or `..` escaping it), else `null`. */
function fileUrlOf(name: string, base: string | undefined): string | null {
  if (!base) return null;
  try {
    const url = new URL(name.replace(/^\/+/, ''), base).href;
    return url.startsWith(base) ? url : null;
  } catch {
    return null;
  }
}

function formatOf(name: string): string | null {
  const m = /\.(m3u8|flv|mp4|mp3|aac|m4a)(?:[?#]|$)/i.exec(name);
  if (!m) return null;
  const ext = m[1].toLowerCase();
  return ext === 'm3u8' ? 'hls' : ext === 'm4a' ? 'aac' : ext;
}

/** Unix seconds from a number or numeric string in seconds or milliseconds. */
function seconds(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return null;
  const s = n > 1e11 ? Math.floor(n / 1000) : Math.floor(n);
  return s <= 4_102_444_800 ? s : null;
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.slice(0, 1024);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function objectOr(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
