import { BeforeApplicationShutdown, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'ws';
import { AppError } from '../common/errors/app-error';
import { MessageDto } from '../messages/dto/message.dto';
import { MessagesService, ReadResult } from '../messages/messages.service';
import { RoomDto } from '../rooms/dto/rooms.dto';
import { RoomsService } from '../rooms/rooms.service';
import { ConnectionLifecycle } from './connection-lifecycle';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { encodeFrame } from './events';
import { WsAuthDto, WsDeleteMessageDto, WsEditMessageDto, WsMarkReadDto, WsRoomDto, WsSendMessageDto, WsSyncDto } from './dto/ws.dto';
import { TypingService } from './typing.service';
import { WsSync } from './ws-sync';
import { recorder } from '../metrics/recorder';
import { ClientFrame, INVALID_FRAME, UNKNOWN_TYPE } from './ws-frame';
import { FrameRoutes, route } from './ws-route';
import { createValidationPipe } from '../common/errors/validation';
import { WsAuthGuard } from './ws-auth.guard';
import { WsRateLimitGuard } from './ws-rate-limit.guard';
import { WsRoomMemberGuard } from './ws-room-member.guard';
import { WsExceptionFilter } from './ws-exception.filter';

/** Frames larger than this close the connection with 1009 (enforced by `ws`). */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * The WebSocket gateway at /api/v1/ws. It only maps frames to the services the REST controllers use:
 * {@link routes} names, per frame type, the payload's DTO and the handler. The connection's life
 * (auth paths, heartbeat, caps, revocation, drain) is {@link ConnectionLifecycle}. Its guards, pipe
 * and exception filter are declared here with Nest's decorators, explicitly because global HTTP
 * enhancers do not reach gateways; {@link WsDispatcher} reads them once and runs every frame through
 * them in Nest's order (guards, then the ack step, the pipe, the handler; failures to the filter).
 * Every frame to a client goes through {@link ConnectionRegistry.send}.
 */
@WebSocketGateway({ path: '/api/v1/ws', maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: true })
@UseGuards(WsAuthGuard, WsRateLimitGuard, WsRoomMemberGuard)
@UseFilters(WsExceptionFilter)
@UsePipes(createValidationPipe())
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  constructor(
    private readonly lifecycle: ConnectionLifecycle,
    private readonly registry: ConnectionRegistry,
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    private readonly typingIndicators: TypingService,
    private readonly syncs: WsSync,
  ) {}

  /**
   * The frame types this gateway answers, each with the DTO its payload is validated into: the table
   * {@link WsDispatcher} builds its pipeline from, once. Each handler's result is the ack's payload.
   */
  readonly routes: FrameRoutes = {
    auth: route(WsAuthDto, (client, _dto, frame) => this.onAuth(client, frame)),
    join_room: route(WsRoomDto, (client, dto) => this.joinRoom(client, dto)),
    leave_room: route(WsRoomDto, (client, dto) => this.leaveRoom(client, dto)),
    send_message: route(WsSendMessageDto, (client, dto) => this.sendMessage(client, dto)),
    edit_message: route(WsEditMessageDto, (client, dto) => this.editMessage(client, dto)),
    delete_message: route(WsDeleteMessageDto, (client, dto) => this.deleteMessage(client, dto)),
    mark_read: route(WsMarkReadDto, (client, dto) => this.markRead(client, dto)),
    sync: route(WsSyncDto, (client, dto, frame) => this.sync(client, frame, dto)),
    typing: route(WsRoomDto, (client, dto) => this.typing(client, dto), { roomScoped: true }),
    stop_typing: route(WsRoomDto, (client, dto) => this.stopTyping(client, dto), { roomScoped: true }),
    ping: route(undefined, (client, _payload, frame) => this.ping(client, frame)),
    [INVALID_FRAME]: route(undefined, (_client, _payload, frame) => this.invalidFrame(frame)),
    [UNKNOWN_TYPE]: route(undefined, (_client, _payload, frame) => this.unknownType(frame)),
  };

  afterInit(server: Server): void {
    this.lifecycle.attach(server);
  }

  handleConnection(client: ChatSocket, request: IncomingMessage): void {
    recorder.wsOpened();
    this.lifecycle.open(client, request);
  }

  handleDisconnect(client: ChatSocket): void {
    recorder.wsClosed();
    this.lifecycle.closed(client);
  }

  /** Shutdown: see {@link ConnectionLifecycle.shutdown} (before the HTTP server and the database go away). */
  beforeApplicationShutdown(): Promise<void> {
    return this.lifecycle.shutdown();
  }

  /**
   * First-message authentication, started by the auth guard as the frame arrived: `auth_ok` on
   * success (plus an ack when the frame has an id); a bad token closes the connection with 4401. A
   * second `auth` frame is refused and never switches the socket's user.
   */
  onAuth(client: ChatSocket, frame: ClientFrame): Promise<{ user_id: string } | undefined> {
    return this.lifecycle.authFrameResult(client, frame);
  }

  /** Joins a room (same operation as `POST /rooms/:id/join`). Ack payload: the room. */
  joinRoom(client: ChatSocket, dto: WsRoomDto): Promise<RoomDto> {
    return this.rooms.join(dto.room_id, client.chat.userId!);
  }

  /** Leaves a room (same operation as `POST /rooms/:id/leave`). */
  leaveRoom(client: ChatSocket, dto: WsRoomDto): Promise<{ room_id: string; left: true }> {
    return this.rooms.leave(dto.room_id, client.chat.userId!);
  }

  /** Sends a message (same service as `POST /rooms/:id/messages`). Ack payload: the stored message. */
  async sendMessage(client: ChatSocket, dto: WsSendMessageDto): Promise<MessageDto> {
    const { room_id: roomId, ...body } = dto;
    const { message } = await this.messages.send(client.chat.userId!, roomId, body);
    return message;
  }

  /** Edits one of the caller's messages (same service as `PATCH /messages/:id`). Ack payload: the message. */
  editMessage(client: ChatSocket, dto: WsEditMessageDto): Promise<MessageDto> {
    return this.messages.edit(client.chat.userId!, dto.message_id, dto.content);
  }

  /** Deletes a message (same service as `DELETE /messages/:id`). Ack payload: the tombstone. */
  deleteMessage(client: ChatSocket, dto: WsDeleteMessageDto): Promise<MessageDto> {
    return this.messages.remove(client.chat.userId!, dto.message_id);
  }

  /** Moves the read pointer forward (same service as `POST /rooms/:id/read`). */
  markRead(client: ChatSocket, dto: WsMarkReadDto): Promise<ReadResult> {
    return this.messages.markRead(client.chat.userId!, dto.room_id, dto.seq);
  }

  /**
   * Reconnect without loss: for each room, every change after the client's last seen seq (new
   * messages, edits, tombstones, reactions), bounded per room, per frame and in bytes with `has_more`
   * (see {@link WsSync}). Answered with one `sync_result` frame (echoing the id); a room the caller
   * cannot read gets an `error` entry instead of failing the whole sync.
   */
  async sync(client: ChatSocket, frame: ClientFrame, dto: WsSyncDto): Promise<undefined> {
    const reply = await this.syncs.answer(client, client.chat.userId!, dto.rooms, frame.id !== undefined ? String(frame.id) : undefined);
    if (reply !== null) this.registry.send(client, reply);
    return undefined;
  }

  /** The user is typing in a room: relayed to the other members (at most 1/s), expires after 6 s. */
  typing(client: ChatSocket, dto: WsRoomDto): { room_id: string } {
    this.typingIndicators.typing(dto.room_id, client.chat.userId!);
    return { room_id: dto.room_id };
  }

  /** The user stopped typing. */
  stopTyping(client: ChatSocket, dto: WsRoomDto): { room_id: string } {
    this.typingIndicators.stop(dto.room_id, client.chat.userId!);
    return { room_id: dto.room_id };
  }

  /** Application-level ping: answered with `pong` (echoing the id). */
  ping(client: ChatSocket, frame: ClientFrame): undefined {
    this.registry.send(client, encodeFrame('pong', { ts: Date.now() }, frame.id !== undefined ? String(frame.id) : undefined));
    return undefined;
  }

  /** Frames that are not valid JSON objects or have a bad payload shape. */
  invalidFrame(frame: ClientFrame): never {
    const problem = frame.problem ?? 'malformed';
    throw new AppError(problem.includes('JSON') && problem.includes('valid') ? 'INVALID_JSON' : 'BAD_REQUEST', `Invalid frame: ${problem}.`);
  }

  /** Frames whose type the gateway does not know. */
  unknownType(frame: ClientFrame): never {
    throw new AppError('UNKNOWN_TYPE', `Unknown frame type "${frame.type.slice(0, 64)}".`);
  }
}
