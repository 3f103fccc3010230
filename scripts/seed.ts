/**
 * Seeds a database large enough to judge the queries (docs/queries.md): users, public and private
 * rooms, DMs, memberships, at least 100,000 messages with replies, edits, deletions and reactions,
 * and read pointers. With `--explain` it then prints EXPLAIN (ANALYZE, BUFFERS) of the application's
 * own SQL (captured from the real repository methods, not copies of them).
 *
 *   npm run seed                       # embedded PostgreSQL under /tmp/seed-db (or DATA_DIR)
 *   npm run seed -- --explain          # seed if needed, then print the plans
 *   DATABASE_URL=postgres://… npm run seed -- --messages 200000
 *
 * Seeding runs once per database (the seed users are recognised); use a fresh DATA_DIR to start over.
 */
import 'reflect-metadata';
import { hashSync } from 'bcryptjs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DmRepository, dmKeyOf } from '../src/dm/dm.repository';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { sqlLiteral } from '../src/database/sql';
import { typeormOptions } from '../src/database/typeorm-options';
import { MessagesRepository } from '../src/messages/messages.repository';
import { RoomsRepository } from '../src/rooms/rooms.repository';

interface Options {
  dataDir: string;
  messages: number;
  explain: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = {
    dataDir: process.env.DATA_DIR ? join(process.env.DATA_DIR) : '/tmp/seed-db',
    messages: 120_000,
    explain: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--explain') options.explain = true;
    else if (arg === '--messages') options.messages = Number(argv[++i]);
    else if (arg === '--data-dir') options.dataDir = argv[++i];
    else throw new Error(`unknown argument ${arg} (use --messages N, --data-dir DIR, --explain)`);
  }
  if (!Number.isInteger(options.messages) || options.messages < 1) throw new Error('--messages must be a positive integer');
  return options;
}

const USERS = 2000;
const PUBLIC_ROOMS = 200;
const PRIVATE_ROOMS = 100;
const DMS = 400;
/** The user whose view the plans show: a member of many rooms and DMs. */
const HEAVY_USER = 'seed_user_1';
const WORDS = [
  'meeting', 'deploy', 'lunch', 'release', 'coffee', 'bug', 'review', 'weekend', 'design', 'server', 'database', 'index',
  'tomorrow', 'today', 'please', 'thanks', 'question', 'answer', 'idea', 'plan', 'budget', 'ticket', 'customer', 'music',
  'football', 'holiday', 'train', 'weather', 'rain', 'sunny', 'pizza', 'office', 'remote', 'call', 'video', 'slides',
  'postgres', 'latency', 'memory', 'search', 'cache', 'queue', 'socket', 'browser', 'mobile', 'android', 'iphone', 'laptop',
];

async function seed(ds: DataSource, messages: number): Promise<void> {
  const started = Date.now();
  const step = (what: string) => console.log(`[seed] ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const hash = hashSync('seed-password', 10);

  await ds.transaction(async (m) => {
    await m.query(
      `INSERT INTO users (username, email, password_hash, display_name, created_at)
       SELECT 'seed_user_' || g, 'seed_user_' || g || '@example.test', $2, 'Seed User ' || g, now() - interval '400 days'
       FROM generate_series(1, $1::int) g`,
      [USERS, hash],
    );
    step(`${USERS} users`);

    const seedUsers = `(SELECT id, row_number() OVER (ORDER BY username) AS n FROM users WHERE username LIKE 'seed\\_user\\_%')`;
    await m.query(
      `INSERT INTO rooms (type, name, description, owner_id, created_at)
       SELECT CASE WHEN g <= $1::int THEN 'public' ELSE 'private' END, 'seed room ' || g, 'Seeded room number ' || g,
              (SELECT id FROM ${seedUsers} u WHERE u.n = 1 + (g * 7) % $3::int), now() - interval '300 days'
       FROM generate_series(1, $1::int + $2::int) g`,
      [PUBLIC_ROOMS, PRIVATE_ROOMS, USERS],
    );
    // Owners, then ~40 members per room; the heavy user joins every third room.
    await m.query(`INSERT INTO room_members (room_id, user_id, role) SELECT id, owner_id, 'owner' FROM rooms WHERE name LIKE 'seed room %' AND owner_id IS NOT NULL ON CONFLICT DO NOTHING`);
    await m.query(
      `INSERT INTO room_members (room_id, user_id, role)
       SELECT r.id, u.id, 'member'
       FROM (SELECT id, row_number() OVER (ORDER BY name) AS rn FROM rooms WHERE name LIKE 'seed room %') r
       JOIN ${seedUsers} u ON (u.n + r.rn * 13) % 50 = 0 OR (u.n = 1 AND r.rn % 3 = 0)
       ON CONFLICT DO NOTHING`,
    );
    step(`${PUBLIC_ROOMS + PRIVATE_ROOMS} rooms with members`);

    // DMs: the heavy user with the first 100 users, the rest between neighbours.
    const pairs: [string, string][] = [];
    const ids: { id: string }[] = await m.query(`SELECT id FROM ${seedUsers} u ORDER BY n LIMIT $1::int`, [DMS + 1]);
    for (let i = 1; i <= DMS && i < ids.length; i++) pairs.push(i <= 100 ? [ids[0].id, ids[i].id] : [ids[i - 1].id, ids[i].id]);
    for (const [a, b] of pairs) {
      const rows: { id: string }[] = await m.query(
        `INSERT INTO rooms (type, dm_key, created_at) VALUES ('dm', $1, now() - interval '200 days') ON CONFLICT (dm_key) WHERE dm_key IS NOT NULL DO NOTHING RETURNING id`,
        [dmKeyOf(a, b)],
      );
      if (rows[0]) {
        await m.query(`INSERT INTO room_members (room_id, user_id, role) VALUES ($1, $2, 'member'), ($1, $3, 'member')`, [rows[0].id, a, b]);
      }
    }
    await m.query(`UPDATE rooms r SET member_count = (SELECT count(*) FROM room_members WHERE room_id = r.id)`);
    step(`${pairs.length} DMs`);
  });

  // Messages: spread over rooms (bigger rooms get more), ordered seqs per room, one minute apart.
  await ds.transaction(async (m) => {
    await m.query(
      `WITH target AS (
         SELECT r.id, greatest(1, round($1::numeric * w / sum(w) OVER ()))::int AS n,
                (SELECT array_agg(user_id) FROM room_members WHERE room_id = r.id) AS senders
         -- One very busy room (about a quarter of all messages), the others spread by a stable hash.
         FROM (SELECT id, CASE WHEN name = 'seed room 3' THEN 2400 WHEN type = 'dm' THEN 1 ELSE 8 END * (1 + abs(hashtext(id::text)) % 5) AS w
               FROM rooms) r)
       INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, created_at)
       SELECT t.id, s.seq, s.seq, t.senders[1 + (abs(hashtext(t.id::text || s.seq)) % cardinality(t.senders))], 'text',
              (SELECT string_agg(($2::text[])[1 + (abs(hashtext(t.id::text || s.seq || w)) % cardinality($2::text[]))], ' ')
                 FROM generate_series(1, 3 + s.seq % 12) w),
              now() - (t.n - s.seq) * interval '1 minute' - (abs(hashtext(t.id::text)) % 1000) * interval '1 minute'
       FROM target t CROSS JOIN LATERAL generate_series(1, t.n) s(seq)
       WHERE cardinality(t.senders) > 0`,
      [messages, WORDS],
    );
    step(`${messages} messages`);
    // About 1% deleted (tombstones), 2% edited, 10% with a reaction, 5% replies to the previous message.
    await m.query(`UPDATE messages SET deleted_at = created_at + interval '5 minutes', content = NULL WHERE abs(hashtext(id::text)) % 100 = 0`);
    await m.query(`UPDATE messages SET edited_at = created_at + interval '2 minutes', content = content || ' (edited)' WHERE abs(hashtext(id::text)) % 50 = 1 AND deleted_at IS NULL`);
    await m.query(
      `UPDATE messages m SET reply_to_id = p.id FROM messages p
       WHERE p.room_id = m.room_id AND p.seq = m.seq - 1 AND abs(hashtext(m.id::text)) % 20 = 2`,
    );
    await m.query(
      `INSERT INTO message_reactions (message_id, emoji, user_id)
       SELECT m.id, (ARRAY['👍','❤️','😂','🎉'])[1 + abs(hashtext(m.id::text)) % 4], m.sender_id
       FROM messages m WHERE abs(hashtext(m.id::text)) % 10 = 3 AND m.deleted_at IS NULL AND m.sender_id IS NOT NULL
       ON CONFLICT DO NOTHING`,
    );
    // Every change took the next value of its room's counter, after all the messages.
    await m.query(
      `UPDATE messages m SET updated_seq = c.base + c.k
       FROM (SELECT x.id, x.k, mx.base FROM
               (SELECT id, room_id, row_number() OVER (PARTITION BY room_id ORDER BY seq) AS k FROM messages
                WHERE deleted_at IS NOT NULL OR edited_at IS NOT NULL
                   OR EXISTS (SELECT 1 FROM message_reactions r WHERE r.message_id = messages.id)) x
             JOIN (SELECT room_id, max(seq) AS base FROM messages GROUP BY room_id) mx ON mx.room_id = x.room_id) c
       WHERE c.id = m.id`,
    );
    await m.query(
      `UPDATE rooms r SET last_seq = x.last_seq, last_activity_at = x.last_at
       FROM (SELECT room_id, max(updated_seq) AS last_seq, max(created_at) AS last_at FROM messages GROUP BY room_id) x
       WHERE x.room_id = r.id`,
    );
    // Read pointers: most members are a few hundred messages behind at most.
    await m.query(
      `UPDATE room_members rm SET last_read_seq = greatest(0, x.max_seq - abs(hashtext(rm.user_id::text || rm.room_id::text)) % 400)
       FROM (SELECT room_id, max(seq) AS max_seq FROM messages GROUP BY room_id) x WHERE x.room_id = rm.room_id`,
    );
    step('edits, deletes, replies, reactions, read pointers');
  });
  // As autovacuum would soon: statistics for the planner, and a visibility map for index-only scans.
  await ds.query('VACUUM ANALYZE');
  step('VACUUM ANALYZE');
}

/** Prints EXPLAIN (ANALYZE, BUFFERS) of the repositories' real SQL for the heavy user's view. */
async function explain(ds: DataSource): Promise<void> {
  const plans: { sql: string; plan: string }[] = [];
  // One connection of the server's kind (typeormOptions: the same session settings, so the same
  // plan cache mode), where each statement is prepared and executed as the server's named statements
  // are: the plan shown is the one the server runs, generic or custom.
  const runner = ds.createQueryRunner();
  await runner.connect();
  // A stand-in data source: every statement a repository runs is explained instead of executed (it
  // has no pg pool, so src/database/sql.ts sends the statement's text through query()).
  const explaining = {
    query: async (sql: string, params: unknown[] = []) => {
      await runner.query(`PREPARE explained AS ${sql}`);
      try {
        const args = params.length > 0 ? `(${params.map(sqlLiteral).join(', ')})` : '';
        const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE explained${args}`);
        plans.push({ sql, plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
      } finally {
        await runner.query('DEALLOCATE explained');
      }
      return [];
    },
  } as unknown as DataSource;
  const rooms = new RoomsRepository(explaining);
  const messages = new MessagesRepository(explaining);
  const dms = new DmRepository(explaining);

  const [user] = await ds.query(`SELECT id FROM users WHERE username = $1`, [HEAVY_USER]);
  const [busy] = await ds.query(
    `SELECT r.id, r.last_seq FROM rooms r JOIN room_members m ON m.room_id = r.id AND m.user_id = $1 WHERE r.type <> 'dm' ORDER BY r.last_seq DESC LIMIT 1`,
    [user.id],
  );
  const [peer] = await ds.query(
    `SELECT pm.user_id FROM room_members m JOIN rooms r ON r.id = m.room_id AND r.type = 'dm' JOIN room_members pm ON pm.room_id = r.id AND pm.user_id <> m.user_id WHERE m.user_id = $1 LIMIT 1`,
    [user.id],
  );
  const counts: { messages: string; rooms: string; memberships: string }[] = await ds.query(
    `SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM rooms) AS rooms, (SELECT count(*) FROM room_members WHERE user_id = $1) AS memberships`,
    [user.id],
  );
  console.log(`-- ${counts[0].messages} messages, ${counts[0].rooms} rooms; ${HEAVY_USER} belongs to ${counts[0].memberships} rooms; busiest room has last_seq ${busy.last_seq}`);

  const cases: [string, () => Promise<unknown>][] = [
    ['History: latest page (GET /rooms/:id/messages?limit=50)', () => messages.findPage(busy.id, user.id, { limit: 50, offset: 0 })],
    ['History: an older page (before=<seq>)', () => messages.findPage(busy.id, user.id, { before: Math.floor(Number(busy.last_seq) / 2), limit: 50, offset: 0 })],
    ['rooms/me (GET /rooms/me?limit=20)', () => rooms.findMyRooms(user.id, 20, null)],
    ['DM list (GET /dm)', () => rooms.findMyRooms(user.id, 20, null, true)],
    ['DM lookup by pair (POST /dm)', () => dms.findDmRoomId(dmKeyOf(user.id, peer.user_id))],
    ['One room as its member sees it (GET /rooms/:id)', () => rooms.findRoomViewForUser(busy.id, user.id)],
    ['Access check: room lock and role (every change in a room)', () => rooms.lockForUser(explaining, busy.id, user.id)],
    ['Search, a common word (GET /messages/search?q=meeting)', () => messages.search(user.id, 'meeting', { limit: 20, after: null })],
    ['Search, a phrase (q="deploy today")', () => messages.search(user.id, '"deploy today"', { limit: 20, after: null })],
    ['Sync: changes after a seq (WS sync)', () => messages.findChanges(explaining, busy.id, user.id, Number(busy.last_seq) - 100, 500)],
  ];
  const [{ plan_cache_mode: mode }] = await runner.query('SHOW plan_cache_mode');
  console.log(`-- plan_cache_mode = ${mode}`);
  try {
    for (const [title, run] of cases) {
      plans.length = 0;
      await run();
      console.log(`\n### ${title}\n`);
      for (const p of plans) console.log('```sql\n' + p.sql.replace(/^\s*\n/, '').trim() + '\n```\n\n```\n' + p.plan + '\n```');
    }
  } finally {
    await runner.release();
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let embedded: EmbeddedDatabase | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    console.log(`[seed] starting the embedded PostgreSQL in ${options.dataDir}`);
    embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, persistent: true });
    url = embedded.url;
  }
  const ds = new DataSource({ ...typeormOptions(url), logging: false });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const [{ n }] = await ds.query(`SELECT count(*) AS n FROM users WHERE username = $1`, [HEAVY_USER]);
    if (Number(n) === 0) await seed(ds, options.messages);
    else console.log('[seed] already seeded (use a fresh DATA_DIR to start over)');
    if (options.explain) await explain(ds);
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
