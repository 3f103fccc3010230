// One opened conversation: the messages held (a window of the room's history, keyed by id and
// ordered by seq) and its sync cursor. Pure logic, no page APIs, so it is unit-tested directly.
import type { Message } from '../api/types';
import { SyncCursor } from './sync-cursor';

/** Where a message came from: a history page, a sync answer, or a live event / ack. */
export type Source = 'history' | 'sync' | 'live';

/** The counter value of a message's latest change. */
export function changeSeq(m: Message): number {
  return Math.max(m.seq, m.updated_seq ?? 0);
}

/** A render-ready snapshot of the conversation. */
export interface ConversationView {
  messages: Message[];
  loaded: boolean;
  /** Older messages exist before the first one held. */
  hasOlder: boolean;
  /** Newer messages exist after the last one held (after a jump into the past). */
  hasNewer: boolean;
  loading: boolean;
  error: unknown;
  /** Bumped by every change, so views can tell. */
  version: number;
}

/** The messages held for one room and the rules for merging what arrives. */
export class Conversation {
  readonly cursor = new SyncCursor();
  private readonly byId = new Map<string, Message>();
  loaded = false;
  hasOlder = false;
  hasNewer = false;
  loading = false;
  error: unknown = null;
  version = 0;

  constructor(readonly roomId: string) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Message | undefined {
    return this.byId.get(id);
  }

  /** Lowest and highest seq held (0 when empty). */
  get minSeq(): number {
    let min = Infinity;
    for (const m of this.byId.values()) min = Math.min(min, m.seq);
    return min === Infinity ? 0 : min;
  }

  get maxSeq(): number {
    let max = 0;
    for (const m of this.byId.values()) max = Math.max(max, m.seq);
    return max;
  }

  /** Held messages in seq order. */
  list(): Message[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq);
  }

  view(): ConversationView {
    return { messages: this.list(), loaded: this.loaded, hasOlder: this.hasOlder, hasNewer: this.hasNewer, loading: this.loading, error: this.error, version: this.version };
  }

  /**
   * Replaces the window with one page (the latest, or the page around a message after a jump).
   * `roomCounter` is the room's counter when the page was asked for: every change up to it is held.
   */
  loadPage(items: Message[], hasOlder: boolean, hasNewer: boolean, roomCounter: number): void {
    this.byId.clear();
    for (const m of items) this.byId.set(m.id, m);
    this.hasOlder = hasOlder;
    this.hasNewer = hasNewer;
    this.loaded = true;
    this.error = null;
    this.cursor.advanceTo(Math.max(roomCounter, ...items.map(changeSeq)));
    this.version++;
  }

  /** Adds an older page (scrolling up) or a newer one (scrolling down after a jump). */
  extend(items: Message[], direction: 'older' | 'newer', more: boolean): void {
    for (const m of items) if (!this.byId.has(m.id)) this.byId.set(m.id, m);
    if (direction === 'older') this.hasOlder = more && items.length > 0;
    else this.hasNewer = more && items.length > 0;
    this.version++;
  }

  /**
   * Merges one message. A known id is replaced only by a version at least as new (by updated_seq);
   * an unknown one is added only when it falls inside the held window (paging brings the rest), so
   * the view never shows a gap. Live changes move the cursor only when contiguous (SyncCursor).
   * @returns true when the message is new to the view
   */
  accept(m: Message, source: Source): boolean {
    let added = false;
    const old = this.byId.get(m.id);
    if (old) {
      if ((m.updated_seq ?? 0) >= (old.updated_seq ?? 0)) this.byId.set(m.id, m);
    } else if (!m.deleted_at && this.inWindow(m.seq)) {
      this.byId.set(m.id, m);
      added = true;
    }
    if (source === 'live') this.cursor.saw(changeSeq(m));
    this.version++;
    return added;
  }

  /** Applies a reaction change to a held message (the event carries all reactions after it). */
  react(messageId: string, reactions: Message['reactions'], updatedSeq: number): void {
    const old = this.byId.get(messageId);
    if (old && updatedSeq >= (old.updated_seq ?? 0)) this.byId.set(messageId, { ...old, reactions, updated_seq: updatedSeq });
    this.cursor.saw(updatedSeq);
    this.version++;
  }

  /** Rewrites held messages (a sender's profile changed). */
  mapMessages(fn: (m: Message) => Message): void {
    for (const [id, m] of this.byId) this.byId.set(id, fn(m));
    this.version++;
  }

  private inWindow(seq: number): boolean {
    if (this.byId.size === 0) return !this.hasNewer;
    const afterStart = !this.hasOlder || seq > this.minSeq;
    const beforeEnd = !this.hasNewer || seq < this.maxSeq;
    return afterStart && beforeEnd;
  }
}
