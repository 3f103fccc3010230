/**
 * Peer (d): the REST ceiling. Plain Fastify + `pg` answering `GET /api/v1/rooms/:id/messages?limit=n`
 * (the latest history page) and `GET /api/v1/rooms/me` from our server's database ($DATABASE_URL),
 * with our repositories' SQL, session settings and message mapper (loaded from dist/), so each answer
 * is the same SQL result in the same JSON shape. What it leaves out is everything above the data
 * layer: no Nest, no authentication (the caller is the `sub` of the bearer token, decoded, not
 * verified), no validation, no membership check, no access log. Listens on 127.0.0.1:$PORT; SIGTERM
 * exits 0.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { ourDataLayer } from '../lib/our-build';

const port = Number(process.env.PORT ?? 4004);
const { MessagesRepository, RoomsRepository, toMessageDto, encodeCursor, effectiveNotificationLevel, SESSION_OPTIONS } = ourDataLayer();
// Our server's session settings (its plan cache mode) are part of the data layer this peer shares.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4, idleTimeoutMillis: 0, options: SESSION_OPTIONS });
// `driver.master` lets our repositories run their prepared statements on this pool, as they do in our server.
const db = { query: (sql: string, params?: unknown[]) => pool.query(sql, params).then((r) => r.rows), driver: { master: pool } };
const messages = new MessagesRepository(db);
const rooms = new RoomsRepository(db);

/** The `sub` claim of a `Bearer` JWT, unverified. */
function caller(authorization: string | undefined): string {
  const payload = authorization?.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString() || '{}') as { sub?: string }).sub ?? '';
}

const app = Fastify({ logger: false });
app.get<{ Params: { id: string }; Querystring: { limit?: string } }>('/api/v1/rooms/:id/messages', async (req) => {
  const limit = Math.min(100, Number(req.query.limit ?? 20) || 20);
  const { rows, hasMore } = await messages.findPage(req.params.id, caller(req.headers.authorization), { limit, offset: 0 });
  return { items: rows.map(toMessageDto), has_more: hasMore };
});
app.get('/api/v1/rooms/me', async (req) => {
  const limit = 20;
  const rows = await rooms.findMyRooms(caller(req.headers.authorization), limit, null);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    // The room object of API.md as our RoomsService renders a rooms/me row (the bench has no DMs).
    items: page.map((r) => ({
      id: r.id,
      type: r.type,
      name: r.name,
      description: r.description,
      owner_id: r.owner_id,
      owner:
        r.owner_id && r.owner_username !== null
          ? { id: r.owner_id, username: r.owner_username, display_name: r.owner_display_name ?? r.owner_username, avatar_url: r.owner_avatar_url }
          : null,
      member_count: Number(r.member_count),
      created_at: (r.created_at as Date).toISOString(),
      last_seq: Number(r.last_seq),
      my_role: r.my_role,
      notification_level: effectiveNotificationLevel(r.type as string, r.notification_level as string | null),
      unread_count: Number(r.unread_count),
      last_message: r.last_message ? toMessageDto(r.last_message as object) : null,
    })),
    next_cursor: rows.length > limit && last ? encodeCursor([last.activity_key as string, last.id as string]) : null,
  };
});

app.listen({ host: '127.0.0.1', port }).then(
  () => process.stdout.write(`raw-rest peer listening on 127.0.0.1:${port}\n`),
  (err: unknown) => {
    process.stderr.write(`raw-rest peer failed: ${String(err)}\n`);
    process.exit(1);
  },
);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
