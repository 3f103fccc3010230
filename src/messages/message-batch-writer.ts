import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { MessageDto } from './dto/message.dto';
import { toMessageDto } from './message.mapper';
import { BatchOutcomeRow, GROUP_COMMIT_SESSION_OPTIONS, MessageRow, MessagesRepository } from './messages.repository';
import { recorder } from '../metrics/recorder';

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
  /** Single-send path used when a batch cannot be committed as a whole. */
  fallback: ((send: PendingSend) => Promise<BatchResult>) | undefined;

  /**
   * The batch statement's own connections, one per flush in flight, never closed while the server
   * runs: a backend opened on demand costs authentication plus cold catalog caches (measured: 15–50
   * ms for its first batches, which showed as ack p99 spikes at low load), and each keeps the
   * statement's generic plan, so a batch is never planned again (planning it took ~1.2 ms, longer
   * than running it). Custom plans would never pay off here: the arrays' contents change nothing in
   * the plan's shape. Sequential scans are off on these connections, so the cached plan does not
   * depend on the table sizes of the moment it was made (see {@link GROUP_COMMIT_SESSION_OPTIONS}).
   */
  private readonly pool: Pool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.pool = new Pool({
      connectionString: config.databaseUrl,
      max: MAX_FLUSHES_IN_FLIGHT,
      idleTimeoutMillis: 0,
      connectionTimeoutMillis: 10_000,
      application_name: 'chat-server group commit',
      options: GROUP_COMMIT_SESSION_OPTIONS,
    });
    // An idle connection that breaks (database restart) is dropped by the pool and reopened on use.
    this.pool.on('error', (err) => this.logger.warn(`group-commit connection lost: ${err.message}`));
  }

  /** Closes the batch connections once shutdown has drained the in-flight sends. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

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
      if (batch.length === 0) return;
      // A room stays out of the next batch for as long as this one holds any of its sends.
      const rooms = new Set(batch.map((w) => w.roomId));
      for (const room of rooms) this.busyRooms.add(room);
      this.queue = rest;
      this.lastStart = now;
      if (++this.inFlight === 1) this.soloSince = now;
      void this.flush(batch).finally(() => {
        for (const room of rooms) this.busyRooms.delete(room);
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

  /** Turns the statement's answer into one outcome per send. */
  private readOutcomes(batch: Waiting[], rows: BatchOutcomeRow[], outcomes: Map<Waiting, BatchResult | AppError>, existing: Map<string, MessageRow>): void {
    const firstOfKey = new Map<string, Waiting>();
    const twins: Waiting[] = [];
    for (const row of rows) {
      const w = batch[row.ord - 1];
      const key = `${w.senderId}|${w.roomId}|${w.clientMsgId}`;
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
      // A DM where either side blocked the other (see BlocksService).
      else if (row.outcome === 'blocked') outcomes.set(w, new AppError('BLOCKED'));
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
      const first = firstOfKey.get(`${w.senderId}|${w.roomId}|${w.clientMsgId}`);
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
