/**
 * Peer (c): the storage ceiling. A bare `ws` server (frames as raw-ws.ts) that stores every
 * `send_message` in our PostgreSQL schema — its own embedded PostgreSQL in $DATA_DIR, migrated with
 * our migrations from dist/, so the same `messages` table and indexes — with group commit: sends that
 * arrive while a batch commits go together in the next one, one multi-row statement per batch that
 * takes per-room seqs from `rooms.last_seq`; each send is acked after the commit and relayed as
 * `new_message` to the room. No authentication, no validation, no Nest; one user row sends
 * everything and a room row is made the first time a room name is seen. SIGTERM stops it (exit 0).
 */
import { join } from 'node:path';
import { Pool } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ourDatabaseModules } from '../lib/our-build';
import { STORE } from './raw-pg-sql';
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 4003);
const dataDir = process.env.DATA_DIR ?? join(process.cwd(), '.raw-pg-data');

interface Pending {
  socket: WebSocket;
  frameId: string | undefined;
  roomKey: string;
  roomId: string;
  content: string;
}

async function main(): Promise<void> {
  const { startEmbeddedPostgres, runMigrationsLocked, typeormOptions } = ourDatabaseModules();
  const db = await startEmbeddedPostgres({ dataDir });
  const migrator = new DataSource(typeormOptions(db.url) as DataSourceOptions);
  await migrator.initialize();
  await runMigrationsLocked(migrator);
  await migrator.destroy();
  const pool = new Pool({ connectionString: db.url, max: 2, idleTimeoutMillis: 0 });
  const user = await pool.query<{ id: string }>(`INSERT INTO users (username, display_name) VALUES ('raw_pg_' || floor(random() * 1e9), 'raw-pg') RETURNING id`);
  const senderId = user.rows[0].id;

  const rooms = new Map<string, Set<WebSocket>>();
  const roomIds = new Map<string, Promise<string>>();
  const roomId = (key: string): Promise<string> => {
    let id = roomIds.get(key);
    if (!id) {
      id = pool.query<{ id: string }>(`INSERT INTO rooms (type, name) VALUES ('public', $1) RETURNING id`, [key.slice(0, 80)]).then((r) => r.rows[0].id);
      roomIds.set(key, id);
    }
    return id;
  };

  let queue: Pending[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    if (flushing || queue.length === 0) return;
    flushing = true;
    const batch = queue.slice(0, 256);
    queue = queue.slice(batch.length);
    try {
      const { rows } = await pool.query<{ ord: string; id: string; seq: string }>({
        name: 'store',
        text: STORE,
        values: [batch.map((p) => p.roomId), batch.map((p) => p.content), senderId],
      });
      for (const row of rows) {
        const p = batch[Number(row.ord) - 1];
        const out = JSON.stringify({ type: 'new_message', payload: { id: row.id, room_id: p.roomKey, seq: Number(row.seq), content: p.content } });
        for (const member of rooms.get(p.roomKey) ?? []) if (member.readyState === WebSocket.OPEN) member.send(out);
        if (p.frameId !== undefined) p.socket.send(`{"type":"ack","id":${JSON.stringify(p.frameId)},"payload":{"message_id":"${row.id}","seq":${row.seq}}}`);
      }
    } catch (err) {
      process.stderr.write(`raw-pg batch failed: ${(err as Error).message}\n`);
      for (const p of batch) p.socket.send(JSON.stringify({ type: 'error', id: p.frameId, payload: { code: 'INTERNAL_ERROR' } }));
    } finally {
      flushing = false;
      void flush();
    }
  };

  const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 64 * 1024 });
  server.on('connection', (socket) => {
    const joined = new Set<string>();
    socket.on('message', (data) => {
      let frame: { type?: string; id?: string; payload?: { room_id?: string; content?: string } };
      try {
        frame = JSON.parse(data.toString()) as typeof frame;
      } catch {
        return;
      }
      const key = frame.payload?.room_id;
      if (frame.type === 'send_message' && key) {
        const content = frame.payload?.content ?? '';
        void roomId(key).then((id) => {
          queue.push({ socket, frameId: frame.id, roomKey: key, roomId: id, content });
          void flush();
        });
      } else if (frame.type === 'join_room' && key) {
        let members = rooms.get(key);
        if (!members) rooms.set(key, (members = new Set()));
        members.add(socket);
        joined.add(key);
        void roomId(key).then(() => socket.send(JSON.stringify({ type: 'ack', id: frame.id, payload: {} })));
      } else if (frame.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong', id: frame.id }));
      }
    });
    socket.on('close', () => {
      for (const key of joined) rooms.get(key)?.delete(socket);
    });
  });
  server.on('listening', () => process.stdout.write(`raw-pg peer listening on 127.0.0.1:${port}, database ${dataDir}\n`));
  process.once('SIGTERM', () => {
    for (const client of server.clients) client.terminate();
    server.close(() => {
      void pool
        .end()
        .then(() => db.stop())
        .then(() => process.exit(0));
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`raw-pg peer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
