import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { MessageDto, MessageRow, toMessageDto } from './message.presenter';
import { MessagesRepository } from './messages.repository';

/** One text message waiting for the next group commit. */
export interface PendingSend {
  roomId: string;
  senderId: string;
  /** Trimmed, 1..4000 characters (validated before queueing). */
  content: string;
  replyToId: string | null;
  clientMsgId: string | null;
}

/** What a queued send becomes: the stored message and whether this send created it. */
export interface BatchResult {
  message: MessageDto;
  created: boolean;
  /** True when the send already went out to the room (the single-send fallback publishes itself). */
  published: boolean;
}

interface Waiting extends PendingSend {
  resolve: (result: BatchResult) => void;
  reject: (err: unknown) => void;
}

/** Most sends one transaction takes. */
export const MAX_BATCH = 256;
/**
 * Transactions committing at once. Two keep the database busy while the other waits for its WAL
 * flush, and a room held locked by a long operation stalls only one of them; batches lock their rooms
 * in id order, so they cannot deadlock each other.
 */
export const MAX_FLUSHES_IN_FLIGHT = 2;

/**
 * Group commit for text messages: sends that arrive while a transaction is committing wait for the
 * next one, which stores all of them with one lock, one counter update, one multi-row INSERT and one
 * COMMIT (one WAL flush). With a single sender it adds no delay; under load it turns N commits into
 * one. Per-room seq order and "ack only after commit" hold as for a single send: seqs are taken from
 * each room's counter under its row lock, in arrival order, and callers resolve only after COMMIT.
 * If a batch fails as a whole (a client_msg_id raced in from another instance), its sends are retried
 * one by one through `fallback`, which handles every race on its own.
 */
@Injectable()
export class MessageBatchWriter {
  private readonly logger = new Logger(MessageBatchWriter.name);
  private queue: Waiting[] = [];
  private inFlight = 0;
  /** Rooms with sends in a transaction now. */
  private readonly busyRooms = new Set<string>();
  /** Single-send path used when a batch cannot be committed as a whole. */
  fallback: ((send: PendingSend) => Promise<BatchResult>) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
  ) {}

  /**
   * Queues a send for the next group commit.
   * @returns the stored message (or the earlier one with the same client_msg_id) once committed.
   * @throws AppError ROOM_NOT_FOUND (unknown or invisible room), NOT_A_MEMBER (public room not
   *   joined), VALIDATION_FAILED (bad reply target).
   */
  write(send: PendingSend): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...send, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    while (this.inFlight < MAX_FLUSHES_IN_FLIGHT && this.queue.length > 0) {
      // A room's sends never split over two transactions in flight: its seqs follow arrival order.
      const batch: Waiting[] = [];
      const rest: Waiting[] = [];
      for (const w of this.queue) {
        if (batch.length < MAX_BATCH && !this.busyRooms.has(w.roomId)) batch.push(w);
        else rest.push(w);
      }
      if (batch.length === 0) return;
      // A room stays out of the next batch for as long as this one holds any of its sends.
      const rooms = new Set(batch.map((w) => w.roomId));
      for (const room of rooms) this.busyRooms.add(room);
      this.queue = rest;
      this.inFlight++;
      void this.flush(batch).finally(() => {
        for (const room of rooms) this.busyRooms.delete(room);
        this.inFlight--;
        this.kick();
      });
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    const outcomes = new Map<Waiting, BatchResult | AppError>();
    try {
      await this.dataSource.transaction(async (manager) => {
        outcomes.clear();
        const membership = await this.messages.lockRoomsWithMembership(
          manager,
          batch.map((w) => w.roomId),
          batch.map((w) => w.senderId),
        );
        // Retries: earlier sends with the same (sender, client_msg_id), stored before or in this batch.
        const keyed = batch.filter((w) => w.clientMsgId !== null);
        const existing = new Map<string, MessageRow>();
        for (const row of await this.messages.findByClientMsgIds(
          manager,
          keyed.map((w) => w.senderId),
          keyed.map((w) => w.clientMsgId!),
        )) {
          existing.set(`${row.sender_id}|${row.client_msg_id}`, row);
        }
        const replyRooms = await this.messages.roomsOfMessages(manager, [...new Set(batch.filter((w) => w.replyToId).map((w) => w.replyToId!))]);

        const fresh: Waiting[] = [];
        const firstOfKey = new Map<string, Waiting>();
        const twins = new Map<Waiting, Waiting>();
        for (const w of batch) {
          const key = w.clientMsgId !== null ? `${w.senderId}|${w.clientMsgId}` : null;
          const seat = membership.get(`${w.roomId}|${w.senderId}`);
          if (!seat) outcomes.set(w, new AppError('ROOM_NOT_FOUND'));
          // A public room answers 403 to a non-member; any other room stays invisible (404).
          else if (!seat.member) outcomes.set(w, new AppError(seat.type === 'public' ? 'NOT_A_MEMBER' : 'ROOM_NOT_FOUND'));
          else if (key && existing.has(key)) outcomes.set(w, { message: toMessageDto(existing.get(key)!), created: false, published: false });
          else if (key && firstOfKey.has(key)) twins.set(w, firstOfKey.get(key)!);
          else if (w.replyToId && replyRooms.get(w.replyToId) !== w.roomId) {
            outcomes.set(w, new AppError('VALIDATION_FAILED', 'reply_to_id must name a message of this room.', [{ field: 'reply_to_id', problem: 'must name a message of this room' }]));
          } else {
            if (key) firstOfKey.set(key, w);
            fresh.push(w);
          }
        }
        if (fresh.length === 0) return;

        const counts = new Map<string, number>();
        for (const w of fresh) counts.set(w.roomId, (counts.get(w.roomId) ?? 0) + 1);
        const last = await this.messages.allocateSeqs(manager, [...counts.keys()], [...counts.values()]);
        const next = new Map([...counts].map(([roomId, n]) => [roomId, last.get(roomId)! - n + 1]));
        const seqOf = new Map<Waiting, number>();
        for (const w of fresh) {
          const seq = next.get(w.roomId)!;
          next.set(w.roomId, seq + 1);
          seqOf.set(w, seq);
        }
        const rows = await this.messages.insertMany(
          manager,
          fresh.map((w) => ({ roomId: w.roomId, seq: seqOf.get(w)!, senderId: w.senderId, content: w.content, replyToId: w.replyToId, clientMsgId: w.clientMsgId })),
        );
        const bySeat = new Map(rows.map((r) => [`${r.room_id}|${Number(r.seq)}`, r]));
        for (const w of fresh) outcomes.set(w, { message: toMessageDto(bySeat.get(`${w.roomId}|${seqOf.get(w)}`)!), created: true, published: false });
        for (const [twin, first] of twins) outcomes.set(twin, { message: (outcomes.get(first) as BatchResult).message, created: false, published: false });
      });
    } catch (err) {
      this.logger.debug?.(`group commit of ${batch.length} failed (${(err as Error).message}); retrying one by one`);
      await Promise.all(batch.map((w) => this.fallbackOne(w)));
      return;
    }
    for (const w of batch) {
      const outcome = outcomes.get(w)!;
      if (outcome instanceof AppError) w.reject(outcome);
      else w.resolve(outcome);
    }
  }

  private async fallbackOne(w: Waiting): Promise<void> {
    try {
      if (!this.fallback) throw new Error('MessageBatchWriter has no fallback');
      w.resolve(await this.fallback(w));
    } catch (err) {
      w.reject(err);
    }
  }
}
