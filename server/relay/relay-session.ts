/**
 * A running relay (旁路) of one stream: HTTP-FLV viewers fed from the hub, one copy-only ffmpeg that writes the
 * live HLS (1 s segments, sliding playlist, old segments deleted) and every requested recording, and optionally
 * an RTMP push to the local RTMP server. Stopping ends the muxer's input so every file is finalised (MP4 with
 * faststart and a duration), then measures the files.
 */
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FlvConsumer, FlvHub } from './flv-hub.ts';
import { ffprobe, finishFfmpeg, spawnFfmpeg, type FfmpegChild, type FfmpegExit } from './ffmpeg.ts';
import type { RecordFileType, RelayOptions } from './relay-options.ts';
import { numericId, videoSizeFromFlv } from './callbacks.ts';

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

export interface RelaySessionOptions {
  streamId: string;
  options: RelayOptions;
  hub: FlvHub;
  /** Parent of the live HLS directories; this session's is deleted on stop. */
  liveRoot: string;
  /** Root of recordings; this session writes under `{recordingsRoot}/{streamId}/{sessionId}/`. */
  recordingsRoot: string;
  /** `rtmp://…/live/{streamId}` to push to, or null. */
  rtmpUrl: string | null;
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

export class RelaySession {
  readonly startedAt = Date.now();
  readonly sessionId: string;
  readonly dir: string;
  /** This session's live HLS directory (playlist + segments), removed on stop. */
  readonly liveDir: string;
  private readonly muxer: FfmpegChild;
  private readonly rtmp: FfmpegChild | null;
  private readonly detachMuxer: () => void;
  private detachRtmp: () => void = () => {};
  private readonly viewers = new Set<{ consumer: FlvConsumer; detach: () => void }>();
  private stopping: Promise<FinishedFile[]> | null = null;
  /** Set when the muxer died while the relay was running. */
  failure: FfmpegExit | null = null;
  readonly muxerExited: Promise<FfmpegExit>;
  /** Resolves with a reason if the muxer or the RTMP push dies while the relay runs (never otherwise). */
  readonly failed: Promise<string>;
  /** Video size from the stream's FLV metadata (0 × 0 until known, and for audio-only), for callbacks. */
  videoSize = { width: 0, height: 0 };

  private constructor(
    private readonly o: RelaySessionOptions,
    sessionId: string,
  ) {
    this.sessionId = sessionId;
    this.dir = join(o.recordingsRoot, o.streamId, sessionId);
    this.liveDir = join(o.liveRoot, `${o.streamId}-${sessionId}`);
    this.muxer = spawnFfmpeg(this.muxerArgs());
    this.detachMuxer = o.hub.subscribe(pipeConsumer(this.muxer));
    this.muxerExited = this.muxer.exited.then((exit) => {
      if (!this.stopping) this.failure = exit;
      return exit;
    });
    this.rtmp = o.rtmpUrl
      ? spawnFfmpeg(['-f', 'flv', '-i', 'pipe:0', '-c', 'copy', '-f', 'flv', o.rtmpUrl])
      : null;
    if (this.rtmp) this.detachRtmp = o.hub.subscribe(pipeConsumer(this.rtmp));
    const died = (what: string, exit: FfmpegExit): string =>
      `${what} exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-200) || 'no output'}`;
    const rtmp = this.rtmp;
    this.failed = new Promise<string>((resolve) => {
      void this.muxerExited.then((exit) => {
        if (this.failure) resolve(died('relay muxer', exit));
      });
      void rtmp?.exited.then((exit) => {
        if (!this.stopping) resolve(died(`RTMP push to ${o.rtmpUrl}`, exit));
      });
    });
    this.watchVideoSize();
  }

  /** Reads width/height from the metadata in the hub's prefix (a one-shot consumer). */
  private watchVideoSize(): void {
    let done = false;
    const detach = this.o.hub.subscribe({
      write: (chunk) => {
        if (done) return;
        done = true;
        this.videoSize = videoSizeFromFlv(chunk);
        queueMicrotask(() => detach()); // the hub adds the consumer after this first write returns
      },
      end() {},
    });
  }

  static async start(o: RelaySessionOptions): Promise<RelaySession> {
    const sessionId = `${Math.floor(Date.now() / 1000)}-${randomBytes(3).toString('hex')}`;
    await mkdir(join(o.liveRoot, `${o.streamId}-${sessionId}`), { recursive: true });
    const dir = join(o.recordingsRoot, o.streamId, sessionId);
    if (o.options.recordFileTypes.includes('hls')) await mkdir(join(dir, 'hls'), { recursive: true });
    else if (o.options.recordFileTypes.length) await mkdir(dir, { recursive: true });
    return new RelaySession(o, sessionId);
  }

  get options(): RelayOptions {
    return this.o.options;
  }

  get livePlaylist(): string {
    return join(this.liveDir, 'index.m3u8');
  }

  private muxerArgs(): string[] {
    const { streamId, options } = this.o;
    const copy = (format: string, ...rest: string[]): string[] => [
      '-map',
      '0',
      '-c',
      'copy',
      '-f',
      format,
      ...rest,
    ];
    const hls = (dir: string, ...flags: string[]): string[] =>
      copy('hls', ...flags, '-hls_segment_filename', join(dir, 'seg%d.ts'), join(dir, 'index.m3u8'));
    // The hub starts every consumer with metadata + both sequence headers, so a long probe only delays the first
    // segment. Output 1 is the live HLS; then one output per recording.
    // prettier-ignore
    const args = [
      '-fflags', '+genpts', '-probesize', '32768', '-analyzeduration', '300000', '-f', 'flv', '-i', 'pipe:0',
      ...hls(this.liveDir, '-hls_time', '1', '-hls_list_size', '6', '-hls_base_url', `${streamId}/`,
        '-hls_flags', 'delete_segments+independent_segments+temp_file'),
    ];
    const file = (ext: string): string => join(this.dir, `${streamId}.${ext}`);
    for (const type of options.recordFileTypes) {
      if (type === 'hls') {
        args.push(
          ...hls(
            join(this.dir, 'hls'),
            '-hls_time',
            '2',
            '-hls_list_size',
            '0',
            '-hls_playlist_type',
            'event',
          ),
        );
      } else if (type === 'flv') {
        // Recordings are written through (`-flush_packets 1`): a crash loses at most the last packet.
        args.push(...copy('flv', '-flush_packets', '1', file('flv')));
      } else if (type === 'mp4') {
        // Fragmented while recording, so a crash leaves a readable file; remuxed with faststart on stop.
        args.push(
          ...copy(
            'mp4',
            '-flush_packets',
            '1',
            '-movflags',
            '+frag_keyframe+empty_moov+default_base_moof',
            mp4Part(this.dir, streamId),
          ),
        );
      } else if (type === 'mp3') {
        // prettier-ignore
        args.push('-map', '0:a', '-c:a', 'libmp3lame', '-b:a', '96k', '-flush_packets', '1', '-f', 'mp3', file('mp3'));
      }
    }
    return args;
  }

  /** Attaches an HTTP-FLV viewer; it starts at a keyframe. Ended when the relay stops. */
  addViewer(consumer: FlvConsumer): () => void {
    const detach = this.o.hub.subscribe(consumer);
    const entry = { consumer, detach };
    this.viewers.add(entry);
    return () => {
      detach();
      this.viewers.delete(entry);
    };
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Stops the relay: ends viewers, finalises every recording, removes the live HLS. Idempotent. */
  stop(): Promise<FinishedFile[]> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<FinishedFile[]> {
    const endTimeMs = Date.now();
    for (const v of this.viewers) {
      v.detach();
      v.consumer.end();
    }
    this.viewers.clear();
    this.detachMuxer();
    this.detachRtmp();
    const rtmpDone = this.rtmp ? finishFfmpeg(this.rtmp, 3000) : Promise.resolve(null);
    await finishFfmpeg(this.muxer);
    await rtmpDone;
    await rm(this.liveDir, { recursive: true, force: true });
    return finishRecordings({
      recordingsRoot: this.o.recordingsRoot,
      streamId: this.o.streamId,
      sessionId: this.sessionId,
      formats: this.o.options.recordFileTypes,
      startedAt: this.startedAt,
      endedAt: endTimeMs,
    });
  }
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

/** A hub consumer that writes into an ffmpeg's stdin. */
function pipeConsumer(child: FfmpegChild): FlvConsumer {
  return {
    write(chunk) {
      if (child.proc.stdin.writable) child.proc.stdin.write(chunk);
    },
    end() {
      child.proc.stdin.end();
    },
  };
}
