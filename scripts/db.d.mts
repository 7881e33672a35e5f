import type { ChildProcess } from 'node:child_process';

export interface RunningCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, loopback only). */
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** Fast shutdown, then removes a temporary cluster's files. */
  stop(): Promise<void>;
}

export function pgBinDir(): string;
export function freePort(): Promise<number>;
export function startCluster(options?: { dir?: string; port?: number }): Promise<RunningCluster>;
