/**
 * One ffmpeg per ingested stream: WebM (MediaRecorder chunks: VP8/VP9/H.264 + Opus) in on stdin, low-latency
 * H.264 + AAC FLV out on stdout, parsed by an {@link FlvHub} that every output (viewers, HLS, recordings, RTMP)
 * reads from. Keyframes every second so a joiner never waits long.
 */
import { FlvHub } from './flv-hub.ts';
import { spawnFfmpeg, type FfmpegChild, type FfmpegExit } from './ffmpeg.ts';

export function transcoderArgs(audioOnly: boolean): string[] {
  // Tiny probe: MediaRecorder's WebM header already describes every track, and probing more delays the first byte.
  // prettier-ignore
  const input = ['-probesize', '4096', '-analyzeduration', '0', '-f', 'matroska', '-i', 'pipe:0'];
  const audio = ['-c:a', 'aac', '-b:a', '96k'];
  // prettier-ignore
  const video = [
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-force_key_frames', 'expr:gte(t,n_forced*1)', '-crf', '26',
  ];
  const maps = audioOnly ? ['-map', '0:a:0', '-vn'] : ['-map', '0:v:0?', '-map', '0:a:0?'];
  const output = ['-f', 'flv', '-flvflags', 'no_duration_filesize', '-flush_packets', '1', 'pipe:1'];
  return [...input, ...maps, ...(audioOnly ? [] : video), ...audio, ...output];
}

export class Transcoder {
  readonly hub = new FlvHub();
  private readonly child: FfmpegChild;
  readonly exited: Promise<FfmpegExit>;
  private failure: string | null = null;

  constructor(audioOnly: boolean) {
    this.child = spawnFfmpeg(transcoderArgs(audioOnly));
    this.child.proc.stdout.on('data', (chunk: Buffer) => {
      try {
        this.hub.push(chunk);
      } catch (err) {
        this.failure = err instanceof Error ? err.message : String(err);
        this.child.kill();
      }
    });
    this.exited = this.child.exited.then((exit) => {
      this.hub.end();
      if (this.failure) return { ...exit, stderr: `${this.failure}\n${exit.stderr}`.trim() };
      return exit;
    });
  }

  get stdin(): NodeJS.WritableStream {
    return this.child.proc.stdin;
  }

  get pid(): number | undefined {
    return this.child.proc.pid;
  }

  /** Writes one ingest chunk; returns false when the caller should wait for `drain`. */
  write(chunk: Buffer): boolean {
    if (!this.child.proc.stdin.writable) return true;
    return this.child.proc.stdin.write(chunk);
  }

  /** No more input: ffmpeg flushes and exits. */
  end(): void {
    this.child.proc.stdin.end();
  }

  kill(): void {
    this.child.kill();
  }
}
