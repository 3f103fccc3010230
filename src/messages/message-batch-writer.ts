import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupCommitPool } from '../database/group-commit-pool';
import { PendingSend, SendOutcome, sendResult, SendResult, SINGLE_SEND_STRATEGY, type SingleSendStrategy } from './message-send';
import { BatchOutcomeRow, MessageRow, MessagesRepository } from './messages.repository';
import { recorder } from '../metrics/recorder';

export type { PendingSend } from './message-send';

interface Waiting extends PendingSend {
  resolve: (result: SendResult) => void;
  reject: (err: unknown) => void;
}

/** Most sends one transaction takes. */
export const MAX_BATCH = 256;
/**
 * Batches committing at once. Normally one: sends that arrive while it commits wait and go together
 * in the next, which is what makes batches (with two always allowed, most sends went alone at
 * moderate rates; measured in the fan-out bench: 15,490 → 46,695 deliveries/s at p99 ≤ 100 ms). A
 * second one starts only once the first has run {@link SECOND_FLUSH_AFTER_MS}: a room held locked by
 * a long operation (a big delete) or a slow WAL flush then stalls only the batch that waits for it.
 * Batches lock their rooms in id order, so the two cannot deadlock each other.
 */
export const MAX_FLUSHES_IN_FLIGHT = 2;
/** How long (ms) the batch in flight must have run before a second one may start beside it. */
export const SECOND_FLUSH_AFTER_MS = 20;
/**
 * Batches start at most this often (ms). A send arriving after a quiet spell goes at once; under
 * steady load sends gather for up to this long, because a batch costs about as much as a single send
 * (one statement, one COMMIT, one WAL flush, a few wake-ups of node and PostgreSQL), so batches of
 * several sends are what keep the cost per message down.
 */
export const MIN_BATCH_INTERVAL_MS = 2;

/**
 * The send pipeline: every send is stored here and answered through one outcome mapping
 * ({@link sendResult}). Text sends go by group commit: sends that arrive while a batch is committing wait for the next
 * one, which stores all of them with a single SQL statement (one round trip to PostgreSQL; see
 * {@link MessagesRepository.commitTextBatch}: room locks, checks, counter update, multi-row INSERT,
 * one COMMIT and one WAL flush). With a single sender it adds no delay; under load it turns N commits into
 * one. Per-room seq order and "ack only after commit" hold as for a single send: seqs are taken from
 * each room's counter under its row lock, in arrival order, and callers resolve only after COMMIT.
 * Sends with attachments, and the sends of a batch that failed as a whole (a client_msg_id raced in
 * from another instance), go through the {@link SingleSendStrategy} one by one, which handles every
 * race on its own. Publishing (metrics, fan-out, push) is the caller's, once per created message.
 */
@Injectable()
export class MessageBatchWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageBatchWriter.name);
  private queue: Waiting[] = [];
  private inFlight = 0;
  /** When the batch in flight started (ms since epoch), while exactly one is in flight. */
  private soloSince = 0;
  /** When the last batch started (ms since epoch). */
  private lastStart = 0;
  /** The pending timer that runs {@link kick} again, and when it fires (ms since epoch). */
  private rekick: NodeJS.Timeout | undefined;
  private rekickAt = 0;
  /** Rooms with sends in a transaction now. */
  private readonly busyRooms = new Set<string>();
  /**
   * True when the last look at the queue found only sends of rooms a batch in flight holds. Until a
   * batch ends, a new send to one of those rooms cannot start either, so it is queued without looking
   * at the queue again: under overload that look, once per send over a growing backlog, cost node
   * time in the square of the backlog (seconds at 100% CPU with PostgreSQL idle, no acks).
   */
  private onlyBusyQueued = false;

  /**
   * @param pool the batch statement's own connections, one per flush in flight (see GroupCommitPool)
   * @param single the path of attachment sends and of the sends of a batch that failed as a whole
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    private readonly pool: GroupCommitPool,
    @Inject(SINGLE_SEND_STRATEGY) private readonly single: SingleSendStrategy,
  ) {}

  /** Closes the batch connections once shutdown has drained the in-flight sends. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Stores a send: text by the next group commit, a send with attachments on its own.
   * @returns the stored message (or the earlier one with the same client_msg_id) once committed.
   * @throws AppError as {@link sendResult}: ROOM_NOT_FOUND (unknown or invisible room), NOT_A_MEMBER
   *   (public room not joined), VALIDATION_FAILED (bad reply target, foreign uploads, wrong type).
   */
  async write(send: PendingSend): Promise<SendResult> {
    if (send.attachmentIds && send.attachmentIds.length > 0) return sendResult(await this.single.storeOne(send));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...send, resolve, reject });
      if (!this.onlyBusyQueued || !this.busyRooms.has(send.roomId)) this.kick();
    });
  }

  private kick(): void {
    while (this.inFlight < MAX_FLUSHES_IN_FLIGHT && this.queue.length > 0) {
      const now = Date.now();
      const wait = this.inFlight === 1 ? this.soloSince + SECOND_FLUSH_AFTER_MS - now : this.lastStart + MIN_BATCH_INTERVAL_MS - now;
      if (wait > 0) {
        this.kickAfter(wait);
        return;
      }
      // A room's sends never split over two transactions in flight: its seqs follow arrival order.
      const batch: Waiting[] = [];
      const rest: Waiting[] = [];
      for (const w of this.queue) {
        if (batch.length < MAX_BATCH && !this.busyRooms.has(w.roomId)) batch.push(w);
        else rest.push(w);
      }
      if (batch.length === 0) {
        this.onlyBusyQueued = true;
        return;
      }
      this.onlyBusyQueued = false;
      // A room stays out of the next batch for as long as this one holds any of its sends.
      const rooms = new Set(batch.map((w) => w.roomId));
      for (const room of rooms) this.busyRooms.add(room);
      this.queue = rest;
      this.lastStart = now;
      if (++this.inFlight === 1) this.soloSince = now;
      void this.flush(batch).finally(() => {
        for (const room of rooms) this.busyRooms.delete(room);
        this.onlyBusyQueued = false;
        // The batch still in flight, if any, counts as started now: it is alone from here on.
        if (--this.inFlight === 1) this.soloSince = Date.now();
        this.kick();
      });
    }
  }

  /** Runs {@link kick} again in `ms`, unless a timer already does so sooner. */
  private kickAfter(ms: number): void {
    const at = Date.now() + ms;
    if (this.rekick && this.rekickAt <= at) return;
    clearTimeout(this.rekick);
    this.rekickAt = at;
    this.rekick = setTimeout(() => {
      this.rekick = undefined;
      this.kick();
    }, ms).unref();
  }

  private async flush(batch: Waiting[]): Promise<void> {
    let rows: BatchOutcomeRow[];
    try {
      rows = await recorder.timeBatch(batch.length, this.messages.commitTextBatch(this.pool, batch));
    } catch (err) {
      // The statement is atomic: nothing of the batch was stored.
      this.logger.debug?.(`group commit of ${batch.length} failed (${(err as Error).message}); retrying one by one`);
      await Promise.all(batch.map((w) => this.storeAlone(w)));
      return;
    }
    const outcomes = new Map<Waiting, SendOutcome>();
    try {
      this.readOutcomes(batch, rows, outcomes, await this.storedRetries(batch, rows));
    } catch (err) {
      this.logger.warn(`group commit of ${batch.length}: ${(err as Error).message}; answering the rest one by one`);
    }
    // Sends left unanswered go through the single path, which finds anything stored by client_msg_id.
    await Promise.all(batch.map((w) => (outcomes.has(w) ? this.settle(w, outcomes.get(w)!) : this.storeAlone(w))));
  }

  /** The messages that retried sends (outcome `existing`) stored before, by `sender|room|client_msg_id`. */
  private async storedRetries(batch: Waiting[], rows: BatchOutcomeRow[]): Promise<Map<string, MessageRow>> {
    const retried = rows.filter((r) => r.outcome === 'existing').map((r) => batch[r.ord - 1]);
    const existing = new Map<string, MessageRow>();
    if (retried.length === 0) return existing;
    const found = await this.messages.findByClientMsgIds(
      this.dataSource,
      retried.map((w) => w.senderId),
      retried.map((w) => w.roomId),
      retried.map((w) => w.clientMsgId!),
    );
    for (const row of found) existing.set(`${row.sender_id}|${row.room_id}|${row.client_msg_id}`, row);
    return existing;
  }

  /**
   * Turns the statement's answer into one outcome per send. A `twin` (a repeat, in the same batch, of
   * the send that stored its client_msg_id) is that message, `existing`. An `existing` whose message
   * vanished since (account deletion) gets no outcome: the single path decides.
   */
  private readOutcomes(batch: Waiting[], rows: BatchOutcomeRow[], outcomes: Map<Waiting, SendOutcome>, existing: Map<string, MessageRow>): void {
    const storedByKey = new Map<string, MessageRow>();
    const twins: Waiting[] = [];
    for (const row of rows) {
      const w = batch[row.ord - 1];
      const key = `${w.senderId}|${w.roomId}|${w.clientMsgId}`;
      if (row.outcome === 'twin') twins.push(w);
      else if (row.outcome === 'stored') {
        if (w.clientMsgId !== null) storedByKey.set(key, row);
        outcomes.set(w, { outcome: 'stored', message: row });
      } else if (row.outcome === 'not_member') outcomes.set(w, { outcome: 'not_member', room_type: row.room_type });
      else if (row.outcome === 'existing') {
        const stored = existing.get(key);
        if (stored) outcomes.set(w, { outcome: 'existing', message: stored });
      } else outcomes.set(w, { outcome: row.outcome });
    }
    for (const w of twins) {
      const first = storedByKey.get(`${w.senderId}|${w.roomId}|${w.clientMsgId}`);
      if (first) outcomes.set(w, { outcome: 'existing', message: first });
    }
  }

  /** Answers a queued send from its outcome (the one mapping, {@link sendResult}). */
  private settle(w: Waiting, outcome: SendOutcome): void {
    try {
      w.resolve(sendResult(outcome));
    } catch (err) {
      w.reject(err);
    }
  }

  /** Stores a queued send on its own through the single-send strategy, then answers it. */
  private async storeAlone(w: Waiting): Promise<void> {
    try {
      this.settle(w, await this.single.storeOne(w));
    } catch (err) {
      w.reject(err);
    }
  }
}
