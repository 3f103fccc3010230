/**
 * Peer (a): the ceiling. A bare `ws` server that keeps rooms in memory and relays JSON to a room's
 * sockets: no authentication, no database, no validation beyond JSON.parse. It speaks the same frames
 * as our gateway (`join_room`, `send_message`, `ping` → `ack`, `new_message`, `pong`) so the load
 * generator drives it unchanged. Listens on 127.0.0.1:$PORT; SIGTERM closes it and exits 0.
 */
import { WebSocket, WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 4001);
const rooms = new Map<string, Set<WebSocket>>();
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 64 * 1024, clientTracking: true });

interface Frame {
  type?: string;
  id?: string;
  payload?: { room_id?: string; content?: string };
}

server.on('connection', (socket) => {
  const joined = new Set<string>();
  socket.on('message', (data) => {
    let frame: Frame;
    try {
      frame = JSON.parse(data.toString()) as Frame;
    } catch {
      return;
    }
    const roomId = frame.payload?.room_id;
    if (frame.type === 'send_message' && roomId) {
      // Serialized once per message, sent to every socket of the room (the sender's too).
      const out = JSON.stringify({ type: 'new_message', payload: { room_id: roomId, content: frame.payload?.content } });
      for (const member of rooms.get(roomId) ?? []) if (member.readyState === WebSocket.OPEN) member.send(out);
    } else if (frame.type === 'join_room' && roomId) {
      let members = rooms.get(roomId);
      if (!members) rooms.set(roomId, (members = new Set()));
      members.add(socket);
      joined.add(roomId);
    } else if (frame.type === 'ping') {
      socket.send(JSON.stringify({ type: 'pong', id: frame.id }));
      return;
    }
    if (frame.id !== undefined) socket.send(JSON.stringify({ type: 'ack', id: frame.id, payload: {} }));
  });
  socket.on('close', () => {
    for (const roomId of joined) rooms.get(roomId)?.delete(socket);
  });
});

server.on('listening', () => process.stdout.write(`raw ws peer listening on 127.0.0.1:${port}\n`));
process.once('SIGTERM', () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
});
