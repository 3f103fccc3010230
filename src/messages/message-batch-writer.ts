import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { MessageDto, MessageRow, toMessageDto } from './message.presenter';
import { BatchOutcomeRow, MessagesRepository } from './messages.repository';

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
 * Group commit for text messages: sends that arrive while a batch is committing wait for the next
 * one, which stores all of them with a single SQL statement (one round trip to PostgreSQL; see
 * {@link MessagesRepository.commitTextBatch}: room locks, checks, counter update, multi-row INSERT,
 * one COMMIT and one WAL flush). With a single sender it adds no delay; under load it turns N commits into
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
    let rows: BatchOutcomeRow[];
    try {
      rows = await this.messages.commitTextBatch(batch);
    } catch (err) {
      // The statement is atomic: nothing of the batch was stored.
      this.logger.debug?.(`group commit of ${batch.length} failed (${(err as Error).message}); retrying one by one`);
      await Promise.all(batch.map((w) => this.fallbackOne(w)));
      return;
    }
    const outcomes = new Map<Waiting, BatchResult | AppError>();
    try {
      this.readOutcomes(batch, rows, outcomes, await this.storedRetries(batch, rows));
    } catch (err) {
      this.logger.warn(`group commit of ${batch.length}: ${(err as Error).message}; answering the rest one by one`);
    }
    // Sends left unanswered go through the single path, which finds anything stored by client_msg_id.
    await Promise.all(batch.map((w) => (outcomes.has(w) ? this.settle(w, outcomes.get(w)!) : this.fallbackOne(w))));
  }

  /** The messages that retried sends (outcome `existing`) stored before, by `sender|client_msg_id`. */
  private async storedRetries(batch: Waiting[], rows: BatchOutcomeRow[]): Promise<Map<string, MessageRow>> {
    const retried = rows.filter((r) => r.outcome === 'existing').map((r) => batch[Number(r.ord) - 1]);
    const existing = new Map<string, MessageRow>();
    if (retried.length === 0) return existing;
    const found = await this.messages.findByClientMsgIds(
      this.dataSource,
      retried.map((w) => w.senderId),
      retried.map((w) => w.clientMsgId!),
    );
    for (const row of found) existing.set(`${row.sender_id}|${row.client_msg_id}`, row);
    return existing;
  }

  /** Turns the statement's answer into one outcome per send. */
  private readOutcomes(batch: Waiting[], rows: BatchOutcomeRow[], outcomes: Map<Waiting, BatchResult | AppError>, existing: Map<string, MessageRow>): void {
    const firstOfKey = new Map<string, Waiting>();
    const twins: Waiting[] = [];
    for (const row of rows) {
      const w = batch[Number(row.ord) - 1];
      const key = `${w.senderId}|${w.clientMsgId}`;
      if (row.outcome === 'twin') {
        twins.push(w);
        continue;
      }
      if (row.outcome === 'stored') {
        if (w.clientMsgId !== null) firstOfKey.set(key, w);
        outcomes.set(w, { message: toMessageDto(row), created: true, published: false });
      }
      else if (row.outcome === 'no_room') outcomes.set(w, new AppError('ROOM_NOT_FOUND'));
      // A public room answers 403 to a non-member; any other room stays invisible (404).
      else if (row.outcome === 'not_member') outcomes.set(w, new AppError(row.room_type === 'public' ? 'NOT_A_MEMBER' : 'ROOM_NOT_FOUND'));
      else if (row.outcome === 'bad_reply') {
        outcomes.set(w, new AppError('VALIDATION_FAILED', 'reply_to_id must name a message of this room.', [{ field: 'reply_to_id', problem: 'must name a message of this room' }]));
      } else {
        // `existing`: answered with the stored message; if it vanished since (account deletion), the single path decides.
        const stored = existing.get(key);
        if (stored) outcomes.set(w, { message: toMessageDto(stored), created: false, published: false });
      }
    }
    // A twin repeats the send of the same batch that stored its client_msg_id: same message, not created again.
    for (const w of twins) {
      const first = firstOfKey.get(`${w.senderId}|${w.clientMsgId}`);
      const outcome = first ? outcomes.get(first) : undefined;
      if (outcome && !(outcome instanceof AppError)) outcomes.set(w, { message: outcome.message, created: false, published: false });
    }
  }

  private settle(w: Waiting, outcome: BatchResult | AppError): void {
    if (outcome instanceof AppError) w.reject(outcome);
    else w.resolve(outcome);
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
