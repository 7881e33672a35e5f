// Callback receiver throughput: acknowledged notifications/s and ack latency (p50/p99) with every 200 durable
// (SQLite WAL synchronous=FULL; PostgreSQL fsync + synchronous_commit on), from a keep-alive load generator on
// loopback with N requests in flight. Runs the real receiver process (server/receiver/main.ts) on SQLite, on
// PostgreSQL, and as two instances sharing one PostgreSQL database (the load split between them), with group commit
// on and off, with 0 % and 10 % duplicates; prints ratios against "SQLite, one transaction per notification, no
// duplicates" measured in the same run. PostgreSQL: RECEIVER_TEST_PG_URL, else a throwaway cluster (scripts/db.mjs).
//   node bench/run.mjs receiver [seconds=5] [concurrency=32]
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import {
  notificationCount,
  recordingNotification,
  signed,
  startReceiver,
  postKeepAlive,
  type RunningReceiver,
} from '../test/server/receiver/receiver-process.ts';
import { closeTestDatabases, type StoreKind } from '../test/server/receiver/stores.ts';

const KEY = 'bench-key';
const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 32);

interface Result {
  name: string;
  acked: number;
  perSecond: number;
  p50: number;
  p99: number;
  stored: number;
  failures: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(
  name: string,
  store: StoreKind,
  groupCommit: boolean,
  duplicateShare: number,
  instances = 1,
): Promise<Result> {
  const env = { GROUP_COMMIT: groupCommit ? '1' : '0', LOG_LEVEL: 'error' };
  const r = await startReceiver({ key: KEY, store, env });
  const all: RunningReceiver[] = [r];
  while (all.length < instances) all.push(await startReceiver({ key: KEY, dataDir: r.dataDir, env }));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const sent: number[] = [];
  // Warm-up (JIT, connections, SQLite pages), not measured.
  await Promise.all(
    Array.from({ length: concurrency }, (_, i) =>
      postKeepAlive(
        all[i % all.length].url,
        agent,
        JSON.stringify(signed(KEY, recordingNotification(`warm-${i}`))),
      ),
    ),
  );
  const deadline = performance.now() + seconds * 1000;
  const worker = async (url: string) => {
    while (performance.now() < deadline) {
      // A duplicate is a retry of a notification sent earlier (new t and sign, same identity).
      const dup = sent.length > 0 && Math.random() < duplicateShare;
      const id = dup ? sent[Math.floor(Math.random() * sent.length)] : next++;
      const body = JSON.stringify(
        signed(KEY, recordingNotification(`n-${id}`, { start_time: 1_700_000_000 + id })),
      );
      const t0 = performance.now();
      const status = await postKeepAlive(url, agent, body);
      if (status === 200) {
        latencies.push(performance.now() - t0);
        if (!dup) sent.push(id);
      } else failures++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(all[i % all.length].url)));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const stored = (await notificationCount(r.dataDir)) - concurrency;
  await Promise.all(all.map((x) => x.stop()));
  rmSync(r.dataDir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return {
    name,
    acked: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    stored,
    failures,
  };
}

const results: Result[] = [];
results.push(await run('SQLite, per-request commit, 0% dup (baseline)', 'sqlite', false, 0));
results.push(await run('SQLite, group commit, 0% dup', 'sqlite', true, 0));
results.push(await run('SQLite, per-request commit, 10% dup', 'sqlite', false, 0.1));
results.push(await run('SQLite, group commit, 10% dup', 'sqlite', true, 0.1));
results.push(await run('PostgreSQL, per-request commit, 0% dup', 'postgres', false, 0));
results.push(await run('PostgreSQL, group commit, 0% dup', 'postgres', true, 0));
results.push(await run('PostgreSQL, group commit, 10% dup', 'postgres', true, 0.1));
results.push(await run('PostgreSQL ×2 instances, group commit, 0% dup', 'postgres', true, 0, 2));
results.push(await run('PostgreSQL ×2 instances, group commit, 10% dup', 'postgres', true, 0.1, 2));
await closeTestDatabases();

const base = results[0];
console.log(
  `\n${seconds} s per run, ${concurrency} requests in flight, keep-alive, loopback; every 200 is durable.`,
);
console.log(
  '| run | acked/s | × baseline | p50 ms | p99 ms | p99 × baseline | acked | stored rows | non-200 |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const x of results) {
  console.log(
    `| ${x.name} | ${x.perSecond.toFixed(0)} | ${(x.perSecond / base.perSecond).toFixed(2)} | ${x.p50.toFixed(1)} | ${x.p99.toFixed(1)} | ${(x.p99 / base.p99).toFixed(2)} | ${x.acked} | ${x.stored} | ${x.failures} |`,
  );
}

// The goals of the PostgreSQL store (server/receiver/README.md), checked on this run's numbers.
const by = (name: string) => results.find((x) => x.name.startsWith(name));
const sqliteGroup = by('SQLite, group commit, 0%');
const pgGroup = by('PostgreSQL, group commit, 0%');
const pgGroupDup = by('PostgreSQL, group commit, 10%');
if (sqliteGroup && pgGroup && pgGroupDup) {
  const ratio = pgGroup.perSecond / sqliteGroup.perSecond;
  const worstP99 = Math.max(...results.filter((x) => x.name.includes('group')).map((x) => x.p99));
  console.log(`\nPostgreSQL group commit ÷ SQLite group commit: ${ratio.toFixed(2)} (goal ≥ 0.5)`);
  console.log(
    `PostgreSQL 10% dup ÷ 0% dup: ${(pgGroupDup.perSecond / pgGroup.perSecond).toFixed(2)} (goal ≥ 1 within noise)`,
  );
  console.log(
    `Worst p99 with group commit at ${concurrency} in flight: ${worstP99.toFixed(1)} ms (goal < 50)`,
  );
}
