// Messages written but not yet acknowledged, keyed by client_msg_id. Each is sent when connected and
// re-sent after every reconnect (the server deduplicates by client_msg_id per room), waits out rate
// limits, and is marked failed only when the server refused it for good.
import { SocketError, TRANSIENT_CODES } from '../api/socket';
import type { Message, Upload } from '../api/types';

/** One unsent message as shown in the conversation. */
export interface PendingMessage {
  client_msg_id: string;
  room_id: string;
  content: string;
  reply_to: { id: string; content: string | null } | null;
  attachments: Upload[];
  status: 'queued' | 'sending' | 'failed';
  /** Why it is waiting or failed, for people. */
  error: string | null;
  created_at: string;
}

/** What to do after a failed send. */
export type SendOutcome = { status: 'queued'; retryInMs: number | null; error: string | null } | { status: 'failed'; error: string };

/**
 * Decides from a send error whether the message stays queued (and when to retry, in ms; null =
 * at the next reconnect) or has failed for good.
 */
export function outcomeOf(err: unknown): SendOutcome {
  if (!(err instanceof SocketError)) return { status: 'queued', retryInMs: 3000, error: null };
  if (err.code === 'TIMEOUT') return { status: 'queued', retryInMs: 3000, error: null };
  if (TRANSIENT_CODES.has(err.code)) return { status: 'queued', retryInMs: null, error: null };
  if (err.code === 'RATE_LIMITED') {
    const waitMs = err.retryAfterMs ?? 1000;
    return { status: 'queued', retryInMs: waitMs, error: `Sending too fast; retrying in ${Math.ceil(waitMs / 1000)} s.` };
  }
  return { status: 'failed', error: err.message };
}

/** What the outbox needs from its surroundings (injected, so the logic is testable without a page). */
export interface OutboxPorts {
  isOnline(): boolean;
  send(p: PendingMessage): Promise<Message>;
  /** The server stored it: `message` is the acknowledged Message. */
  delivered(message: Message): void;
  changed(roomId: string): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The outbox of every room. */
export class Outbox {
  private readonly items = new Map<string, PendingMessage>();
  private timer: unknown = null;

  constructor(private readonly ports: OutboxPorts) {}

  /** Unsent messages of a room, in the order they were written. */
  of(roomId: string): PendingMessage[] {
    return [...this.items.values()].filter((p) => p.room_id === roomId);
  }

  has(clientMsgId: string): boolean {
    return this.items.has(clientMsgId);
  }

  /** Queues a message and sends it at once when connected. */
  add(p: Omit<PendingMessage, 'status' | 'error'>): void {
    const entry: PendingMessage = { ...p, status: 'queued', error: null };
    this.items.set(entry.client_msg_id, entry);
    this.ports.changed(entry.room_id);
    void this.sendOne(entry);
  }

  /** The message arrived by another path (live echo, sync): it is no longer pending. */
  settle(clientMsgId: string | null | undefined): void {
    if (!clientMsgId) return;
    const p = this.items.get(clientMsgId);
    if (!p) return;
    this.items.delete(clientMsgId);
    this.ports.changed(p.room_id);
  }

  /** Sends every queued message (after a reconnect, or when a retry is due). */
  flush(): void {
    for (const p of this.items.values()) if (p.status === 'queued') void this.sendOne(p);
  }

  retry(clientMsgId: string): void {
    const p = this.items.get(clientMsgId);
    if (!p) return;
    p.status = 'queued';
    p.error = null;
    void this.sendOne(p);
  }

  discard(clientMsgId: string): void {
    this.settle(clientMsgId);
  }

  clear(): void {
    this.items.clear();
    if (this.timer !== null) this.ports.clearTimer(this.timer);
    this.timer = null;
  }

  private async sendOne(p: PendingMessage): Promise<void> {
    if (!this.items.has(p.client_msg_id) || p.status === 'sending') return;
    if (!this.ports.isOnline()) {
      p.status = 'queued';
      this.ports.changed(p.room_id);
      return;
    }
    p.status = 'sending';
    this.ports.changed(p.room_id);
    try {
      const message = await this.ports.send(p);
      this.items.delete(p.client_msg_id);
      this.ports.delivered(message);
    } catch (err) {
      const outcome = outcomeOf(err);
      p.status = outcome.status;
      p.error = outcome.error;
      if (outcome.status === 'queued' && outcome.retryInMs !== null) this.retryIn(outcome.retryInMs);
    }
    this.ports.changed(p.room_id);
  }

  private retryIn(ms: number): void {
    if (this.timer !== null) this.ports.clearTimer(this.timer);
    this.timer = this.ports.setTimer(() => {
      this.timer = null;
      this.flush();
    }, ms);
  }
}
