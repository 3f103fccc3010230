import { BeforeApplicationShutdown, Inject, Logger, OnModuleDestroy, UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'ws';
import { AuthPrincipal } from '../auth/auth-principal';
import { TokenService } from '../auth/token.service';
import { AppError } from '../common/errors/app-error';
import { createValidationPipe } from '../common/errors/validation';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { MessageDto } from '../messages/message.presenter';
import { ChangesResult, MessagesService, ReadResult } from '../messages/messages.service';
import { RoomDto } from '../rooms/dto/rooms.dto';
import { RoomsService } from '../rooms/rooms.service';
import { RevocationBus, RevocationEvent } from '../token-blacklist/revocation-bus';
import { UsersService } from '../users/users.service';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { CloseCode, encodeFrame } from './events';
import { WsAuthDto, WsDeleteMessageDto, WsEditMessageDto, WsMarkReadDto, WsRoomDto, WsSendMessageDto, WsSyncDto } from './dto/ws.dto';
import { WsAckInterceptor } from './ws-ack.interceptor';
import { pendingAuth, WsAuthGuard } from './ws-auth.guard';
import { PresenceService } from './presence.service';
import { TypingService } from './typing.service';
import { WsDrain } from './ws-drain';
import { WsRateLimitGuard } from './ws-rate-limit.guard';
import { RoomScoped, WsRoomMemberGuard } from './ws-room-member.guard';
import { WsExceptionFilter } from './ws-exception.filter';
import { ClientFrame, INVALID_FRAME, UNKNOWN_TYPE } from './ws-frame';
import { recorder } from '../metrics/recorder';

/** Frames larger than this close the connection with 1009 (enforced by `ws`). */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Most changes one `sync` returns per room (API.md). */
export const SYNC_MAX_PER_ROOM = 500;
/** Most changes one `sync` frame returns over all its rooms (bounds the answer's size). */
export const SYNC_MAX_PER_FRAME = 2000;
/** Rooms of one `sync` read at the same time (each is one short REPEATABLE READ transaction). */
export const SYNC_ROOMS_IN_PARALLEL = 4;
/** Protocol ping interval; a peer that misses two in a row (60 s of silence) is dropped. */
export const WS_HEARTBEAT_MS = 30_000;

let nextConnectionId = 1;

/**
 * The WebSocket gateway at /api/v1/ws. It only translates frames into calls of the services the REST
 * controllers use; authentication state is enforced by {@link WsAuthGuard}, payloads by the
 * validation pipe, acks by {@link WsAckInterceptor} and errors by {@link WsExceptionFilter}, all
 * applied here explicitly because global HTTP enhancers do not reach gateways.
 */
@WebSocketGateway({ path: '/api/v1/ws', maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: true })
@UseGuards(WsAuthGuard, WsRateLimitGuard, WsRoomMemberGuard)
@UseInterceptors(WsAckInterceptor)
@UseFilters(WsExceptionFilter)
@UsePipes(createValidationPipe())
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(ChatGateway.name);
  private server: Server | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly authTimers = new WeakMap<ChatSocket, NodeJS.Timeout>();
  private unsubscribeRevocations: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    private readonly presence: PresenceService,
    private readonly typingIndicators: TypingService,
    private readonly drain: WsDrain,
    revocations: RevocationBus,
  ) {
    this.unsubscribeRevocations = revocations.subscribe((event) => this.closeRevoked(event));
  }

  /** Starts the heartbeat: protocol pings every 30 s, silent peers terminated. */
  afterInit(server: Server): void {
    this.server = server;
    this.heartbeat = setInterval(() => {
      for (const client of server.clients as Set<ChatSocket>) {
        if (!client.chat) continue;
        if (!client.chat.alive) {
          client.terminate();
          continue;
        }
        client.chat.alive = false;
        client.ping();
      }
    }, WS_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * A new connection: refuses a bad Origin (4403) and tokens in the URL (4401), authenticates an
   * `Authorization: Bearer` header at once, or asks for first-message auth within WS_AUTH_TIMEOUT_MS.
   */
  handleConnection(client: ChatSocket, request: IncomingMessage): void {
    recorder.wsOpened();
    client.chat = { id: nextConnectionId++, userId: null, sessionId: null, jti: null, openedAtMs: Date.now(), alive: true };
    client.on('pong', () => (client.chat.alive = true));
    client.on('message', () => (client.chat.alive = true));
    if (this.drain.draining) {
      client.close(CloseCode.GOING_AWAY, 'server shutting down');
      return;
    }

    const origin = request.headers.origin;
    if (origin !== undefined && !this.config.allowedOrigins.includes(origin)) {
      client.close(CloseCode.FORBIDDEN_ORIGIN, 'origin not allowed');
      return;
    }
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    if (query.has('token') || query.has('access_token') || query.has('jwt')) {
      client.close(CloseCode.UNAUTHORIZED, 'tokens in the URL are refused');
      return;
    }
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const attempt = match ? this.authenticate(client, match[1]) : Promise.reject(new AppError('TOKEN_INVALID'));
      pendingAuth.set(client, attempt);
      attempt
        .catch(() => client.close(CloseCode.UNAUTHORIZED, 'invalid token'))
        .finally(() => pendingAuth.delete(client));
      return;
    }
    client.send(encodeFrame('auth_required'));
    const timer = setTimeout(() => {
      if (!client.chat.userId) client.close(CloseCode.UNAUTHORIZED, 'authentication timeout');
    }, this.config.wsAuthTimeoutMs);
    timer.unref();
    this.authTimers.set(client, timer);
  }

  /** A closed connection leaves the routing table. */
  handleDisconnect(client: ChatSocket): void {
    recorder.wsClosed();
    const timer = this.authTimers.get(client);
    if (timer) clearTimeout(timer);
    const userId = client.chat?.userId;
    if (!userId) return;
    const rooms = this.registry.remove(client);
    if (rooms) {
      this.typingIndicators.stopAll(userId, rooms);
      this.presence.disconnected(userId, rooms);
    }
  }

  /**
   * First-message authentication: `auth_ok` on success (plus an ack when the frame has an id); a bad
   * token closes the connection with 4401.
   */
  @SubscribeMessage('auth')
  async onAuth(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsAuthDto): Promise<{ user_id: string } | undefined> {
    if (client.chat.userId) throw new AppError('BAD_REQUEST', 'This connection is already authenticated.');
    try {
      const principal = await this.authenticate(client, dto.token);
      // auth_ok has gone out; a frame with an id also gets its ack.
      return { user_id: principal.userId };
    } catch {
      client.close(CloseCode.UNAUTHORIZED, 'invalid token');
    }
    return undefined;
  }

  /** Joins a room (same operation as `POST /rooms/:id/join`). Ack payload: the room. */
  @SubscribeMessage('join_room')
  joinRoom(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsRoomDto): Promise<RoomDto> {
    return this.rooms.join(dto.room_id, client.chat.userId!);
  }

  /** Leaves a room (same operation as `POST /rooms/:id/leave`). */
  @SubscribeMessage('leave_room')
  leaveRoom(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsRoomDto): Promise<{ room_id: string; left: true }> {
    return this.rooms.leave(dto.room_id, client.chat.userId!);
  }

  /** Sends a message (same service as `POST /rooms/:id/messages`). Ack payload: the stored message. */
  @SubscribeMessage('send_message')
  async sendMessage(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsSendMessageDto): Promise<MessageDto> {
    const { room_id: roomId, ...body } = dto;
    const { message } = await this.messages.send(client.chat.userId!, roomId, body);
    return message;
  }

  /** Edits one of the caller's messages (same service as `PATCH /messages/:id`). Ack payload: the message. */
  @SubscribeMessage('edit_message')
  editMessage(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsEditMessageDto): Promise<MessageDto> {
    return this.messages.edit(client.chat.userId!, dto.message_id, dto.content);
  }

  /** Deletes a message (same service as `DELETE /messages/:id`). Ack payload: the tombstone. */
  @SubscribeMessage('delete_message')
  deleteMessage(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsDeleteMessageDto): Promise<MessageDto> {
    return this.messages.remove(client.chat.userId!, dto.message_id);
  }

  /** Moves the read pointer forward (same service as `POST /rooms/:id/read`). */
  @SubscribeMessage('mark_read')
  markRead(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsMarkReadDto): Promise<ReadResult> {
    return this.messages.markRead(client.chat.userId!, dto.room_id, dto.seq);
  }

  /**
   * Reconnect without loss: for each room, every change after the client's last seen seq (new
   * messages, edits, tombstones, reactions), at most 500 per room with `has_more`. Answered with one
   * `sync_result` frame (echoing the id); a room the caller cannot read gets an `error` entry instead
   * of failing the whole sync.
   */
  @SubscribeMessage('sync')
  async sync(@ConnectedSocket() client: ChatSocket, @MessageBody() frame: ClientFrame, @MessageBody('payload') dto: WsSyncDto): Promise<undefined> {
    const userId = client.chat.userId!;
    type RoomAnswer = ChangesResult | { room_id: string; error: { code: string; message: string } };
    const entries = Object.entries(dto.rooms);
    const answers: RoomAnswer[] = [];
    // Bounded work per frame: a few rooms at a time, and at most SYNC_MAX_PER_FRAME messages in all;
    // rooms past the budget answer `has_more` with their cursor unchanged, so the client asks again.
    let budget = SYNC_MAX_PER_FRAME;
    for (let i = 0; i < entries.length; i += SYNC_ROOMS_IN_PARALLEL) {
      const chunk = entries.slice(i, i + SYNC_ROOMS_IN_PARALLEL);
      const perRoom = Math.min(SYNC_MAX_PER_ROOM, Math.floor(budget / chunk.length));
      answers.push(
        ...(await Promise.all(
          chunk.map(async ([roomId, lastSeq]): Promise<RoomAnswer> => {
            if (perRoom < 1) return { room_id: roomId, messages: [], has_more: true, last_seq: lastSeq };
            try {
              return await this.messages.changesSince(userId, roomId, lastSeq, perRoom);
            } catch (err) {
              if (err instanceof AppError) return { room_id: roomId, error: { code: err.code, message: err.message } };
              throw err;
            }
          }),
        )),
      );
      for (const a of answers.slice(-chunk.length)) if ('messages' in a) budget -= a.messages.length;
    }
    this.registry.send(client, encodeFrame('sync_result', { rooms: answers }, frame.id !== undefined ? String(frame.id) : undefined));
    return undefined;
  }

  /** The user is typing in a room: relayed to the other members (at most 1/s), expires after 6 s. */
  @SubscribeMessage('typing')
  @RoomScoped()
  typing(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsRoomDto): { room_id: string } {
    this.typingIndicators.typing(dto.room_id, client.chat.userId!);
    return { room_id: dto.room_id };
  }

  /** The user stopped typing. */
  @SubscribeMessage('stop_typing')
  @RoomScoped()
  stopTyping(@ConnectedSocket() client: ChatSocket, @MessageBody('payload') dto: WsRoomDto): { room_id: string } {
    this.typingIndicators.stop(dto.room_id, client.chat.userId!);
    return { room_id: dto.room_id };
  }

  /** Application-level ping: answered with `pong` (echoing the id). */
  @SubscribeMessage('ping')
  ping(@ConnectedSocket() client: ChatSocket, @MessageBody() frame: ClientFrame): undefined {
    client.send(encodeFrame('pong', { ts: Date.now() }, frame.id !== undefined ? String(frame.id) : undefined));
    return undefined;
  }

  /** Frames that are not valid JSON objects or have a bad payload shape. */
  @SubscribeMessage(INVALID_FRAME)
  invalidFrame(@MessageBody() frame: ClientFrame): never {
    const problem = frame.problem ?? 'malformed';
    throw new AppError(problem.includes('JSON') && problem.includes('valid') ? 'INVALID_JSON' : 'BAD_REQUEST', `Invalid frame: ${problem}.`);
  }

  /** Frames whose type the gateway does not know. */
  @SubscribeMessage(UNKNOWN_TYPE)
  unknownType(@MessageBody() frame: ClientFrame): never {
    throw new AppError('UNKNOWN_TYPE', `Unknown frame type "${frame.type.slice(0, 64)}".`);
  }

  /**
   * Shutdown: refuse new connections and frames, wait (up to 5 s) for frames in flight so their
   * messages are committed and acked, then close every connection with 1001 — all before the HTTP
   * server and the database go away.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.drain.draining = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.drain.idle(5000);
    const clients = [...((this.server?.clients ?? new Set()) as Set<ChatSocket>)];
    for (const client of clients) client.close(CloseCode.GOING_AWAY, 'server shutting down');
    await this.presence.flush();
    // Give the close frames a moment to leave; terminate whatever is still open.
    await new Promise((r) => setTimeout(r, 100));
    for (const client of clients) if (client.readyState !== 3) client.terminate();
  }

  onModuleDestroy(): void {
    this.unsubscribeRevocations?.();
  }

  /** Verifies the token, loads the user's rooms into the routing table and sends `auth_ok`. */
  private async authenticate(client: ChatSocket, token: string): Promise<AuthPrincipal> {
    const principal = this.tokens.verifyAccessToken(token);
    const user = await this.users.getEntity(principal.userId);
    if (user.deletedAt) throw new AppError('TOKEN_REVOKED');
    const roomIds = await this.rooms.roomIdsOfUser(user.id);
    if (client.readyState !== 1) return principal;
    // Revoked while the rooms were loading: refuse rather than register a dead token's socket.
    if (this.tokens.isRevoked(principal)) throw new AppError('TOKEN_REVOKED');
    const timer = this.authTimers.get(client);
    if (timer) clearTimeout(timer);
    client.chat.userId = user.id;
    client.chat.sessionId = principal.sessionId;
    client.chat.jti = principal.jti;
    const first = this.registry.add(client, roomIds);
    client.send(encodeFrame('auth_ok', { user: this.users.present(user, true) }));
    if (first) void this.presence.connected(user.id);
    // Beyond the per-user cap, the oldest connections make way for the new one.
    const connections = this.registry.connectionsOldestFirst(user.id);
    for (const old of connections.slice(0, Math.max(0, connections.length - this.config.wsMaxConnectionsPerUser))) {
      old.close(CloseCode.REPLACED, 'too many connections for this user');
    }
    return principal;
  }

  /** Closes, with 4401, every live connection authenticated with a revoked token or session. */
  private closeRevoked(event: RevocationEvent): void {
    const candidates = event.userId ? this.registry.connectionsOf(event.userId) : this.registry.all();
    for (const client of [...candidates]) {
      const hit = event.kind === 'jti' ? client.chat.jti === event.id : client.chat.sessionId === event.id;
      if (hit) client.close(CloseCode.UNAUTHORIZED, 'token has been revoked');
    }
  }
}
