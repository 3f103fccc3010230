/**
 * Samples what PostgreSQL's backends are doing while a benchmark runs: every `--every` ms it reads
 * pg_stat_activity and counts (backend type, state, wait event, statement start) tuples, then prints
 * the counts as shares of the samples, with checkpoint and WAL counters before/after. Used to tell a
 * wait (locks, WAL flush, I/O) from work when a scenario is slow but CPU is idle.
 *
 * Usage: `npx ts-node bench/tools/pg-waits.ts <postgres-url | embedded data dir> [--seconds 60] [--every 50] [--window 0]`
 * (`--window S` also prints the top states of every S-second window, with the time, to line them up
 * with a scenario's steps)
 * (a data dir is the `dataDir` of a server the bench started: it holds `pg-password` and `pg/`).
 */
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { embeddedDatabaseUrl } from '../lib/seed';

/** Checkpoint and WAL counters (PostgreSQL 17's pg_stat_checkpointer and pg_stat_wal). */
type Counters = Record<string, number>;

async function counters(client: Client): Promise<Counters> {
  const { rows } = await client.query(
    `SELECT c.num_timed, c.num_requested, c.buffers_written AS checkpoint_buffers, w.wal_records, w.wal_fpi, w.wal_bytes
       FROM pg_stat_checkpointer c, pg_stat_wal w`,
  );
  return Object.fromEntries(Object.entries(rows[0] as Record<string, string>).map(([k, v]) => [k, Number(v)]));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string, fallback: number) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const target = args[0];
  if (!target) throw new Error('usage: pg-waits <postgres-url | data dir> [--seconds 60] [--every 50]');
  const url = existsSync(target) ? embeddedDatabaseUrl(target) : target;
  const seconds = value('--seconds', 60);
  const every = value('--every', 50);
  const client = new Client({ connectionString: url, application_name: 'chat-bench-pg-waits' });
  await client.connect();
  const before = await counters(client);
  const counts = new Map<string, number>();
  let samples = 0;
  const windowMs = value('--window', 0) * 1000;
  let windowCounts = new Map<string, number>();
  let windowSamples = 0;
  let windowStart = Date.now();
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (windowMs > 0 && Date.now() - windowStart >= windowMs) {
      const top = [...windowCounts].sort((a, b) => b[1] - a[1]).slice(0, 6);
      console.log(`${new Date().toISOString().slice(11, 19)} ${windowSamples} samples: ` + top.map(([k, n]) => `${((100 * n) / windowSamples).toFixed(0)}% ${k.replace(/\s+\|\s+/g, '|')}`).join(' ; '));
      windowCounts = new Map();
      windowSamples = 0;
      windowStart = Date.now();
    }
    const { rows } = await client.query<{ backend_type: string; state: string | null; wait: string | null; query: string | null }>(
      `SELECT backend_type, state, wait_event_type || ':' || wait_event AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS query
         FROM pg_stat_activity
        WHERE pid <> pg_backend_pid() AND (state IS DISTINCT FROM 'idle' OR backend_type <> 'client backend')`,
    );
    samples++;
    windowSamples++;
    for (const r of rows) {
      // A background process idling in its main loop (Activity:…Main) is not doing anything.
      if (r.backend_type !== 'client backend' && (!r.wait || r.wait.startsWith('Activity:'))) continue;
      const key = `${r.backend_type} | ${r.state ?? '-'} | ${r.wait ?? 'CPU'} | ${r.backend_type === 'client backend' ? (r.query ?? '') : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      windowCounts.set(key, (windowCounts.get(key) ?? 0) + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  const after = await counters(client);
  await client.end();
  console.log(`${samples} samples over ${seconds} s; share of samples in which a backend was in each state:`);
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * n) / samples).toFixed(1).padStart(6)} %  ${key}`);
  const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
  console.log('counters over the window:', delta);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
