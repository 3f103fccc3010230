/**
 * Peer (b): what Node users usually pick instead, a Socket.IO server with rooms, WebSocket transport
 * only and compression off (as our gateway). Events: `join` (room ids, ack), `send_message`
 * ({room_id, content}, ack) broadcast as `new_message` to the room (sender included), `bench_ping`
 * (ack). Listens on 127.0.0.1:$PORT; SIGTERM closes it and exits 0.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 4002);
const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
});

type Ack = (payload?: unknown) => void;

io.on('connection', (socket) => {
  socket.on('join', (roomIds: unknown, ack?: Ack) => {
    if (Array.isArray(roomIds)) void socket.join(roomIds.map(String));
    ack?.({ ok: true });
  });
  socket.on('send_message', (payload: { room_id?: string; content?: string } | undefined, ack?: Ack) => {
    if (payload?.room_id) io.to(payload.room_id).emit('new_message', { room_id: payload.room_id, content: payload.content });
    ack?.({ ok: true });
  });
  socket.on('bench_ping', (ack?: Ack) => ack?.());
});

http.listen(port, '127.0.0.1', () => process.stdout.write(`socket.io peer listening on 127.0.0.1:${port}\n`));
process.once('SIGTERM', () => {
  io.disconnectSockets(true);
  void io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
