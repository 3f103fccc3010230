import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import * as webpush from 'web-push';
import { BlocksService } from '../blocks/blocks.service';
import type { MessageDto } from '../messages/dto/message.dto';
import { PresenceService } from '../realtime/presence.service';
import { previewOf, PushPayload, PushableMessage, shouldPush } from './push-decision';
import { PushSubscriptionsRepository, PushTargetRow } from './push-subscriptions.repository';
import { PushThrottle } from './push-throttle';
import { PushTransport } from './push-transport';
import { VAPID_DETAILS, VapidDetails } from './vapid-keys';

/** Rooms with new messages waiting for a push decision; a new room beyond this is dropped (and logged). */
export const MAX_PENDING_ROOMS = 1000;
/** Newest messages of one room kept for its pending decision. */
export const MAX_MESSAGES_PER_ROOM = 32;
/**
 * Rooms one decision query covers at most. Decisions run one at a time, and rooms that get messages
 * while one runs go together in the next (as group commit does for sends): under load push costs a
 * query per batch of rooms, not per message, and never more than one database connection.
 */
export const MAX_ROOMS_PER_DECISION = 200;

/**
 * Least pause between two decision queries, in ms. Without it a busy room keeps one decision query
 * always in flight (one per group-commit batch), which costs PostgreSQL as much as the sends
 * themselves; a push waits at most this long more, and pushes are throttled per room far longer.
 */
export const DECISION_INTERVAL_MS = 250;
/** Pushes waiting to be sent, retries included; beyond this new pushes are dropped (and logged). */
export const MAX_PENDING_DELIVERIES = 2000;
/** Push requests in flight at once: a slow push service holds at most this many sockets. */
export const DELIVERY_CONCURRENCY = 8;
/** A push service that has not answered in this many ms counts as failed (and is retried). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Attempts per push before it is given up: the first and three retries. */
export const MAX_ATTEMPTS = 4;
/** First retry delay in ms; it doubles per attempt (0.5 s, 1 s, 2 s). */
export const RETRY_BASE_MS = 500;
/** Longest Retry-After honoured, in ms; a later one gives the push up instead. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** How long a push service keeps an undelivered push for an offline device, in seconds (older news is stale). */
export const PUSH_TTL_SECONDS = 24 * 3600;

/** One push to one subscription. */
interface Delivery {
  subscriptionId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  payload: string;
  urgency: 'normal' | 'high';
  /** The room id without dashes: a push service replaces an undelivered push of the same topic. */
  topic: string;
  attempt: number;
}

/** The message fields a push decision and payload use. */
type StoredMessage = Pick<MessageDto, 'id' | 'room_id' | 'seq' | 'type' | 'content' | 'sender'> & { mentions?: readonly string[] };
/** A message waiting for its decision, with when it was stored and fanned out (epoch ms). */
interface QueuedMessage {
  message: StoredMessage;
  storedAtMs: number;
}

/**
 * Runs Web Push off the send path: {@link enqueue} only records the message; decisions (one query for
 * all rooms with new messages, one at a time) pick the offline members who want a push, and
 * deliveries (bounded queue and concurrency, per-request deadline) encrypt and send them with
 * `web-push`, retrying failures with backoff and deleting subscriptions the push service answers
 * 404/410. Messages that arrive while a decision runs wait for the next one, together.
 */
@Injectable()
export class PushDispatcher implements OnApplicationShutdown {
  private readonly logger = new Logger(PushDispatcher.name);
  private readonly transport = new PushTransport();
  /** Room id → its messages waiting for a decision (insertion order is the queue order). */
  private readonly pendingRooms = new Map<string, QueuedMessage[]>();
  /** True while a decision query runs (one at a time). */
  private deciding = false;
  /** Set while the pause after a decision query runs ({@link DECISION_INTERVAL_MS}). */
  private pause: NodeJS.Timeout | undefined;
  private readonly deliveries: Delivery[] = [];
  private delivering = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private dropped = 0;
  private closed = false;
  constructor(
    @Inject(VAPID_DETAILS) private readonly vapid: VapidDetails,
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly presence: PresenceService,
    private readonly throttle: PushThrottle,
    private readonly blocks: BlocksService,
  ) {}

  /** Queues a newly stored message for a push decision. Never throws, never waits. */
  enqueue(message: StoredMessage): void {
    if (this.closed || message.type === 'system' || !message.sender?.id) return;
    let waiting = this.pendingRooms.get(message.room_id);
    if (!waiting) {
      if (this.pendingRooms.size >= MAX_PENDING_ROOMS) return this.drop('decision');
      waiting = [];
      this.pendingRooms.set(message.room_id, waiting);
    }
    waiting.push({ message, storedAtMs: Date.now() });
    if (waiting.length > MAX_MESSAGES_PER_ROOM) waiting.shift();
    this.pumpDecisions();
  }

  /** Stops taking work, cancels retries and aborts requests in flight. */
  onApplicationShutdown(): void {
    this.closed = true;
    if (this.pause) clearTimeout(this.pause);
    this.pendingRooms.clear();
    this.deliveries.length = 0;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.transport.abortAll();
  }

  private pumpDecisions(): void {
    if (this.closed || this.deciding || this.pause || this.pendingRooms.size === 0) return;
    const batch = new Map<string, QueuedMessage[]>();
    for (const [roomId, messages] of this.pendingRooms) {
      if (batch.size >= MAX_ROOMS_PER_DECISION) break;
      batch.set(roomId, messages);
      this.pendingRooms.delete(roomId);
    }
    this.deciding = true;
    void this.decide(batch)
      .catch((err: Error) => {
        if (!this.closed) this.logger.warn(`push decision for ${batch.size} rooms failed: ${err.message}`);
      })
      .finally(() => {
        this.deciding = false;
        if (this.closed) return;
        this.pause = setTimeout(() => {
          this.pause = undefined;
          this.pumpDecisions();
        }, DECISION_INTERVAL_MS);
        this.pause.unref();
      });
  }

  /**
   * Picks, per room and subscribed member, the newest message they should be woken for, and queues the
   * pushes. Messages from someone the member blocked never wake them: the blocks among the batch's
   * offline targets and senders are one more statement per decision, not per message.
   */
  private async decide(batch: Map<string, QueuedMessage[]>): Promise<void> {
    const mentioned = [...new Set([...batch.values()].flatMap((messages) => messages.flatMap((q) => q.message.mentions ?? [])))];
    const targets = await this.subscriptions.findTargets([...batch.keys()], mentioned);
    // room → user → that user's subscriptions
    const byRoom = new Map<string, Map<string, PushTargetRow[]>>();
    const offline = new Set<string>();
    for (const row of targets) {
      const users = byRoom.get(row.room_id) ?? new Map<string, PushTargetRow[]>();
      byRoom.set(row.room_id, users);
      users.set(row.user_id, [...(users.get(row.user_id) ?? []), row]);
      // Presence is global (Redis with several instances): an open connection anywhere gets the event, not a push.
      if (!this.presence.isOnline(row.user_id)) offline.add(row.user_id);
    }
    if (offline.size === 0) return;
    const senders = new Set<string>();
    for (const messages of batch.values()) for (const { message: m } of messages) if (m.sender?.id) senders.add(m.sender.id);
    const blocked = await this.blocks.blockedPairs([...offline], [...senders]);
    const wanted: { userId: string; roomId: string; rows: PushTargetRow[]; message: StoredMessage }[] = [];
    for (const [roomId, users] of byRoom) {
      const messages = batch.get(roomId) ?? [];
      for (const [userId, rows] of users) {
        if (!offline.has(userId)) continue;
        const candidate = { userId, roomType: rows[0].room_type, chosenLevel: rows[0].notification_level };
        // A member who was still connected when a message was fanned out got it live, even if they
        // left before this decision ran: only messages stored after they went offline wake them.
        const message = [...messages]
          .reverse()
          .find((q) => !this.presence.offlineAfter(userId, q.storedAtMs) && !blocked.has(`${userId}:${q.message.sender?.id}`) && shouldPush(candidate, toPushable(q.message)))?.message;
        if (message) wanted.push({ userId, roomId, rows, message });
      }
    }
    // One throttle round trip per decision, not one per recipient.
    const claimed = await this.throttle.claimAll(wanted);
    wanted.forEach(({ rows, message }, i) => {
      if (claimed[i]) for (const row of rows) this.queueDelivery(row, message);
    });
  }

  private queueDelivery(row: PushTargetRow, message: StoredMessage): void {
    if (this.deliveries.length >= MAX_PENDING_DELIVERIES) return this.drop('delivery');
    const payload: PushPayload = {
      room_id: message.room_id,
      message_id: message.id,
      seq: message.seq,
      sender: { id: message.sender.id!, display_name: message.sender.display_name },
    };
    if (row.room_type !== 'dm' && row.room_name) payload.room_name = row.room_name;
    if (row.previews) {
      const preview = previewOf(message.content);
      if (preview) payload.preview = preview;
    }
    this.deliveries.push({
      subscriptionId: row.id,
      endpoint: row.endpoint,
      keys: { p256dh: row.p256dh, auth: row.auth },
      payload: JSON.stringify(payload),
      urgency: row.room_type === 'dm' || message.mentions?.includes(row.user_id) ? 'high' : 'normal',
      topic: message.room_id.replace(/-/g, ''),
      attempt: 1,
    });
    this.pumpDeliveries();
  }

  private pumpDeliveries(): void {
    while (!this.closed && this.delivering < DELIVERY_CONCURRENCY && this.deliveries.length > 0) {
      const delivery = this.deliveries.shift()!;
      this.delivering++;
      void this.deliver(delivery).finally(() => {
        this.delivering--;
        this.pumpDeliveries();
      });
    }
  }

  /** Sends one push; 404/410 delete the subscription, 429/5xx/network failures retry, anything else gives up. */
  private async deliver(d: Delivery): Promise<void> {
    const vapid = this.vapid;
    const origin = new URL(d.endpoint).origin;
    let status: number;
    let retryAfterSeconds: number | undefined;
    try {
      const request = webpush.generateRequestDetails({ endpoint: d.endpoint, keys: d.keys }, d.payload, {
        vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: PUSH_TTL_SECONDS,
        urgency: d.urgency,
        topic: d.topic,
        contentEncoding: 'aes128gcm',
      });
      ({ status, retryAfterSeconds } = await this.transport.send(request, DELIVERY_TIMEOUT_MS));
    } catch (err) {
      if (this.closed) return;
      return this.retry(d, `push to ${origin} failed: ${(err as Error).message}`);
    }
    if (status >= 200 && status < 300) return;
    if (status === 404 || status === 410) {
      await this.subscriptions.deleteGone(d.subscriptionId, d.endpoint).catch((err: Error) => this.logger.warn(`removing a gone push subscription failed: ${err.message}`));
      return;
    }
    if (status === 429 || status >= 500) return this.retry(d, `push to ${origin} answered ${status}`, retryAfterSeconds);
    // 400 (malformed), 401/403 (VAPID refused: keys changed since the browser subscribed), 413: retrying cannot help.
    this.logger.warn(`push to ${origin} answered ${status}; not retried`);
  }

  private retry(d: Delivery, reason: string, retryAfterSeconds?: number): void {
    const delayMs = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : RETRY_BASE_MS * 2 ** (d.attempt - 1);
    if (d.attempt >= MAX_ATTEMPTS || delayMs > MAX_RETRY_AFTER_MS) {
      this.logger.warn(`${reason}; given up after ${d.attempt} attempts`);
      return;
    }
    this.logger.debug?.(`${reason}; retrying in ${delayMs} ms`);
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) return;
      if (this.deliveries.length >= MAX_PENDING_DELIVERIES) return this.drop('delivery');
      this.deliveries.push({ ...d, attempt: d.attempt + 1 });
      this.pumpDeliveries();
    }, delayMs);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Counts work refused because a queue was full, logging at most once per 1,000 drops. */
  private drop(stage: 'decision' | 'delivery'): void {
    if (this.dropped++ % 1000 === 0) this.logger.warn(`push ${stage} queue full: dropped ${this.dropped} pushes so far`);
  }
}

/** The decision's view of a stored message. */
function toPushable(message: StoredMessage): PushableMessage {
  return { senderId: message.sender?.id ?? null, mentions: message.mentions };
}
