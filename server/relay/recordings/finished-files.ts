/**
 * Finished recordings: where each file of a session lives, the MP4 remuxed with its index first, and the
 * measurements (size, duration) its callback and answer carry. Used when a relay stops and by crash recovery.
 */
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ffprobe, spawnFfmpeg } from '../relay/ffmpeg.ts';
import type { RecordFileType } from '../streams/relay-options.ts';
import { numericId } from '../callbacks/numeric-id.ts';

export interface FinishedFile {
  fileId: string;
  format: RecordFileType;
  /** Path relative to the recordings root, with `/` separators (becomes the URL path). */
  relPath: string;
  startTime: number;
  endTime: number;
  startTimeUsec: number;
  endTimeUsec: number;
  duration: number;
  fileSize: number;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isFile()) total += (await stat(join(dir, e.name))).size;
  }
  return total;
}

async function playlistDuration(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  let d = 0;
  for (const m of text.matchAll(/#EXTINF:([\d.]+)/g)) d += Number(m[1]);
  return d;
}

/** The fragmented MP4 written while recording (a dot file: never served). */
export function mp4Part(dir: string, streamId: string): string {
  return join(dir, `.${streamId}.fmp4`);
}

/** Path of a recording relative to the recordings root, with `/` separators (becomes the URL path). */
export function recordingRelPath(streamId: string, sessionId: string, format: RecordFileType): string {
  return format === 'hls'
    ? `${streamId}/${sessionId}/hls/index.m3u8`
    : `${streamId}/${sessionId}/${streamId}.${format}`;
}

/** Remuxes the fragmented MP4 of a session into `{streamId}.mp4` with the index first (plays from the start). */
async function finishMp4(dir: string, streamId: string): Promise<void> {
  const part = mp4Part(dir, streamId);
  try {
    await stat(part);
  } catch {
    return; // nothing recorded, or already finished
  }
  const out = join(dir, `${streamId}.mp4`);
  const tmp = join(dir, `.${streamId}.mp4.tmp`);
  // prettier-ignore
  const exit = await spawnFfmpeg(['-y', '-i', part, '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', tmp]).exited;
  if (exit.code === 0) {
    await rename(tmp, out);
    await rm(part, { force: true });
  } else {
    await rm(tmp, { force: true });
  }
}

export interface FinishRecordingsInput {
  recordingsRoot: string;
  streamId: string;
  sessionId: string;
  formats: readonly RecordFileType[];
  /** Unix ms. */
  startedAt: number;
  endedAt: number;
}

/**
 * Turns what the muxer wrote for one session into finished files (MP4 remuxed from its fragmented part) and
 * measures each one; formats for which nothing playable was recorded are left out.
 */
export async function finishRecordings(i: FinishRecordingsInput): Promise<FinishedFile[]> {
  const dir = join(i.recordingsRoot, i.streamId, i.sessionId);
  if (i.formats.includes('mp4')) await finishMp4(dir, i.streamId);
  const files: FinishedFile[] = [];
  for (const format of i.formats) {
    const relPath = recordingRelPath(i.streamId, i.sessionId, format);
    const abs = join(i.recordingsRoot, relPath);
    try {
      const fileSize = format === 'hls' ? await dirSize(join(dir, 'hls')) : (await stat(abs)).size;
      const duration = format === 'hls' ? await playlistDuration(abs) : (await ffprobe(abs)).duration;
      if (fileSize === 0 || !(duration > 0)) continue; // nothing was recorded (stream ended before any media)
      files.push({
        fileId: numericId(),
        format,
        relPath,
        startTime: Math.floor(i.startedAt / 1000),
        endTime: Math.floor(i.endedAt / 1000),
        startTimeUsec: (i.startedAt % 1000) * 1000,
        endTimeUsec: (i.endedAt % 1000) * 1000,
        duration: Math.round(duration * 1000) / 1000,
        fileSize,
      });
    } catch {
      // missing or unreadable: the muxer produced nothing for this type
    }
  }
  return files;
}
