/**
 * A running relay (旁路) of one stream: HTTP-FLV viewers fed from the hub, a copy-only ffmpeg that writes every
 * requested recording (only when something is recorded), a copy-only ffmpeg for the live HLS (1 s segments,
 * sliding playlist, old segments deleted) that runs only while someone fetches HLS, and optionally an RTMP push to
 * the local RTMP server. Stopping ends the muxers' input so every file is finalised (MP4 with faststart and a
 * duration), then measures the files.
 */
import { mkdir, open, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FlvConsumer, FlvHub } from './flv-hub.ts';
import { finishFfmpeg, spawnFfmpeg, type FfmpegChild, type FfmpegExit } from './ffmpeg.ts';
import type { RelayOptions } from '../streams/relay-options.ts';
import { videoSizeFromFlv } from '../callbacks/callbacks.ts';
import { finishRecordings, mp4Part, type FinishedFile } from '../recordings/finished-files.ts';
import { onRtmpPlay, rtmpPlayers } from './rtmp-demand.ts';
import { segmentStartPtsMs, unwrapPts, withProgramDates } from './hls-dates.ts';

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

/**
 * The live HLS muxer stops after this long without a playlist or segment request, the RTMP push after this long
 * without an RTMP player (env `RELAY_OUTPUT_IDLE_MS`).
 */
const outputIdleMs = (): number => Number(process.env.RELAY_OUTPUT_IDLE_MS) || 30_000;

const died = (what: string, exit: FfmpegExit): string =>
  `${what} exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-200) || 'no output'}`;

export class RelaySession {
  readonly startedAt = Date.now();
  readonly sessionId: string;
  readonly dir: string;
  /** This session's live HLS directory (playlist + segments), removed on stop. */
  readonly liveDir: string;
  /** Writes the recordings; null when nothing is recorded. */
  private readonly recorder: FfmpegChild | null;
  private detachRecorder: () => void = () => {};
  /** The RTMP push while someone plays the stream over RTMP. */
  private rtmp: OnDemand | null = null;
  private stopWatchingRtmp: () => void = () => {};
  /** The start PTS (ms) of each listed live HLS segment, read once (null: none found). */
  private readonly segmentPts = new Map<string, number | null>();
  /** The live HLS muxer while HLS is being fetched. */
  private liveHls: OnDemand | null = null;
  private readonly viewers = new Set<{ consumer: FlvConsumer; detach: () => void }>();
  private stopping: Promise<FinishedFile[]> | null = null;
  /** Set when the recordings muxer died while the relay was running. */
  failure: FfmpegExit | null = null;
  /** Resolves when the recordings muxer exits (never when nothing is recorded). */
  readonly muxerExited: Promise<FfmpegExit>;
  /** Resolves with a reason if the muxer or the RTMP push dies while the relay runs (never otherwise). */
  readonly failed: Promise<string>;
  private fail: (why: string) => void = () => {};
  /** Video size from the stream's FLV metadata (0 × 0 until known, and for audio-only), for callbacks. */
  videoSize = { width: 0, height: 0 };

  private constructor(
    private readonly o: RelaySessionOptions,
    sessionId: string,
  ) {
    this.sessionId = sessionId;
    this.dir = join(o.recordingsRoot, o.streamId, sessionId);
    this.liveDir = join(o.liveRoot, `${o.streamId}-${sessionId}`);
    this.recorder = o.options.recordFileTypes.length ? spawnFfmpeg(this.recorderArgs()) : null;
    if (this.recorder) this.detachRecorder = o.hub.subscribe(pipeConsumer(this.recorder));
    this.muxerExited = this.recorder
      ? this.recorder.exited.then((exit) => {
          if (!this.stopping) this.failure = exit;
          return exit;
        })
      : new Promise(() => {});
    this.failed = new Promise<string>((resolve) => {
      this.fail = resolve;
    });
    void this.muxerExited.then((exit) => {
      if (this.failure) this.fail(died('relay muxer', exit));
    });
    if (o.rtmpUrl) {
      const path = `/live/${o.streamId}`;
      this.stopWatchingRtmp = onRtmpPlay(path, () => this.useRtmp());
      if (rtmpPlayers(path) > 0) this.useRtmp();
    }
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

  /**
   * The live playlist as written by the muxer, with each segment's capture date (`#EXT-X-PROGRAM-DATE-TIME`) when
   * the hub knows its clock. Throws while the muxer has not written one.
   */
  async readLivePlaylist(): Promise<string> {
    const text = await readFile(this.livePlaylist, 'utf8');
    const hub = this.o.hub;
    const uris = text.split('\n').filter((l) => /(^|\/)seg\d+\.ts$/.test(l.trim()));
    for (const uri of uris) {
      const name = uri.trim().replace(/^.*\//, '');
      if (this.segmentPts.has(name)) continue;
      this.segmentPts.set(name, await readSegmentPts(join(this.liveDir, name)));
    }
    // forget segments that left the window (their names are not reused while this muxer runs)
    const listed = new Set(uris.map((u) => u.trim().replace(/^.*\//, '')));
    for (const name of this.segmentPts.keys()) if (!listed.has(name)) this.segmentPts.delete(name);
    return withProgramDates(text, (uri) => {
      const pts = this.segmentPts.get(uri.replace(/^.*\//, ''));
      return pts == null ? null : hub.captureWall(unwrapPts(pts, hub.latestVideoTimestamp));
    });
  }

  /** Starts the live HLS muxer if it is not running, and keeps it running for the idle time more. */
  useLiveHls(): void {
    if (this.stopping) return;
    if (this.liveHls) this.liveHls.lastUse = Date.now();
    else
      this.liveHls = this.startOnDemand(
        [...FLV_INPUT, ...hlsOutput(this.liveDir, this.o.streamId, 'live')],
        () => false,
        () => void this.stopLiveHls(),
      );
  }

  /** Stops the live HLS muxer and removes its playlist and segments (a later request starts afresh). */
  private async stopLiveHls(): Promise<void> {
    const hls = this.liveHls;
    if (!hls) return;
    this.liveHls = null;
    this.segmentPts.clear(); // the next muxer numbers its segments from 0 again
    await hls.stop();
    if (!this.liveHls) await emptyDir(this.liveDir);
  }

  /** Starts the RTMP push (someone plays the stream over RTMP); it stops when no RTMP player is left. */
  private useRtmp(): void {
    const url = this.o.rtmpUrl;
    if (this.stopping || this.rtmp || !url) return;
    const path = `/live/${this.o.streamId}`;
    this.rtmp = this.startOnDemand(
      ['-f', 'flv', '-i', 'pipe:0', '-c', 'copy', '-f', 'flv', url],
      () => rtmpPlayers(path) > 0,
      () => void this.stopRtmp(),
    );
  }

  private async stopRtmp(): Promise<void> {
    const rtmp = this.rtmp;
    this.rtmp = null;
    await rtmp?.stop();
  }

  /**
   * An ffmpeg fed from the hub that stops (through `release`) once it has been idle for the idle time — not used
   * (`lastUse`) and not `inUse()` — or when it dies; the next use starts a new one.
   */
  private startOnDemand(args: string[], inUse: () => boolean, release: () => void): OnDemand {
    const child = spawnFfmpeg(args);
    const detach = this.o.hub.subscribe(pipeConsumer(child));
    const idle = setInterval(
      () => {
        if (inUse()) out.lastUse = Date.now();
        else if (Date.now() - out.lastUse > outputIdleMs()) release();
      },
      Math.min(outputIdleMs(), 5000),
    );
    const out: OnDemand = {
      lastUse: Date.now(),
      stop: async () => {
        clearInterval(idle);
        detach();
        await finishFfmpeg(child, 3000);
      },
    };
    void child.exited.then((exit) => {
      // An RTMP push that dies on its own (not stopped for idleness) ends the relay with an error the widget sees.
      if (this.rtmp === out && !this.stopping && exit.code !== 0)
        this.fail(died(`RTMP push to ${this.o.rtmpUrl ?? ''}`, exit));
      if (this.liveHls === out || this.rtmp === out) release();
    });
    return out;
  }

  private recorderArgs(): string[] {
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
    // One output per recording.
    const args = [...FLV_INPUT];
    const file = (ext: string): string => join(this.dir, `${streamId}.${ext}`);
    for (const type of options.recordFileTypes) {
      if (type === 'hls') {
        args.push(...hlsOutput(join(this.dir, 'hls'), streamId, 'recording'));
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

  /**
   * Attaches an HTTP-FLV viewer; it starts at a keyframe and gets the relay's clock (when its media entered the relay)
   * for a player's latency estimate. Ended when the relay stops.
   */
  addViewer(consumer: FlvConsumer): () => void {
    const detach = this.o.hub.subscribe(consumer, { clock: true });
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
    this.detachRecorder();
    this.stopWatchingRtmp();
    const rtmpDone = this.stopRtmp();
    const hlsDone = this.stopLiveHls();
    if (this.recorder) await finishFfmpeg(this.recorder);
    await rtmpDone;
    await hlsDone;
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

/**
 * The hub's FLV on stdin. The hub starts every consumer with metadata + both sequence headers, so a long probe only
 * delays the first segment.
 */
// prettier-ignore
const FLV_INPUT = ['-fflags', '+genpts', '-probesize', '32768', '-analyzeduration', '300000', '-f', 'flv', '-i', 'pipe:0'];

/** A copy-only HLS output into `dir`: the live sliding window (1 s segments) or a recording (2 s, every segment). */
function hlsOutput(dir: string, streamId: string, kind: 'live' | 'recording'): string[] {
  // prettier-ignore
  const flags = kind === 'live'
    ? ['-hls_time', '1', '-hls_list_size', '6', '-hls_base_url', `${streamId}/`,
      '-hls_flags', 'delete_segments+independent_segments+temp_file',
      // segments keep the hub's timestamps (PTS = FLV timestamp), so their program dates can be read (hls-dates.ts)
      '-copyts', '-muxdelay', '0', '-muxpreload', '0']
    : ['-hls_time', '2', '-hls_list_size', '0', '-hls_playlist_type', 'event'];
  // prettier-ignore
  return ['-map', '0', '-c', 'copy', '-f', 'hls', ...flags,
    '-hls_segment_filename', join(dir, 'seg%d.ts'), join(dir, 'index.m3u8')];
}

/** The start PTS (ms) of a written segment, from its first 64 KiB; null if it has none there or is gone. */
async function readSegmentPts(file: string): Promise<number | null> {
  try {
    const fh = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
      return segmentStartPtsMs(buffer.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

/** An output that runs only while used (live HLS, RTMP push). */
interface OnDemand {
  lastUse: number;
  stop(): Promise<void>;
}

async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) await rm(join(dir, name), { force: true });
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
