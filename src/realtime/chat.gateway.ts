import { BeforeApplicationShutdown, UseFilters, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
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
import { AppError } from '../common/errors/app-error';
import { createValidationPipe } from '../common/errors/validation';
import { MessageDto } from '../messages/dto/message.dto';
import { MessagesService, ReadResult } from '../messages/messages.service';
import { RoomDto } from '../rooms/dto/rooms.dto';
import { RoomsService } from '../rooms/rooms.service';
import { ConnectionLifecycle } from './connection-lifecycle';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { encodeFrame } from './events';
import { WsAuthDto, WsDeleteMessageDto, WsEditMessageDto, WsMarkReadDto, WsRoomDto, WsSendMessageDto, WsSyncDto } from './dto/ws.dto';
import { WsAckInterceptor } from './ws-ack.interceptor';
import { WsAuthGuard } from './ws-auth.guard';
import { TypingService } from './typing.service';
import { WsRateLimitGuard } from './ws-rate-limit.guard';
import { RoomScoped, WsRoomMemberGuard } from './ws-room-member.guard';
import { WsExceptionFilter } from './ws-exception.filter';
import { WsSync } from './ws-sync';
import { recorder } from '../metrics/recorder';
import { ClientFrame, INVALID_FRAME, UNKNOWN_TYPE } from './ws-frame';

/** Frames larger than this close the connection with 1009 (enforced by `ws`). */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * The WebSocket gateway at /api/v1/ws. It only maps frames to the services the REST controllers use;
 * the connection's life (auth paths, heartbeat, caps, revocation, drain) is {@link ConnectionLifecycle},
 * frame admission by auth stage is {@link WsAuthGuard}, payloads the validation pipe, acks
 * {@link WsAckInterceptor} and errors {@link WsExceptionFilter}, all applied here explicitly because
 * global HTTP enhancers do not reach gateways. Every frame to a client goes through
 * {@link ConnectionRegistry.send}.
 */
@WebSocketGateway({ path: '/api/v1/ws', maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: true })
@UseGuards(WsAuthGuard, WsRateLimitGuard, WsRoomMemberGuard)
@UseInterceptors(WsAckInterceptor)
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
  @SubscribeMessage('auth')
  onAuth(@ConnectedSocket() client: ChatSocket, @MessageBody() frame: ClientFrame, @MessageBody('payload') _dto: WsAuthDto): Promise<{ user_id: string } | undefined> {
    return this.lifecycle.authFrameResult(client, frame);
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
   * messages, edits, tombstones, reactions), bounded per room, per frame and in bytes with `has_more`
   * (see {@link WsSync}). Answered with one `sync_result` frame (echoing the id); a room the caller
   * cannot read gets an `error` entry instead of failing the whole sync.
   */
  @SubscribeMessage('sync')
  async sync(@ConnectedSocket() client: ChatSocket, @MessageBody() frame: ClientFrame, @MessageBody('payload') dto: WsSyncDto): Promise<undefined> {
    const reply = await this.syncs.answer(client, client.chat.userId!, dto.rooms, frame.id !== undefined ? String(frame.id) : undefined);
    if (reply !== null) this.registry.send(client, reply);
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
    this.registry.send(client, encodeFrame('pong', { ts: Date.now() }, frame.id !== undefined ? String(frame.id) : undefined));
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
}
