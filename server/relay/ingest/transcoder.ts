/**
 * One ffmpeg per ingested stream: WebM (MediaRecorder chunks: H.264/VP8/VP9 + Opus) in on stdin, H.264 + AAC FLV
 * out, parsed by an {@link FlvHub} that every output (viewers, HLS, recordings, RTMP) reads from.
 *
 * - H.264 ingest is copied (the browser already encoded it; keyframes every second come from the recorder's
 *   `videoKeyFrameIntervalDuration`); only Opus is re-encoded to AAC. Anything else is re-encoded with libx264
 *   (ultrafast, zerolatency, a keyframe every second so a joiner never waits long).
 * - Video and audio leave ffmpeg as two FLV outputs (`pipe:1`, `pipe:3`) that the hub merges, so the first video
 *   frame is not held in ffmpeg's interleaving queue until audio catches up.
 *
 * With video, ffmpeg starts once the WebM header (its Tracks) has arrived, which is in MediaRecorder's first chunk.
 */
import { PassThrough } from 'node:stream';
import { FlvHub } from '../relay/flv-hub.ts';
import { spawnFfmpeg, type FfmpegChild, type FfmpegExit } from '../relay/ffmpeg.ts';
import { readWebmTracks, type IngestTracks } from './webm-tracks.ts';

export interface TranscodePlan {
  /** `copy`: the ingest's H.264 goes out as it came; `x264`: re-encoded; `none`: no video. */
  video: 'copy' | 'x264' | 'none';
  audio: boolean;
}

/** What to do with the tracks an ingest carries (an audio-only stream drops any video). */
export function planFor(tracks: IngestTracks | undefined, audioOnly: boolean): TranscodePlan {
  if (!tracks) return { video: audioOnly ? 'none' : 'x264', audio: true }; // unreadable header: let ffmpeg judge
  const video = audioOnly || !tracks.video ? 'none' : tracks.video === 'h264' ? 'copy' : 'x264';
  return { video, audio: tracks.audio !== null || video === 'none' };
}

/** ffmpeg args for `plan`: video on `pipe:1`, audio on `pipe:3` when there are both, else the one on `pipe:1`. */
export function transcoderArgs(plan: TranscodePlan): string[] {
  // Tiny probe: MediaRecorder's WebM header already describes every track, and probing more delays the first byte.
  // prettier-ignore
  const input = ['-probesize', '4096', '-analyzeduration', '0', '-f', 'matroska', '-i', 'pipe:0'];
  const flv = (pipe: string): string[] => [
    ...['-f', 'flv', '-flvflags', 'no_duration_filesize', '-flush_packets', '1', pipe],
  ];
  // prettier-ignore
  const x264 = [
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-force_key_frames', 'expr:gte(t,n_forced*1)', '-crf', '26',
  ];
  const audio = ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '96k'];
  if (plan.video === 'none') return [...input, ...audio, '-vn', ...flv('pipe:1')];
  const video = ['-map', '0:v:0', ...(plan.video === 'copy' ? ['-c:v', 'copy'] : x264), '-an'];
  if (!plan.audio) return [...input, ...video, ...flv('pipe:1')];
  return [...input, ...video, ...flv('pipe:1'), ...audio, '-vn', ...flv('pipe:3')];
}

/** The plan a browser push most likely needs (the relay asks for H.264 + Opus): its ffmpeg is started early. */
const LIKELY_PLAN: TranscodePlan = { video: 'copy', audio: true };

const samePlan = (a: TranscodePlan, b: TranscodePlan): boolean => a.video === b.video && a.audio === b.audio;

export class Transcoder {
  readonly hub: FlvHub;
  readonly exited: Promise<FfmpegExit>;
  /** The ffmpeg the ingest goes to, once the plan is known. */
  private child: FfmpegChild | null = null;
  /** Started on a guess before the header arrived, so its start-up does not delay the first frame. */
  private spare: { plan: TranscodePlan; child: FfmpegChild } | null = null;
  private head: Buffer[] = [];
  private ended = false;
  private failure: string | null = null;
  private resolveExit!: (exit: FfmpegExit) => void;
  /** What the transcoder does with the ingest, once its header has been read. */
  plan: TranscodePlan | null = null;

  constructor(private readonly audioOnly: boolean) {
    this.hub = new FlvHub();
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    // Audio-only needs no look at the header; anything else most likely is H.264 + Opus.
    if (audioOnly) this.start({ video: 'none', audio: true }, Buffer.alloc(0));
    else this.spare = { plan: LIKELY_PLAN, child: this.spawn(LIKELY_PLAN) };
  }

  /** ffmpeg's stdin (a stand-in until ffmpeg runs; writes return true until then). */
  get stdin(): NodeJS.WritableStream {
    return this.child?.proc.stdin ?? new PassThrough();
  }

  get pid(): number | undefined {
    return (this.child ?? this.spare?.child)?.proc.pid;
  }

  /** Writes one ingest chunk; returns false when the caller should wait for `drain`. */
  write(chunk: Buffer): boolean {
    if (this.child) {
      if (!this.child.proc.stdin.writable) return true;
      return this.child.proc.stdin.write(chunk);
    }
    if (this.ended) return true;
    this.head.push(chunk);
    const head = Buffer.concat(this.head);
    const tracks = readWebmTracks(head);
    if (tracks !== null) this.start(planFor(tracks, this.audioOnly), head);
    return true;
  }

  /** Spawns ffmpeg for `plan`, its outputs wired into the hub (which only hears from the child in use). */
  private spawn(plan: TranscodePlan): FfmpegChild {
    const merged = plan.audio && plan.video !== 'none'; // two sources (video, audio) merged by the hub
    const child = spawnFfmpeg(transcoderArgs(plan), merged ? 1 : 0);
    const feed = (push: (chunk: Buffer) => void) => (chunk: Buffer) => {
      try {
        push(chunk);
      } catch (err) {
        this.failure = err instanceof Error ? err.message : String(err);
        child.kill();
      }
    };
    child.proc.stdout.on(
      'data',
      feed((c) => this.hub.push(c)),
    );
    if (merged) child.extra[0].on('data', feed(this.hub.input()));
    void child.exited.then((exit) => {
      if (this.spare?.child === child) this.spare = null; // died before use: the real one is spawned afresh
      if (this.child !== child) return;
      this.hub.end();
      this.resolveExit(this.failure ? { ...exit, stderr: `${this.failure}\n${exit.stderr}`.trim() } : exit);
    });
    return child;
  }

  private start(plan: TranscodePlan, head: Buffer): void {
    this.plan = plan;
    this.head = [];
    this.hub.declareTracks({ audio: plan.audio, video: plan.video !== 'none' });
    const spare = this.spare;
    this.spare = null;
    if (spare && !samePlan(spare.plan, plan)) spare.child.kill();
    const child = spare && samePlan(spare.plan, plan) ? spare.child : this.spawn(plan);
    this.child = child;
    if (head.length) child.proc.stdin.write(head);
    if (this.ended) child.proc.stdin.end();
  }

  /** No more input: ffmpeg flushes and exits. */
  end(): void {
    this.ended = true;
    if (this.child) this.child.proc.stdin.end();
    else {
      const head = Buffer.concat(this.head);
      this.start(planFor(readWebmTracks(head) ?? undefined, this.audioOnly), head);
    }
  }

  kill(): void {
    this.spare?.child.kill();
    if (this.child) this.child.kill();
    else this.end();
  }
}
