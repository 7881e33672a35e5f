import type { ChildProcess, StdioNull, StdioPipe } from 'node:child_process';

export interface ServerProcessOptions {
  /** Path of the TypeScript entry point, relative to `cwd` (e.g. `server/relay/main.ts`). */
  script: string;
  /** Names the process in error messages (default: `script`). */
  name?: string;
  /** Merged over `process.env`. */
  env?: Record<string, string>;
  /** Default: the repository root. */
  cwd?: string;
  /** The stdout line that means "ready"; its first group, if any, becomes `url`. Default `/listening on (http:\/\/\S+)/`. */
  ready?: RegExp;
  /** Default 30 000. */
  timeoutMs?: number;
  /** `'pipe'` (default) captures stderr into `output()`; `'inherit'` lets it through to this process's stderr. */
  stderr?: StdioPipe | StdioNull;
  /** How many characters of output to keep (the most recent). Default 100 000. */
  keepOutput?: number;
  /** If set, `stop()` sends SIGKILL when SIGTERM has not ended the process after this long. */
  killAfterMs?: number;
}

export interface ServerProcess {
  /** The URL from the ready line, without a trailing slash (`''` if `ready` has no group). */
  url: string;
  proc: ChildProcess;
  /** Resolves with the exit code (`null` when a signal ended it). */
  exited: Promise<number | null>;
  /** What the process printed (stdout, and stderr unless inherited), for failure messages. */
  output(): string;
  /** SIGTERM (then SIGKILL after `killAfterMs`, if set); resolves with the exit code once it has exited. */
  stop(): Promise<number | null>;
  /** Sends `signal` (default SIGKILL, i.e. kill -9); resolves with the exit code once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export declare function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess>;
