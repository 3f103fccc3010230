import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Backplane } from './backplane/backplane';
import type { FanoutEnvelope } from './backplane/fanout-envelope';
import { ConnectionRegistry } from './connection-registry';
import { encodeFrame, ServerEvents, ServerEventType } from './events';
import { RoomOrderBuffer } from './room-order-buffer';
import { TypingService } from './typing.service';
import { recorder } from '../metrics/recorder';

/** Room counter value an event carries, used to deliver a room's events in order. */
function seqOf(type: ServerEventType, payload: unknown): number | undefined {
  const p = payload as { seq?: unknown; updated_seq?: unknown } | null;
  const value = type === 'new_message' ? p?.seq : p?.updated_seq;
  return typeof value === 'number' ? value : undefined;
}

/**
 * The user whose content an event carries, for block filtering: the sender of a new or edited
 * message. Other events (system lines, reactions, tombstones, room changes) reach everyone.
 */
function authorOf(type: ServerEventType, payload: unknown): string | undefined {
  if (type !== 'new_message' && type !== 'edit_message') return undefined;
  const message = payload as { type?: string; sender?: { id?: string | null } };
  return message.type === 'system' ? undefined : (message.sender?.id ?? undefined);
}

/**
 * The one way domain services reach live clients: events to a room's members or to users, and
 * membership changes that re-route a room. Every call becomes one envelope on the {@link Backplane}
 * (in-process, or Redis for several instances) and every instance delivers it to its own connections
 * from its in-memory routing table: no database query per recipient, one serialization per broadcast,
 * and each room's events in seq order.
 */
@Injectable()
export class FanoutService implements OnModuleDestroy {
  private readonly order = new RoomOrderBuffer();

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly typingIndicators: TypingService,
    private readonly backplane: Backplane,
  ) {
    backplane.onEnvelope((envelope) => this.deliverLocal(envelope));
  }

  /**
   * Sends an event to every live connection of every member of the room, optionally skipping one
   * user; a new or edited message skips the members who blocked its sender.
   */
  toRoom<T extends ServerEventType>(roomId: string, type: T, payload: ServerEvents[T], exceptUserId?: string): void {
    const authorId = authorOf(type, payload);
    const senderId = type === 'new_message' ? authorId : undefined;
    this.backplane.publish({ kind: 'room', roomId, type, data: encodeFrame(type, payload), exceptUserId, seq: seqOf(type, payload), senderId, authorId });
  }

  /**
   * Like {@link toRoom}, but some members get their own variant of the payload (a message's
   * `reactions[].me` differs for those who reacted). Still one envelope, ordered by the room's seq.
   */
  toRoomPersonalised<T extends ServerEventType>(roomId: string, type: T, payload: ServerEvents[T], perUser: ReadonlyMap<string, ServerEvents[T]>): void {
    const overrides: Record<string, string> = {};
    for (const [userId, variant] of perUser) overrides[userId] = encodeFrame(type, variant);
    this.backplane.publish({ kind: 'room', roomId, type, data: encodeFrame(type, payload), seq: seqOf(type, payload), overrides, authorId: authorOf(type, payload) });
  }

  /** Sends an event to every live connection of one user. */
  toUser<T extends ServerEventType>(userId: string, type: T, payload: ServerEvents[T]): void {
    this.backplane.publish({ kind: 'users', userIds: [userId], data: encodeFrame(type, payload) });
  }

  /** Sends one event to every live connection of several users (each user once). */
  toUsers<T extends ServerEventType>(userIds: Iterable<string>, type: T, payload: ServerEvents[T]): void {
    this.backplane.publish({ kind: 'users', userIds: [...new Set(userIds)], data: encodeFrame(type, payload) });
  }

  /**
   * Sends one event once to every online member of any of the rooms (presence, profile changes), and
   * to `alsoUserIds` (each recipient once).
   */
  toRoomsOnce<T extends ServerEventType>(roomIds: Iterable<string>, type: T, payload: ServerEvents[T], exceptUserId?: string, alsoUserIds?: string[]): void {
    this.backplane.publish({ kind: 'rooms', roomIds: [...roomIds], data: encodeFrame(type, payload), exceptUserId, alsoUserIds });
  }

  /** Tells every instance that a user went online or offline (keeps presence caches in step). */
  publishPresence(userId: string, online: boolean): void {
    this.backplane.publish({ kind: 'presence', userId, online });
  }

  /** Subscribes all of the user's live connections, on every instance, to the room (joined, added). */
  memberJoined(roomId: string, userId: string): void {
    this.backplane.publish({ kind: 'membership', op: 'join', roomId, userId });
  }

  /** Unsubscribes all of the user's live connections from the room (left, kicked). */
  memberLeft(roomId: string, userId: string): void {
    this.backplane.publish({ kind: 'membership', op: 'leave', roomId, userId });
  }

  /** Updates the blocker's live block set on every instance (their connections stop or resume getting the blocked user's messages). */
  blockChanged(blockerId: string, blockedId: string, blocked: boolean): void {
    this.backplane.publish({ kind: 'block', op: blocked ? 'block' : 'unblock', blockerId, blockedId });
  }

  /** Drops a deleted room from routing everywhere. */
  roomDeleted(roomId: string): void {
    this.backplane.publish({ kind: 'room-deleted', roomId });
  }

  onModuleDestroy(): void {
    this.order.clear();
  }

  /** Delivers an envelope to this instance's connections. */
  private deliverLocal(envelope: FanoutEnvelope): void {
    switch (envelope.kind) {
      case 'room': {
        const deliver = () => {
          // A message ends its sender's typing state, whichever path (REST or WS, any instance) sent it.
          if (envelope.senderId) this.typingIndicators.stop(envelope.roomId, envelope.senderId);
          this.sendToRoom(envelope.roomId, envelope.data, envelope.exceptUserId, envelope.overrides, envelope.authorId);
        };
        if (envelope.seq === undefined) deliver();
        else this.order.push(envelope.roomId, envelope.seq, deliver);
        return;
      }
      case 'rooms': {
        const recipients = new Set<string>();
        for (const roomId of envelope.roomIds) for (const userId of this.registry.onlineMembersOf(roomId)) recipients.add(userId);
        if (envelope.exceptUserId) recipients.delete(envelope.exceptUserId);
        for (const userId of envelope.alsoUserIds ?? []) recipients.add(userId);
        this.sendToUsers(recipients, envelope.data);
        return;
      }
      case 'users':
        this.sendToUsers(envelope.userIds, envelope.data);
        return;
      case 'membership':
        if (envelope.op === 'join') this.registry.addMembership(envelope.roomId, envelope.userId);
        else this.registry.removeMembership(envelope.roomId, envelope.userId);
        return;
      case 'room-deleted':
        this.registry.removeRoom(envelope.roomId);
        return;
      case 'block':
        this.registry.blockChanged(envelope.blockerId, envelope.blockedId, envelope.op === 'block');
        return;
      case 'presence':
        return; // handled by PresenceService's own subscription
    }
  }

  private sendToRoom(roomId: string, data: string, exceptUserId?: string, overrides?: Record<string, string>, authorId?: string): void {
    // UTF-8 encoded once for all recipients (ws would encode a string again for every socket).
    const bytes = Buffer.from(data);
    for (const userId of this.registry.onlineMembersOf(roomId)) {
      if (userId === exceptUserId) continue;
      // The recipient blocked the author: an in-memory lookup, no query on this path.
      if (authorId !== undefined && this.registry.hasBlocked(userId, authorId)) continue;
      const own = overrides?.[userId];
      const frame = own === undefined ? bytes : Buffer.from(own);
      for (const socket of this.registry.connectionsOf(userId)) {
        this.registry.send(socket, frame);
        recorder.fanoutDelivered();
      }
    }
  }

  private sendToUsers(userIds: Iterable<string>, data: string): void {
    const bytes = Buffer.from(data);
    for (const userId of userIds) {
      for (const socket of this.registry.connectionsOf(userId)) {
        this.registry.send(socket, bytes);
        recorder.fanoutDelivered();
      }
    }
  }
}
