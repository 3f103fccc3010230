import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { api, pool } from './api';

/**
 * Connection URL of our server's embedded PostgreSQL, read from its data directory (the password
 * file and the port line of postmaster.pid), so the benchmark can seed without going through REST.
 */
export function embeddedDatabaseUrl(dataDir: string): string {
  const password = readFileSync(join(dataDir, 'pg-password'), 'utf8').trim();
  const port = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[3]);
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/chat`;
}

/** How the history was seeded. */
export interface SeedResult {
  method: 'sql' | 'rest';
  messages: number;
  ms: number;
  note?: string;
}

/**
 * Seeds `total` messages spread over the rooms: one INSERT … SELECT generate_series per room that
 * fills seq/updated_seq consecutively and moves the room's last_seq, as the send path would. Falls
 * back to REST (slower, fewer messages) when the SQL does not fit the schema any more.
 */
export async function seedMessages(opts: {
  dataDir: string;
  apiBase: string;
  token: string;
  senderId: string;
  roomIds: string[];
  total: number;
  restFallback: number;
}): Promise<SeedResult> {
  const started = Date.now();
  const perRoom = Math.ceil(opts.total / opts.roomIds.length);
  let client: Client | undefined;
  try {
    client = new Client({ connectionString: embeddedDatabaseUrl(opts.dataDir), application_name: 'chat-bench-seed' });
    await client.connect();
    await fillRooms(client, opts.roomIds, opts.senderId, perRoom);
    await client.query('ANALYZE messages');
    return { method: 'sql', messages: perRoom * opts.roomIds.length, ms: Date.now() - started };
  } catch (err) {
    await client?.query('ROLLBACK').catch(() => undefined);
    const note = `SQL seeding failed (${err instanceof Error ? err.message : String(err)}); seeded through REST instead`;
    const perRoomRest = Math.ceil(opts.restFallback / opts.roomIds.length);
    const jobs = opts.roomIds.flatMap((roomId) => Array.from({ length: perRoomRest }, (_, i) => ({ roomId, i })));
    await pool(jobs, 16, (job) => api(opts.apiBase, 'POST', `/rooms/${job.roomId}/messages`, opts.token, { content: `seeded message ${job.i}` }));
    return { method: 'rest', messages: jobs.length, ms: Date.now() - started, note };
  } finally {
    await client?.end().catch(() => undefined);
  }
}

/**
 * Appends `perRoom` messages from `senderId` to each room, one INSERT … SELECT generate_series per
 * room that numbers seq/updated_seq on from the room's last_seq and moves last_seq, as the send path
 * would; each room in its own transaction.
 */
async function fillRooms(client: Client, roomIds: string[], senderId: string, perRoom: number): Promise<void> {
  for (const roomId of roomIds) {
    await client.query('BEGIN');
    const { rows } = await client.query<{ last_seq: string }>('SELECT last_seq FROM rooms WHERE id = $1 FOR UPDATE', [roomId]);
    const base = Number(rows[0].last_seq);
    await client.query(
      `INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, created_at)
       SELECT $1, $2::bigint + i, $2::bigint + i, $3, 'text',
              'seeded message ' || i || ' lorem ipsum dolor sit amet, consectetur adipiscing elit',
              now() - make_interval(secs => ($4 - i))
       FROM generate_series(1, $4::int) AS i`,
      [roomId, base, senderId, perRoom],
    );
    await client.query('UPDATE rooms SET last_seq = last_seq + $2, last_activity_at = now() WHERE id = $1', [roomId, perRoom]);
    await client.query('COMMIT');
  }
}

/**
 * Fills a database that follows our schema (ours or raw-pg's) with `total` messages of an archive
 * nobody reads: a user and 10 rooms of its own, made in SQL, then {@link fillRooms}, VACUUM ANALYZE and CHECKPOINT. Used
 * to measure sends on a database that already holds many messages.
 */
export async function seedArchive(databaseUrl: string, total: number): Promise<SeedResult> {
  const started = Date.now();
  const client = new Client({ connectionString: databaseUrl, application_name: 'chat-bench-seed' });
  await client.connect();
  try {
    const tag = Math.random().toString(36).slice(2, 10);
    const user = await client.query<{ id: string }>(`INSERT INTO users (username, display_name) VALUES ($1, 'archive') RETURNING id`, [`archive_${tag}`]);
    const rooms = await client.query<{ id: string }>(
      `INSERT INTO rooms (type, name, owner_id) SELECT 'public', 'archive ' || $1 || ' ' || i, $2 FROM generate_series(1, 10) i RETURNING id`,
      [tag, user.rows[0].id],
    );
    const perRoom = Math.ceil(total / rooms.rows.length);
    await fillRooms(client, rooms.rows.map((r) => r.id), user.rows[0].id, perRoom);
    // Settled now, as a database that grew over months would be: vacuumed, so autovacuum does not
    // start on the new rows while the next scenario measures, and checkpointed, so the spread
    // checkpoint the bulk load triggers (its dirty pages and full-page images) is not still writing
    // behind every commit's WAL flush during the measurement (docs/performance.md, "1,000,000 messages").
    await client.query('VACUUM ANALYZE messages');
    await client.query('CHECKPOINT');
    return { method: 'sql', messages: perRoom * rooms.rows.length, ms: Date.now() - started };
  } finally {
    await client.end().catch(() => undefined);
  }
}
