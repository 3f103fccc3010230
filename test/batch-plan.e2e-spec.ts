import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runMigrationsLocked } from '../src/database/migrations';
import { typeormOptions } from '../src/database/typeorm-options';
import { COMMIT_TEXT_BATCH, GROUP_COMMIT_SESSION_OPTIONS, mentionCandidatesParam } from '../src/messages/messages.repository';

/** One node of `EXPLAIN (FORMAT JSON)` output, the fields this test reads. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** What one EXPLAIN ANALYZE of a batch says about the tables it touched. */
interface BatchFootprint {
  /** Rows read from tables and indexes, kept or filtered out, over every loop. */
  rowsTouched: number;
  /** `Node Type on relation` of every node that reads a table. */
  tableNodes: string[];
  /** How many of the batch's messages are stored afterwards. */
  stored: number;
}

/** A PostgreSQL array literal of text values (NULL for null). */
function arrayLiteral(values: (string | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

/** The arguments of `EXECUTE batch(…)` as literals (EXPLAIN EXECUTE takes no bind parameters). */
function execArgs(client: Client, arrays: (string | null)[][]): string {
  return arrays.map((values) => client.escapeLiteral(arrayLiteral(values))).join(', ');
}

function footprint(node: PlanNode, into: BatchFootprint): void {
  if (node['Relation Name']) {
    const perLoop = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);
    into.rowsTouched += perLoop * (node['Actual Loops'] ?? 1);
    if (node['Node Type'] !== 'ModifyTable') into.tableNodes.push(`${node['Node Type']} on ${node['Relation Name']}`);
  }
  for (const child of node.Plans ?? []) footprint(child, into);
}

/**
 * The group-commit statement's cost per batch does not grow with the messages table. The statement
 * runs with a generic plan cached for the life of its connection, so its plan is made once, from
 * whatever the statistics say at that moment. This test makes that moment the worst one: a fresh
 * database (migrations only) whose tables were just analyzed while empty, so the planner believes
 * every table holds one row. It prepares the statement on a connection with the writer's own
 * session settings, commits a first batch (which builds and caches the plan), runs one EXPLAIN
 * ANALYZE batch, fills `messages` with 30,000 rows (some with client_msg_ids, some deleted), runs an
 * identical batch again on the same connection and cached plan, then once more on a new connection
 * after ANALYZE. Each big-table batch must read no more table rows than the empty-table one, and no
 * plan may scan a table sequentially. (Before the fix the cached plan scanned all of `messages` for
 * every send: a 200-send batch took 4.8 s at 20,000 messages.)
 */
describe('group-commit plan on a growing messages table (e2e)', () => {
  const BATCH = 100;
  const SEEDED = 30_000;
  const dbName = `batch_plan_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client;
  let url: string;
  const clients: Client[] = [];
  let senders: string[];
  let rooms: string[];
  let bigRoom: string;
  let replyTarget: string;

  /** A client on the test database with the group-commit connections' settings, the statement prepared. */
  async function writerConnection(): Promise<Client> {
    const client = new Client({ connectionString: url, options: GROUP_COMMIT_SESSION_OPTIONS });
    await client.connect();
    clients.push(client);
    await client.query(`PREPARE batch(uuid[], uuid[], text[], uuid[], text[], text[]) AS ${COMMIT_TEXT_BATCH.text}`);
    return client;
  }

  /**
   * The parallel arrays of one batch: senders and rooms alternate, every tenth send replies (in the
   * reply target's room), one twin; every fifth send mentions a member and a name nobody has (the
   * candidates, as commitTextBatch passes them).
   */
  function batch(tag: string): (string | null)[][] {
    const room: string[] = [];
    const sender: string[] = [];
    const content: string[] = [];
    const reply: (string | null)[] = [];
    const cmid: (string | null)[] = [];
    const candidates: (string | null)[] = [];
    for (let i = 0; i < BATCH; i++) {
      room.push(rooms[i % rooms.length]);
      sender.push(senders[i % senders.length]);
      const mentions = i % 5 === 0 ? [`plan_user_${1 + ((i + 1) % 4)}`, 'nobody_at_all'] : [];
      content.push(`${tag} message ${i}${mentions.map((n) => ` @${n}`).join('')}`);
      candidates.push(mentionCandidatesParam(content[i]));
      reply.push(i % 10 === 0 ? replyTarget : null);
      // Every third send has a client_msg_id; send 96 (same sender and room as send 0) repeats send 0's: a twin.
      cmid.push(i === 96 ? `${tag}-0` : i % 3 === 0 ? `${tag}-${i}` : null);
    }
    return [room, sender, content, reply, cmid, candidates];
  }

  async function explainBatch(client: Client, tag: string): Promise<BatchFootprint> {
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE batch(${execArgs(client, batch(tag))})`,
    );
    const result: BatchFootprint = { rowsTouched: 0, tableNodes: [], stored: 0 };
    footprint(rows[0]['QUERY PLAN'][0].Plan, result);
    // EXPLAIN ANALYZE really ran the batch: read back what it stored.
    const stored = await client.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE content LIKE $1`, [`${tag} message %`]);
    result.stored = Number(stored.rows[0].n);
    return result;
  }

  beforeAll(async () => {
    admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const target = new URL(process.env.DATABASE_URL!);
    target.pathname = `/${dbName}`;
    url = target.toString();
    const dataSource = new DataSource(typeormOptions(url));
    await dataSource.initialize();
    try {
      await runMigrationsLocked(dataSource);
    } finally {
      await dataSource.destroy();
    }
    const setup = new Client({ connectionString: url });
    await setup.connect();
    clients.push(setup);
    senders = (
      await setup.query<{ id: string }>(
        `INSERT INTO users (username, display_name) SELECT 'plan_user_' || i, 'Plan user ' || i FROM generate_series(1, 4) i RETURNING id`,
      )
    ).rows.map((r) => r.id);
    rooms = (
      await setup.query<{ id: string }>(`INSERT INTO rooms (type, name, owner_id) SELECT 'public', 'plan room ' || i, $1 FROM generate_series(1, 3) i RETURNING id`, [senders[0]])
    ).rows.map((r) => r.id);
    bigRoom = rooms[2];
    rooms = rooms.slice(0, 2);
    await setup.query(
      `INSERT INTO room_members (room_id, user_id, role) SELECT r, u, 'member' FROM unnest($1::uuid[]) r CROSS JOIN unnest($2::uuid[]) u`,
      [[...rooms, bigRoom], senders],
    );
    // The trap: statistics that say every table is empty.
    await setup.query(`VACUUM ANALYZE`);
  });

  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  });

  it('reads no more rows per batch on 30,000 messages than on an empty table, and never scans a table', async () => {
    const writer = await writerConnection();
    // The first batch builds the generic plan while `messages` is empty; it stays cached on this connection.
    const first = await writer.query<{ id: string; outcome: string }>(
      `EXECUTE batch(${execArgs(writer, [[rooms[0]], [senders[0]], ['reply target'], [null], [null], [null]])})`,
    );
    expect(first.rows.map((r) => r.outcome)).toEqual(['stored']);
    replyTarget = first.rows[0].id;

    const empty = await explainBatch(writer, 'empty');
    // 100 sends, one the twin of another: 99 stored.
    expect(empty.stored).toBe(BATCH - 1);
    // The mentions resolved in the same statement: one member per fifth send, the unknown name never.
    const mentioned = await writer.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE content LIKE 'empty message %' AND cardinality(mentions) = 1`);
    expect(Number(mentioned.rows[0].n)).toBe(BATCH / 5);

    const seeder = clients[0];
    await seeder.query(
      `INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, client_msg_id, deleted_at)
       SELECT $1, i, i, ($2::uuid[])[1 + i % 4], 'text', 'seeded ' || i,
              CASE WHEN i % 2 = 0 THEN 'seed-' || i END, CASE WHEN i % 50 = 0 THEN now() END
       FROM generate_series(1, $3::int) i`,
      [bigRoom, senders, SEEDED],
    );
    await seeder.query(`UPDATE rooms SET last_seq = $2 WHERE id = $1`, [bigRoom, SEEDED]);

    const bigCached = await explainBatch(writer, 'bigcached');
    expect(bigCached.stored).toBe(BATCH - 1);

    await seeder.query(`ANALYZE`);
    const bigFresh = await explainBatch(await writerConnection(), 'bigfresh');
    expect(bigFresh.stored).toBe(BATCH - 1);

    // A probe per send and per stored message: the same for both, whatever the table holds.
    expect(bigCached.rowsTouched).toBeLessThanOrEqual(empty.rowsTouched);
    expect(bigFresh.rowsTouched).toBeLessThanOrEqual(empty.rowsTouched);
    expect(empty.rowsTouched).toBeLessThan(10 * BATCH);
    for (const run of [empty, bigCached, bigFresh]) {
      expect(run.tableNodes.filter((n) => n.startsWith('Seq Scan'))).toEqual([]);
    }
  }, 120_000);
});
