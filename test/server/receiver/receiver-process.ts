// Starts the real receiver (`server/receiver/main.ts`) as a child process on an ephemeral port, for tests.
import type { ChildProcess } from 'node:child_process';
import { request, type Agent } from 'node:http';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sign as computeSign } from '../../../server/shared/sign.ts';
import type { RecordingPage } from '../../../server/receiver/store.ts';
import type { Recording, RecordingStatus } from '../../../src/contract/events.ts';
import { startServerProcess } from '../../support/server-process.mjs';
import { currentStore, databaseFor, databaseOf, queryPostgres, type StoreKind } from './stores.ts';

export interface RunningReceiver {
  url: string;
  /** Names its storage: the SQLite directory, or (on PostgreSQL) the key of its database — pass it to restart. */
  dataDir: string;
  store: StoreKind;
  proc: ChildProcess;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill9(): Promise<void>;
}

export interface ReceiverOptions {
  key: string;
  dataDir?: string;
  env?: Record<string, string>;
  store?: StoreKind;
}

/**
 * Starts a receiver on the store of the tests being run (`forEachStore`) or `opts.store`; the same `dataDir` means
 * the same data (a restart, or a second instance on the same PostgreSQL database).
 */
export async function startReceiver(opts: ReceiverOptions = { key: 'test-key' }): Promise<RunningReceiver> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'receiver-test-'));
  const store = opts.dataDir && databaseOf(opts.dataDir) ? 'postgres' : (opts.store ?? currentStore());
  const env = await receiverEnv(dataDir, store);
  const receiver = await startServerProcess({
    script: 'server/receiver/main.ts',
    name: 'receiver',
    env: { CALLBACK_KEY: opts.key, RECEIVER_PORT: '0', ...env, ...opts.env },
  });
  return {
    url: receiver.url,
    dataDir,
    store,
    proc: receiver.proc,
    stop: () => receiver.stop(),
    async kill9() {
      await receiver.kill('SIGKILL');
    },
  };
}

/**
 * The receiver of the enclosing `describe`: started before its tests, stopped after them. Its fields may be read
 * from the tests and hooks that run after the start.
 */
export function suiteReceiver(opts: ReceiverOptions): RunningReceiver {
  let running: RunningReceiver | null = null;
  before(async () => {
    running = await startReceiver(opts);
  });
  after(async () => {
    await running?.stop();
  });
  const get = (): RunningReceiver => {
    if (!running) throw new Error('The suite receiver starts in the before hook; it is not running yet.');
    return running;
  };
  return {
    get url() {
      return get().url;
    },
    get dataDir() {
      return get().dataDir;
    },
    get store() {
      return get().store;
    },
    get proc() {
      return get().proc;
    },
    stop: () => get().stop(),
    kill9: () => get().kill9(),
  };
}

/** `GET /api/recordings{query}`, which must answer 200; the page. */
export async function listRecordings(r: RunningReceiver, query = ''): Promise<RecordingPage> {
  const res = await fetch(`${r.url}/api/recordings${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as RecordingPage;
}

/** The environment that puts a receiver's data in `dataDir` (SQLite) or in the database standing for it. */
export async function receiverEnv(
  dataDir: string,
  store: StoreKind = currentStore(),
): Promise<Record<string, string>> {
  if (store === 'sqlite') return { DATA_DIR: dataDir, DATABASE_URL: '' };
  return { DATA_DIR: dataDir, DATABASE_URL: await databaseFor(dataDir) };
}

/** A notification with a fresh `t` (10 minutes ahead, as the cloud sets it) and the matching `sign`. */
export function signed(key: string, body: Record<string, unknown>, tOffset = 600): Record<string, unknown> {
  const t = Math.floor(Date.now() / 1000) + tOffset;
  return { ...body, t, sign: computeSign(key, t) };
}

export async function postCallback(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/callbacks/tencent`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/**
 * Reads the receiver's database directly (alongside the running process): the SQLite file in `dataDir` read-only,
 * or the PostgreSQL database standing for it. SQL with `?` placeholders, valid in both.
 */
export async function queryDb<T>(dataDir: string, sql: string, ...params: unknown[]): Promise<T[]> {
  const url = databaseOf(dataDir);
  if (url) return queryPostgres<T>(url, sql, params);
  const db = new Database(join(dataDir, 'receiver.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export async function notificationCount(dataDir: string): Promise<number> {
  return (await queryDb<{ n: number }>(dataDir, 'SELECT count(*) AS n FROM notifications'))[0].n;
}

/** The recording (without its `id`) that `recordingNotification` describes, unless `extra` changes it. */
export const REFERENCE_RECORDING: Omit<Recording, 'id'> = {
  streamId: 'test_1966232762_user_627052',
  recordId: null,
  fileFormat: 'hls',
  startTime: 1506308695,
  endTime: 1506308756,
  duration: 63,
  fileSize: 1349,
  url: 'http://example.vod2.myqcloud.com/abc/playlist.m3u8',
};

/** The real-shaped recording notification of push-model.md, with a chosen file id / stream / record id. */
export function recordingNotification(
  fileId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    appid: 1251457656,
    channel_id: 'test_1966232762_user_627052',
    duration: 63,
    end_time: 1506308756,
    event_type: 100,
    file_format: 'hls',
    file_id: fileId,
    file_size: 1349,
    media_start_time: 2931,
    record_file_id: fileId,
    start_time: 1506308695,
    stream_id: 'test_1966232762_user_627052',
    stream_param: 'bizid=11220&record=hls&record_interval=5400',
    task_id: '479501701',
    video_id: '5158_e9a44513cce1471790f8b0c50c983ccc',
    video_url: 'http://example.vod2.myqcloud.com/abc/playlist.m3u8',
    ...extra,
  };
}

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** A minimal server-sent-events reader over fetch, for asserting what a browser would receive. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  status = 0;
  headers: Headers | null = null;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    const res = await fetch(url, { headers, signal: r.controller.signal });
    r.status = res.status;
    r.headers = res.headers;
    if (res.body) void r.pump(res.body);
    return r;
  }

  /** Opens the feed, reads up to its `ready` event (what a resuming subscriber is replayed), and closes it. */
  static async untilReady(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = await SseReader.open(url, headers);
    try {
      await r.waitFor((m) => m.some((x) => x.event === 'ready'));
    } finally {
      r.close();
    }
    return r;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body) {
        buf += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const msg: SseMessage = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) msg.id = line.slice(4);
            else if (line.startsWith('event: ')) msg.event = line.slice(7);
            else if (line.startsWith('data: ')) {
              msg.data = line.slice(6);
              hasData = true;
            }
          }
          if (hasData) this.messages.push(msg);
          this.waiters.splice(0).forEach((w) => w());
        }
      }
    } catch {
      /* aborted */
    }
  }

  async waitFor(pred: (m: SseMessage[]) => boolean, timeoutMs = 5000): Promise<SseMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.messages;
  }

  recordings(): { id: string; recordId: string | null; streamId: string; url: string }[] {
    return this.messages.filter((m) => m.event === 'recording').map((m) => JSON.parse(m.data));
  }

  statuses(): RecordingStatus[] {
    return this.messages.filter((m) => m.event === 'status').map((m) => JSON.parse(m.data));
  }

  close(): void {
    this.controller.abort();
  }
}

/** Posts with a keep-alive agent; resolves with the status, or `null` if the connection died first. */
export function postKeepAlive(url: string, agent: Agent, body: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/callbacks/tencent`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? null));
        res.on('error', () => resolve(null));
      },
    );
    req.on('error', () => resolve(null));
    req.end(body);
  });
}
