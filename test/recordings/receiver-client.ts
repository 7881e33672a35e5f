/**
 * The recording tests' side of the servers test/support runs: the real callback receiver (receiver.plugin.mjs: signed
 * callbacks in, list and live updates out) and a backend that hands out whatever rows a test gives it
 * (recordings-backend.plugin.mjs). Used by the list session's tests and `<recording-list>`'s.
 */
import { expect } from '@open-wc/testing';

export interface ReceiverInfo {
  url: string;
  key: string;
  deadUrl: string;
}

/** A stream/file id no other test uses. */
export const uid = (p: string) => `${p}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
/** A recorded file the receiver support serves (made by ffmpeg). */
export const mediaUrl = (file: string) => `${location.origin}/receiver-support/media/${file}`;

/** Sends a real-shaped, correctly signed recording callback to the running receiver. */
export async function notify(fileId: string, fields: Record<string, unknown>): Promise<void> {
  const res = await fetch('/receiver-support/notify', {
    method: 'POST',
    body: JSON.stringify({
      appid: 1251457656,
      event_type: 100,
      file_format: 'mp4',
      file_id: fileId,
      record_file_id: fileId,
      duration: 63,
      start_time: 1_700_000_000,
      end_time: 1_700_000_063,
      file_size: 1_349_000,
      stream_param: 'bizid=11220&record=mp4',
      video_url: mediaUrl('av.mp4'),
      ...fields,
    }),
  });
  const out = (await res.json()) as { status: number };
  expect(out.status, 'receiver acknowledged').to.equal(200);
}

/** The three files (MP4, HLS, FLV) one push writes, each with its own callback, seconds apart. */
export async function notifyTake(
  stream: string,
  startTime: number,
  fields: Record<string, unknown> = {},
): Promise<void> {
  for (const [i, fmt] of ['hls', 'mp4', 'flv'].entries())
    await notify(uid('f'), {
      stream_id: stream,
      file_format: fmt,
      start_time: startTime + i,
      end_time: startTime + i + 63,
      ...fields,
    });
}

/** A second backend speaking the receiver's read API with whatever rows a test gives it (recordings-backend plugin). */
export async function backend(rows: unknown[], readKey?: string): Promise<string> {
  const name = uid('b');
  await fetch(`/recordings-backend/${name}/setup`, {
    method: 'POST',
    body: JSON.stringify({ rows, readKey }),
  });
  return `${location.origin}/recordings-backend/${name}`;
}
/** Posts to the backend's control routes (`emit`, `drop`, `sign`). */
export async function backendPost(endpoint: string, what: string, body: unknown = {}): Promise<unknown> {
  return (await fetch(`${endpoint}/${what}`, { method: 'POST', body: JSON.stringify(body) })).json();
}
/** A recording row as a backend stores it, with `fields` over sane defaults. */
export const row = (fields: Record<string, unknown>) => ({
  id: uid('r'),
  streamId: 'cam',
  recordId: null,
  fileFormat: 'mp4',
  startTime: 1_700_000_000,
  endTime: 1_700_000_012,
  duration: 12,
  fileSize: 3_100_000,
  url: mediaUrl('av.mp4'),
  ...fields,
});

/** Where the running receiver is (started on first use), and a URL nothing answers on. */
export async function receiverInfo(): Promise<ReceiverInfo> {
  return (await (await fetch('/receiver-support')).json()) as ReceiverInfo;
}
