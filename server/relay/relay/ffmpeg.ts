/** Spawning ffmpeg/ffprobe children with their exit and the tail of their stderr. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines of stderr (ffmpeg runs with `-loglevel error`, so this is the reason when it fails). */
  stderr: string;
}

export interface FfmpegChild {
  proc: ChildProcessWithoutNullStreams;
  /** Extra outputs (`pipe:3`, `pipe:4`, …) when spawned with `extraOutputs`. */
  extra: Readable[];
  exited: Promise<FfmpegExit>;
  /** SIGKILL if still running. */
  kill(): void;
}

export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

/** Spawns ffmpeg; with `extraOutputs` = n, its fds 3…3+n-1 are pipes the caller reads (`pipe:3` …). */
export function spawnFfmpeg(args: string[], extraOutputs = 0): FfmpegChild {
  const pipes = Array.from({ length: extraOutputs }, () => 'pipe' as const);
  const spawned = spawn(FFMPEG, ['-hide_banner', '-nostats', '-loglevel', 'error', ...args], {
    stdio: ['pipe', 'pipe', 'pipe', ...pipes],
  });
  const proc = spawned as unknown as ChildProcessWithoutNullStreams;
  const extra = spawned.stdio.slice(3) as Readable[];
  for (const r of extra) r.on('error', () => {});
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
  });
  // Writes after the child died must not crash the server.
  proc.stdin.on('error', () => {});
  proc.stdout.on('error', () => {});
  const exited = new Promise<FfmpegExit>((resolve) => {
    proc.on('error', (err) => {
      stderr += `\n${err.message}`;
    });
    proc.on('close', (code, signal) => resolve({ code, signal, stderr: stderr.trim() }));
  });
  return {
    proc,
    extra,
    exited,
    kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}

/** Ends stdin so ffmpeg finalises its outputs; SIGKILLs it if it has not exited within `graceMs`. */
export async function finishFfmpeg(child: FfmpegChild, graceMs = 10_000): Promise<FfmpegExit> {
  child.proc.stdin.end();
  const timer = setTimeout(() => child.kill(), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface ProbeResult {
  duration: number;
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  format: { format_name: string; duration?: string; size?: string };
}

/** Runs ffprobe on a file or URL and returns its JSON (format + streams). */
export function ffprobe(input: string, timeoutMs = 20_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      FFPROBE,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`ffprobe ${input} failed (${code}): ${err.trim()}`));
      try {
        const json = JSON.parse(out) as Omit<ProbeResult, 'duration'>;
        resolve({ ...json, duration: Number(json.format.duration ?? 0) });
      } catch (e) {
        reject(e);
      }
    });
  });
}
