/**
 * A live test source that pushes like a browser does: ffmpeg encodes a test pattern (+ a tone) to WebM
 * (VP8/Opus, as Chromium's MediaRecorder does) in real time and its output is sent over the relay's WebSocket
 * ingest. Used by `npm start` for the demo's always-on test stream, by the Node tests and by the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';

export type TestVideoCodec = 'vp8' | 'vp9' | 'h264';

export interface TestSourceOptions {
  audioOnly?: boolean;
  /** Seconds of media; omitted = until stopped. */
  seconds?: number;
  /** Burn the wall clock (unix seconds) into the picture, for latency measurements. */
  clock?: boolean;
  size?: string;
  fps?: number;
  /** Video codec, as Chromium's MediaRecorder offers them (`video/webm;codecs=vp8|vp9|h264`). Default vp8. */
  video?: TestVideoCodec;
  /**
   * Say when the media's timestamp 0 was captured, as the widgets do (`{"clock": ms}`): now plus this offset (ms; a
   * negative one plays a pusher whose clock runs behind). Omitted: no clock is sent.
   */
  captureClockOffsetMs?: number;
}

/**
 * ffmpeg args for a MediaRecorder-like WebM (VP8/VP9/H.264 + Opus, or Opus only) on stdout, in real time.
 * H.264 goes in Matroska, as Chromium's `video/webm;codecs=h264` does. No encoder lookahead (a browser has none;
 * libvpx's default 25-frame lag would add ~1.7 s of latency that no real push has).
 */
export function webmArgs(opts: TestSourceOptions = {}): string[] {
  const duration = opts.seconds ? `:duration=${opts.seconds}` : '';
  const video = opts.video ?? 'vp8';
  const inputs = ['-re', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000${duration}`];
  if (!opts.audioOnly) {
    const draw = opts.clock ? ",drawtext=text='%{localtime\\:%s}':fontsize=40:x=10:y=10:fontcolor=white" : '';
    const size = opts.size ?? '320x240';
    const fps = opts.fps ?? 15;
    inputs.push('-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${fps}${duration}${draw}`);
  }
  // prettier-ignore
  const videoCodec: Record<TestVideoCodec, string[]> = {
    vp8: ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-b:v', '400k'],
    vp9: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-row-mt', '1', '-b:v', '400k'],
    h264: ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', '400k'],
  };
  const audio = ['-c:a', 'libopus', '-b:a', '48k'];
  const codecs = opts.audioOnly
    ? ['-map', '0:a', ...audio]
    : ['-map', '1:v', '-map', '0:a', ...videoCodec[video], '-g', String(opts.fps ?? 15), ...audio];
  const format = video === 'h264' && !opts.audioOnly ? 'matroska' : 'webm';
  // prettier-ignore
  return ['-hide_banner', '-loglevel', 'error', ...inputs, ...codecs, '-f', format, '-cluster_time_limit', '200', '-live', '1', 'pipe:1'];
}

export interface Pusher {
  ws: WebSocket;
  ffmpeg: ChildProcess;
  /** Resolves with the close code + reason the server sent (or 1006). */
  closed: Promise<{ code: number; reason: string }>;
  /** Stops sending and closes the socket normally. */
  stop(): Promise<void>;
  /** Kills the socket without a close handshake (a vanished browser). */
  vanish(): void;
}

/** Opens the ingest WebSocket at `url` and starts sending a test source into it. */
export async function push(url: string, opts: TestSourceOptions = {}): Promise<Pusher> {
  const ws = new WebSocket(url);
  ws.binaryType = 'nodebuffer';
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code, reason) => reject(new Error(`ingest closed: ${code} ${reason.toString()}`)));
  });
  if (opts.captureClockOffsetMs !== undefined)
    ws.send(JSON.stringify({ clock: Date.now() + opts.captureClockOffsetMs }));
  const ffmpeg = spawn('ffmpeg', webmArgs(opts), { stdio: ['ignore', 'pipe', 'inherit'] });
  ffmpeg.stdout?.on('data', (chunk: Buffer) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(chunk);
  });
  ffmpeg.stdout?.on('end', () => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'done');
  });
  return {
    ws,
    ffmpeg,
    closed,
    async stop() {
      ffmpeg.kill('SIGKILL');
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'stop');
      await closed;
    },
    vanish() {
      ffmpeg.kill('SIGKILL');
      ws.terminate();
    },
  };
}
