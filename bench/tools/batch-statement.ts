/**
 * What one group-commit statement costs PostgreSQL, ours (`COMMIT_TEXT_BATCH`, from dist/) against
 * raw-pg's (`STORE`), by batch size (and, for one send, `COMMIT_ONE_TEXT`, "ours 1", which is what
 * our server runs for a batch of one): starts an embedded PostgreSQL with our migrations in a fresh
 * directory, makes one user who is a member of 50 rooms, then runs each statement as a named
 * statement on one connection with the group-commit session options, batches of 1, 4, 16 and 64
 * sends spread over the rooms, and prints wall time and the backend's CPU (from /proc) per batch and
 * per message. `synchronous_commit` is off on that connection, so the times are CPU, not WAL flushes.
 * With `--explain` it prints `EXPLAIN (ANALYZE)` of a one-send batch of ours instead.
 *
 * Usage: `npm run build && npx tsc -p bench/tsconfig.json --noCheck &&
 *   node node_modules/.cache/chat-bench/tools/batch-statement.js [--explain]`
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ourDatabaseModules } from '../lib/our-build';
import { STORE } from '../peers/raw-pg-sql';

/** The parts of dist/src/messages/messages.repository.js used here. */
interface OurBatchStatement {
  COMMIT_TEXT_BATCH: { name: string; text: string };
  COMMIT_ONE_TEXT: { name: string; text: string };
  GROUP_COMMIT_SESSION_OPTIONS: string;
  mentionCandidatesParam(content: string | null): string | null;
}

/** CPU time (ms, user + system) a process has used so far. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  require(join(process.cwd(), 'dist', 'src', 'database', 'pg-types.js'));
  const ours = require(join(process.cwd(), 'dist', 'src', 'messages', 'messages.repository.js')) as OurBatchStatement;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { startEmbeddedPostgres, runMigrationsLocked, typeormOptions } = ourDatabaseModules();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-batch-statement-'));
  const db = await startEmbeddedPostgres({ dataDir });
  try {
    const migrator = new DataSource(typeormOptions(db.url) as DataSourceOptions);
    await migrator.initialize();
    await runMigrationsLocked(migrator);
    await migrator.destroy();
    const client = new Client({
      connectionString: db.url,
      options: ours.GROUP_COMMIT_SESSION_OPTIONS,
    });
    await client.connect();
    try {
      await client.query('SET synchronous_commit = off');
      const userId = (await client.query<{ id: string }>(`INSERT INTO users (username, display_name) VALUES ('batch_statement', 'batch') RETURNING id`)).rows[0].id;
      const rooms = (await client.query<{ id: string }>(`INSERT INTO rooms (type, name, owner_id) SELECT 'public', 'batch ' || i, $1 FROM generate_series(1, 50) i RETURNING id`, [userId])).rows.map(
        (r) => r.id,
      );
      await client.query(`INSERT INTO room_members (room_id, user_id, role) SELECT unnest($1::uuid[]), $2, 'owner'`, [rooms, userId]);
      let k = 0;
      const nextRooms = (n: number) => Array.from({ length: n }, () => rooms[k++ % rooms.length]);
      const runOurs = (n: number) => {
        const roomIds = nextRooms(n);
        const contents = roomIds.map((_, i) => `hello world message ${k + i}`);
        return client.query({
          name: ours.COMMIT_TEXT_BATCH.name,
          text: ours.COMMIT_TEXT_BATCH.text,
          values: [roomIds, roomIds.map(() => userId), contents, roomIds.map(() => null), roomIds.map((_, i) => `c${k}-${i}`), contents.map((c) => ours.mentionCandidatesParam(c))],
        });
      };
      // What commitTextBatch runs for a batch of one.
      const runOursLone = () => {
        const [roomId] = nextRooms(1);
        const content = `hello world message ${k}`;
        return client.query({
          name: ours.COMMIT_ONE_TEXT.name,
          text: ours.COMMIT_ONE_TEXT.text,
          values: [roomId, userId, content, null, `c${k}`, ours.mentionCandidatesParam(content)],
        });
      };
      const runRaw = (n: number) => {
        const roomIds = nextRooms(n);
        return client.query({
          name: 'raw_pg_store',
          text: STORE,
          values: [roomIds, roomIds.map((_, i) => `hello world message ${k + i}`), userId],
        });
      };
      if (process.argv.includes('--explain')) {
        for (let i = 0; i < 50; i++) await runOurs(1);
        await client.query(`PREPARE explained(uuid[], uuid[], text[], uuid[], text[], text[]) AS ${ours.COMMIT_TEXT_BATCH.text}`);
        // EXECUTE is a utility statement: it takes no bind parameters, so the ids are literals (uuids only).
        const execute = (room: string, key: string) => `EXECUTE explained('{${room}}', '{${userId}}', '{hi}', '{NULL}', '{${key}}', '{NULL}')`;
        for (let i = 0; i < 10; i++) await client.query(execute(rooms[i], `warm-${i}`));
        const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, TIMING ON, SUMMARY ON) ${execute(rooms[0], 'explained')}`);
        process.stdout.write(plan.rows.map((r) => r['QUERY PLAN']).join('\n') + '\n');
        return;
      }
      const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      for (const n of [1, 4, 16, 64]) {
        const runners: [string, (n: number) => Promise<unknown>][] = [
          ['ours', runOurs],
          ['raw-pg', runRaw],
        ];
        if (n === 1) runners.splice(1, 0, ['ours 1', runOursLone]);
        for (const [label, run] of runners) {
          for (let i = 0; i < 100; i++) await run(n);
          const batches = Math.max(200, Math.floor(4000 / n));
          const cpuBefore = processCpuMs(backendPid);
          const started = process.hrtime.bigint();
          for (let i = 0; i < batches; i++) await run(n);
          const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / batches;
          const cpuMs = (processCpuMs(backendPid) - cpuBefore) / batches;
          process.stdout.write(
            `${String(n).padStart(2)} sends/batch ${label.padEnd(6)}: wall ${wallMs.toFixed(3)} ms, backend CPU ${cpuMs.toFixed(3)} ms per batch = ${Math.round((cpuMs / n) * 1000)} µs per message\n`,
          );
        }
      }
    } finally {
      await client.end();
    }
  } finally {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
