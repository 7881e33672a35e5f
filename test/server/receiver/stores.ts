// One receiver suite, two stores: `forEachStore` runs a block of tests once on SQLite and once on PostgreSQL.
// PostgreSQL comes from RECEIVER_TEST_PG_URL (a superuser URL, as `.ci/run` sets it from `scripts/db.mjs --detach`)
// or, when that is unset, from a private throwaway cluster this test file starts (`startCluster`) and stops. Every
// receiver gets a fresh database, as it gets a fresh SQLite data directory. RECEIVER_TEST_STORES=sqlite (or
// postgres) runs one store only.
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { startCluster, type RunningCluster } from '../../../scripts/db.mjs';
import { PostgresRecordingStore } from '../../../server/receiver/postgres-store.ts';
import { SqliteRecordingStore } from '../../../server/receiver/sqlite-store.ts';
import type { RecordingStore } from '../../../server/receiver/store.ts';

export type StoreKind = 'sqlite' | 'postgres';

export const STORE_KINDS: StoreKind[] = (process.env.RECEIVER_TEST_STORES ?? 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is StoreKind => s === 'sqlite' || s === 'postgres');

let current: StoreKind = STORE_KINDS[0] ?? 'sqlite';

/** The store the tests being run use (set by `forEachStore`). */
export function currentStore(): StoreKind {
  return current;
}

/** Declares `fn`'s tests once per store, in a `describe` named after it; `startReceiver` picks that store. */
export function forEachStore(fn: (kind: StoreKind) => void): void {
  for (const kind of STORE_KINDS) {
    describe(`[${kind}]`, () => {
      const previous = current;
      before(() => {
        current = kind;
      });
      after(() => {
        current = previous;
      });
      fn(kind);
    });
  }
}

let cluster: Promise<RunningCluster | null> | null = null;
let admin: pg.Pool | null = null;
const databases = new Map<string, string>();
const pools = new Map<string, pg.Pool>();
let counter = 0;

// Counts, sums and numerics come back as JavaScript numbers, as they do from SQLite.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

async function adminUrl(): Promise<string> {
  const given = process.env.RECEIVER_TEST_PG_URL;
  if (given) return given;
  cluster ??= startCluster().then((c) => {
    // If this file dies before its `after` hook, the server still goes (immediate shutdown).
    process.once('exit', () => c.proc.kill('SIGQUIT'));
    return c;
  });
  const c = await cluster;
  if (!c) throw new Error('no PostgreSQL cluster');
  return c.url;
}

/** A fresh, empty database on the test cluster; its URL. */
export async function freshDatabase(): Promise<string> {
  const base = await adminUrl();
  if (!admin) {
    admin = new pg.Pool({ connectionString: base, max: 2 });
    // An idle connection ended by the server stopping at the end of the file is expected, not a failure.
    admin.on('error', () => {});
  }
  const name = `receiver_test_${process.pid}_${++counter}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The database that stands for `dataDir` on PostgreSQL (created on first use, the same one afterwards). */
export async function databaseFor(dataDir: string): Promise<string> {
  let url = databases.get(dataDir);
  if (!url) {
    url = await freshDatabase();
    databases.set(dataDir, url);
  }
  return url;
}

/** The PostgreSQL database of `dataDir`, if its receiver ran on PostgreSQL. */
export function databaseOf(dataDir: string): string | undefined {
  return databases.get(dataDir);
}

/** Runs `sql` (with `?` placeholders) on a PostgreSQL test database. */
export async function queryPostgres<T>(url: string, sql: string, params: unknown[]): Promise<T[]> {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 2, types });
    pool.on('error', () => {});
    pools.set(url, pool);
  }
  let i = 0;
  const text = sql.replace(/\?/g, () => `$${++i}`);
  return (await pool.query(text, params)).rows as T[];
}

/** An in-process store of `kind` on a fresh database (for tests of the store and the live feed themselves). */
export async function openStore(kind: StoreKind): Promise<RecordingStore> {
  if (kind === 'sqlite') return new SqliteRecordingStore(':memory:');
  return new PostgresRecordingStore(await freshDatabase());
}

/** Closes the connections and stops the private cluster (after the tests of a file, or at the end of a bench). */
export async function closeTestDatabases(): Promise<void> {
  for (const p of pools.values()) await p.end();
  pools.clear();
  await admin?.end();
  admin = null;
  const c = await cluster;
  cluster = null;
  await c?.stop();
}

// Under node:test (`--test` sets NODE_TEST_CONTEXT in each file's process): clean up after the file's tests.
if (process.env.NODE_TEST_CONTEXT) after(closeTestDatabases);
