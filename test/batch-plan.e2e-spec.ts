import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runMigrationsLocked } from '../src/database/migrations';
import { sqlLiteral } from '../src/database/sql';
import { typeormOptions } from '../src/database/typeorm-options';
import { dmKeyOf } from '../src/dm/dm.repository';
import { BatchOutcomeRow, BatchSendRow, COMMIT_ONE_TEXT, COMMIT_TEXT_BATCH, GROUP_COMMIT_SESSION_OPTIONS, mentionCandidatesParam, MessagesRepository } from '../src/messages/messages.repository';

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
 * every send: a 200-send batch took 4.8 s at 20,000 messages.) The reads of the server's pool are
 * cached generic plans too (SESSION_OPTIONS); the last test checks the history page's.
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
    await client.query(`PREPARE one(uuid, uuid, text, uuid, text, text) AS ${COMMIT_ONE_TEXT.text}`);
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

  /**
   * EXPLAIN ANALYZE of a lone send (the batch-of-one form): a reply, a client_msg_id and a mention
   * of a member, so every probe of the form runs.
   */
  async function explainOne(client: Client, tag: string): Promise<BatchFootprint> {
    const content = `${tag} lone send @plan_user_2`;
    const args = [rooms[0], senders[0], content, replyTarget, `${tag}-lone`, mentionCandidatesParam(content)].map((v) => (v === null ? 'NULL' : client.escapeLiteral(v)));
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE one(${args.join(', ')})`);
    const result: BatchFootprint = { rowsTouched: 0, tableNodes: [], stored: 0 };
    footprint(rows[0]['QUERY PLAN'][0].Plan, result);
    const stored = await client.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE content = $1 AND cardinality(mentions) = 1 AND reply_to_id = $2`, [content, replyTarget]);
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
    const emptyOne = await explainOne(writer, 'empty');
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
    const bigCachedOne = await explainOne(writer, 'bigcached');

    await seeder.query(`ANALYZE`);
    const freshWriter = await writerConnection();
    const bigFresh = await explainBatch(freshWriter, 'bigfresh');
    expect(bigFresh.stored).toBe(BATCH - 1);
    const bigFreshOne = await explainOne(freshWriter, 'bigfresh');

    // A probe per send and per stored message: the same for both, whatever the table holds.
    expect(bigCached.rowsTouched).toBeLessThanOrEqual(empty.rowsTouched);
    expect(bigFresh.rowsTouched).toBeLessThanOrEqual(empty.rowsTouched);
    expect(empty.rowsTouched).toBeLessThan(10 * BATCH);
    for (const run of [empty, bigCached, bigFresh]) {
      expect(run.tableNodes.filter((n) => n.startsWith('Seq Scan'))).toEqual([]);
    }
    // The same for a lone send, which runs the smaller form.
    for (const run of [emptyOne, bigCachedOne, bigFreshOne]) {
      expect(run.stored).toBe(1);
      expect(run.rowsTouched).toBeLessThanOrEqual(emptyOne.rowsTouched);
      expect(run.tableNodes.filter((n) => n.startsWith('Seq Scan'))).toEqual([]);
    }
    expect(emptyOne.rowsTouched).toBeLessThan(20);
  }, 120_000);

  it('answers and stores a lone send exactly as the batch form does, for every outcome', async () => {
    const writer = await writerConnection();
    const repo = new MessagesRepository(undefined as never);
    const [alice, bob, carol] = senders;
    // A room only alice is in; a DM between alice and bob in which bob blocked alice.
    const setup = clients[0];
    const lonely = (await setup.query<{ id: string }>(`INSERT INTO rooms (type, name, owner_id) VALUES ('public', 'lonely', $1) RETURNING id`, [alice])).rows[0].id;
    await setup.query(`INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, 'owner')`, [lonely, alice]);
    const dm = (await setup.query<{ id: string }>(`INSERT INTO rooms (type, dm_key) VALUES ('dm', $1) RETURNING id`, [dmKeyOf(alice, bob)])).rows[0].id;
    await setup.query(`INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, 'member'), ($1, $3, 'member')`, [dm, alice, bob]);
    await setup.query(`INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2)`, [bob, alice]);
    const target = (await repo.commitTextBatch(writer, [{ roomId: rooms[0], senderId: bob, content: 'a reply target', replyToId: null, clientMsgId: null }]))[0];
    await repo.commitTextBatch(writer, [{ roomId: rooms[0], senderId: alice, content: 'sent before', replyToId: null, clientMsgId: 'sent-before' }]);

    /** Each case as a function of the form's tag, so both forms store distinct messages. */
    const cases: [string, (tag: string) => BatchSendRow][] = [
      ['plain', (tag) => ({ roomId: rooms[0], senderId: alice, content: `plain ${tag}`, replyToId: null, clientMsgId: null })],
      ['reply, key, mentions', (tag) => ({ roomId: rooms[0], senderId: alice, content: `hi @PLAN_USER_3 and @plan_user_1 and @nobody ${tag}`, replyToId: target.id, clientMsgId: `k-${tag}` })],
      ['no room', (tag) => ({ roomId: randomUUID(), senderId: alice, content: `nowhere ${tag}`, replyToId: null, clientMsgId: null })],
      ['not a member', (tag) => ({ roomId: lonely, senderId: bob, content: `outsider ${tag}`, replyToId: null, clientMsgId: null })],
      ['blocked', (tag) => ({ roomId: dm, senderId: alice, content: `blocked ${tag}`, replyToId: null, clientMsgId: null })],
      ['retried key', () => ({ roomId: rooms[0], senderId: alice, content: 'sent before, again', replyToId: null, clientMsgId: 'sent-before' })],
      ['reply elsewhere', (tag) => ({ roomId: rooms[1], senderId: alice, content: `bad reply ${tag}`, replyToId: target.id, clientMsgId: null })],
      ['unknown reply', (tag) => ({ roomId: rooms[1], senderId: alice, content: `lost reply ${tag}`, replyToId: randomUUID(), clientMsgId: null })],
    ];
    const counters = async (room: string) =>
      (
        await setup.query<{ last_seq: string; live_count: string; own_unread: string; mention_rows: string }>(
          `SELECT r.last_seq, r.live_count, m.own_unread, (SELECT count(*) FROM message_mentions mm WHERE mm.room_id = r.id) AS mention_rows
           FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1`,
          [room, alice],
        )
      ).rows[0];
    /** What must match between the forms: everything but the new id, seq, time, ord and the tag. */
    const comparable = (row: BatchOutcomeRow, tag: string) => {
      const { id, seq, updated_seq, created_at, ord, ...rest } = row;
      expect([typeof id, seq === updated_seq, typeof created_at]).toEqual(row.outcome === 'stored' ? ['string', true, 'object'] : ['object', true, 'object']);
      expect(Number(ord)).toBe(1);
      return JSON.parse(JSON.stringify(rest).split(tag).join('<tag>'));
    };
    for (const [name, make] of cases) {
      const answers = [];
      const effects = [];
      for (const [tag, run] of [
        ['lone', (send: BatchSendRow) => repo.commitTextBatch(writer, [send])],
        ['batched', async (send: BatchSendRow) => (await repo.commitTextBatch(writer, [send, { roomId: bigRoom, senderId: carol, content: 'filler', replyToId: null, clientMsgId: null }]))[0]],
      ] as const) {
        const send = make(tag);
        const before = await counters(send.roomId);
        const answer = await run(send);
        const row = Array.isArray(answer) ? (answer as BatchOutcomeRow[])[0] : (answer as BatchOutcomeRow);
        if (Array.isArray(answer)) expect(answer).toHaveLength(1);
        const after = await counters(send.roomId);
        answers.push(comparable(row, tag));
        effects.push({
          seq: before ? Number(after.last_seq) - Number(before.last_seq) : null,
          live: before ? Number(after.live_count) - Number(before.live_count) : null,
          ownUnread: before ? Number(after.own_unread) - Number(before.own_unread) : null,
          mentionRows: before ? Number(after.mention_rows) - Number(before.mention_rows) : null,
          stored: Number((await setup.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE content = $1`, [send.content])).rows[0].n),
          seqIsLast: row.outcome === 'stored' ? Number(row.seq) === Number(after.last_seq) : null,
        });
      }
      expect({ name, answer: answers[0], effect: effects[0] }).toEqual({ name, answer: answers[1], effect: effects[1] });
    }
    // The forms did answer differently per case: every outcome of the contract but `twin` (a lone send has none).
    const outcomes = [];
    for (const [, make] of cases) outcomes.push((await repo.commitTextBatch(writer, [make('again')]))[0].outcome);
    expect(outcomes).toEqual(['stored', 'stored', 'no_room', 'not_member', 'blocked', 'existing', 'bad_reply', 'bad_reply']);
  }, 60_000);
  it("plans a read on the server's connections once, generically and without parallel workers: the history page of a room of 10,000 is one index range", async () => {
    const setup = new Client({ connectionString: url });
    await setup.connect();
    clients.push(setup);
    // Ten rooms of 10,000 messages, as the benchmark's REST scenario has them.
    const pageRooms = (
      await setup.query<{ id: string }>(`INSERT INTO rooms (type, name, owner_id, last_seq) SELECT 'public', 'history plan ' || i, $1, 10000 FROM generate_series(1, 10) i RETURNING id`, [
        senders[0],
      ])
    ).rows.map((r) => r.id);
    await setup.query(`INSERT INTO room_members (room_id, user_id, role) SELECT r, u, 'member' FROM unnest($1::uuid[]) r CROSS JOIN unnest($2::uuid[]) u`, [pageRooms, senders]);
    await setup.query(
      `INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content)
       SELECT r, i, i, ($2::uuid[])[1 + i % 4], 'text', 'history ' || i FROM unnest($1::uuid[]) r CROSS JOIN generate_series(1, 10000) i`,
      [pageRooms, senders],
    );
    const room = pageRooms[3];
    await setup.query('ANALYZE');

    // A connection as the server's pool opens them.
    const dataSource = new DataSource(typeormOptions(url));
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      expect(await runner.query(`SELECT current_setting('plan_cache_mode') AS mode, current_setting('max_parallel_workers_per_gather') AS workers`)).toEqual([
        { mode: 'force_generic_plan', workers: '0' },
      ]);
      // The repository's own statement, prepared and run seven times as the pool would run it.
      let plan: PlanNode | undefined;
      const preparing = {
        query: async (sql: string, params: unknown[]) => {
          await runner.query(`PREPARE page AS ${sql}`);
          const args = params.map(sqlLiteral).join(', ');
          for (let i = 0; i < 6; i++) expect((await runner.query(`EXECUTE page(${args})`)).length).toBe(51);
          plan = (await runner.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE page(${args})`))[0]['QUERY PLAN'][0].Plan;
          return [];
        },
      };
      await new MessagesRepository(preparing as never).findPage(room, senders[0], { limit: 50, offset: 0 });
      expect(await runner.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'page'`)).toEqual([{ generic_plans: 7, custom_plans: 0 }]);
      const nodes: PlanNode[] = [];
      const walk = (node: PlanNode) => {
        nodes.push(node);
        node.Plans?.forEach(walk);
      };
      walk(plan!);
      expect(nodes.filter((n) => n['Node Type'].startsWith('Gather'))).toEqual([]);
      // The page itself (not the reply previews, by primary key): one backward range of 51 rows.
      const pageScan = nodes.filter((n) => n['Relation Name'] === 'messages' && n['Index Name'] !== 'messages_pkey');
      expect(pageScan.map((n) => [n['Node Type'], n['Actual Rows']])).toEqual([['Index Scan', 51]]);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  }, 60_000);
});
