/**
 * The life of a push in the outbox's journal, and what the next start does about pushes a crash left open.
 *
 * `beginPush` journals a push (its context, its session folder) in the same transaction as its start event (1);
 * `endPush` queues its recording events (100s) and its end (0) in the same transaction that closes it. A relay
 * killed in between (kill -9, power loss) leaves the push open with its files half-written: `recoverPushes`, run at
 * start before anything else, makes every file playable (MP4 remuxed from its fragmented part, FLV/MP3 remuxed so
 * their headers carry a duration, the HLS playlist closed and unlisted segments removed), measures them, queues the
 * missing 100s and the 0 (errcode 5, Tencent's "直播系统内部错误"), and empties the live-HLS work folder.
 */
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnFfmpeg } from '../relay/ffmpeg.ts';
import type { Outbox } from '../callbacks/outbox.ts';
import {
  pushStartEvent,
  recordFileEvent,
  streamEndEvent,
  StreamEnd,
  type PushContext,
  type StreamEndReason,
} from '../callbacks/callbacks.ts';
import { finishRecordings, type FinishedFile } from './finished-files.ts';
import type { RecordFileType } from '../streams/relay-options.ts';

/** What the journal keeps for an open push. */
export interface OpenPush {
  ctx: PushContext;
  /** The relay session's folder name under `{recordings}/{streamId}/`. */
  sessionId: string;
}

/** Builds the `video_url` of a finished file (the plugin signs it when play keys are on). */
export type RecordingUrl = (ctx: PushContext, file: FinishedFile) => string;

export function beginPush(outbox: Outbox, push: OpenPush): void {
  outbox.openPush(push.ctx.sequence, push, [pushStartEvent(push.ctx)]);
}

export function endPush(
  outbox: Outbox,
  ctx: PushContext,
  files: readonly FinishedFile[],
  urlOf: RecordingUrl,
  endedAt: number,
  reason: StreamEndReason,
): void {
  outbox.closePush(ctx.sequence, [
    ...files.map((f) => recordFileEvent(ctx, f, urlOf(ctx, f))),
    streamEndEvent(ctx, endedAt, reason),
  ]);
}

export interface RecoveryInput {
  outbox: Outbox;
  recordingsRoot: string;
  liveRoot: string;
  urlOf: RecordingUrl;
  log?: (msg: string) => void;
}

export interface RecoveredPush {
  streamId: string;
  sequence: string;
  files: FinishedFile[];
}

/** Finishes every push a crash left open and empties the live work folder. Returns what it finished. */
export async function recoverPushes(input: RecoveryInput): Promise<RecoveredPush[]> {
  const log = input.log ?? (() => {});
  await emptyDir(input.liveRoot);
  const done: RecoveredPush[] = [];
  for (const { state } of input.outbox.openPushes<OpenPush>()) {
    const { ctx, sessionId } = state;
    const dir = join(input.recordingsRoot, ctx.streamId, sessionId);
    // The push ended when its files were last written (before the repairs below touch them).
    const endedAt = Math.max(ctx.startedAt, await lastWrite(dir));
    for (const format of ctx.recordFileTypes) await repair(dir, ctx.streamId, format);
    const files = await finishRecordings({
      recordingsRoot: input.recordingsRoot,
      streamId: ctx.streamId,
      sessionId,
      formats: ctx.recordFileTypes,
      startedAt: ctx.startedAt,
      endedAt,
    });
    await removeTemporaries(dir);
    endPush(
      input.outbox,
      ctx,
      files,
      input.urlOf,
      endedAt,
      StreamEnd.internal('relay process ended unexpectedly; recordings finalised after restart'),
    );
    log(`recovered push ${ctx.sequence} of ${ctx.streamId}: ${files.length} recording(s) finalised`);
    done.push({ streamId: ctx.streamId, sequence: ctx.sequence, files });
  }
  return done;
}

/** The names in `dir`; none when it is missing or unreadable (a crash may have left any of it behind, or not). */
const namesIn = (dir: string): Promise<string[]> => readdir(dir).catch(() => []);

async function emptyDir(dir: string): Promise<void> {
  const names = await namesIn(dir);
  await Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

/** Latest modification time (unix ms) of the files in `dir` and its `hls/` folder; 0 if none. */
async function lastWrite(dir: string): Promise<number> {
  let latest = 0;
  for (const d of [dir, join(dir, 'hls')]) {
    for (const n of await namesIn(d)) {
      const st = await stat(join(d, n)).catch(() => null);
      if (st?.isFile()) latest = Math.max(latest, st.mtimeMs);
    }
  }
  return Math.floor(latest);
}

/** Makes one half-written recording playable in place (MP4 is handled by `finishRecordings`). */
async function repair(dir: string, streamId: string, format: RecordFileType): Promise<void> {
  if (format === 'hls') return closePlaylist(join(dir, 'hls'));
  if (format === 'flv' || format === 'mp3') return remuxInPlace(join(dir, `${streamId}.${format}`), format);
}

/** Ends an event playlist the muxer never closed and deletes segments it never listed (cut off mid-write). */
async function closePlaylist(hlsDir: string): Promise<void> {
  const playlist = join(hlsDir, 'index.m3u8');
  let text: string;
  try {
    text = await readFile(playlist, 'utf8');
  } catch {
    return;
  }
  if (!text.includes('#EXT-X-ENDLIST')) {
    await writeFile(playlist, `${text.endsWith('\n') ? text : `${text}\n`}#EXT-X-ENDLIST\n`);
  }
  const listed = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')));
  for (const n of await readdir(hlsDir)) {
    if (n.endsWith('.ts') && !listed.has(n)) await rm(join(hlsDir, n), { force: true });
  }
}

/** Copy-remuxes a truncated FLV/MP3 so its header states the real duration; keeps the original if that fails. */
async function remuxInPlace(file: string, format: 'flv' | 'mp3'): Promise<void> {
  try {
    await stat(file);
  } catch {
    return;
  }
  const tmp = `${file}.tmp`;
  const exit = await spawnFfmpeg(['-y', '-i', file, '-map', '0', '-c', 'copy', '-f', format, tmp]).exited;
  if (exit.code === 0) await rename(tmp, file);
  else await rm(tmp, { force: true });
}

async function removeTemporaries(dir: string): Promise<void> {
  for (const n of await namesIn(dir)) if (n.endsWith('.tmp')) await rm(join(dir, n), { force: true });
}
