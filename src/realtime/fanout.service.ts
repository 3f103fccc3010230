import { Injectable } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { encodeFrame, ServerEvents, ServerEventType } from './events';
import { TypingService } from './typing.service';

/**
 * The one way domain services reach live clients: events to a room's members or to a user's
 * connections, and membership changes that re-route a room. This is the in-process implementation;
 * a multi-instance backplane replaces it behind the same class token without touching the gateway or
 * the services. Each event is serialized once per broadcast, never per recipient.
 */
@Injectable()
export class FanoutService {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly typingIndicators: TypingService,
  ) {}

  /** Sends an event to every live connection of every member of the room, optionally skipping one user. */
  toRoom<T extends ServerEventType>(roomId: string, type: T, payload: ServerEvents[T], exceptUserId?: string): void {
    // Sending a message ends the sender's typing state, whichever path (REST or WS) it came from.
    if (type === 'new_message') {
      const senderId = (payload as { sender?: { id?: string | null } }).sender?.id;
      if (senderId) this.typingIndicators.stop(roomId, senderId);
    }
    const data = encodeFrame(type, payload);
    for (const userId of this.registry.onlineMembersOf(roomId)) {
      if (userId === exceptUserId) continue;
      for (const socket of this.registry.connectionsOf(userId)) this.registry.send(socket, data);
    }
  }

  /** Sends an event to every live connection of one user. */
  toUser<T extends ServerEventType>(userId: string, type: T, payload: ServerEvents[T]): void {
    const data = encodeFrame(type, payload);
    for (const socket of this.registry.connectionsOf(userId)) this.registry.send(socket, data);
  }

  /** Sends one event to every live connection of several users (each user once). */
  toUsers<T extends ServerEventType>(userIds: Iterable<string>, type: T, payload: ServerEvents[T]): void {
    const data = encodeFrame(type, payload);
    for (const userId of new Set(userIds)) {
      for (const socket of this.registry.connectionsOf(userId)) this.registry.send(socket, data);
    }
  }

  /** Subscribes all of the user's live connections to the room (joined, added). */
  memberJoined(roomId: string, userId: string): void {
    this.registry.addMembership(roomId, userId);
  }

  /** Unsubscribes all of the user's live connections from the room (left, kicked). */
  memberLeft(roomId: string, userId: string): void {
    this.registry.removeMembership(roomId, userId);
  }

  /** Drops a deleted room from routing. */
  roomDeleted(roomId: string): void {
    this.registry.removeRoom(roomId);
  }
}
