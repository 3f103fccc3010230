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
/** Batches committing at once, and so the group-commit pool's connections: one (see the class). */
export const MAX_FLUSHES_IN_FLIGHT = 1;

/**
 * The send pipeline: every send is stored here and answered through one outcome mapping
 * ({@link sendResult}). Text sends go by group commit with one batch in flight: a send that arrives
 * while no batch is committing starts one when the event loop's current I/O phase ends (setImmediate:
 * no timer, so the frames of several sockets read in that phase go together); sends that arrive while
 * a batch commits wait and all go together in the next, which starts as that one ends and stores them
 * with a single SQL statement (one round trip to PostgreSQL; see
 * {@link MessagesRepository.commitTextBatch}: room locks, checks, counter update, multi-row INSERT,
 * one COMMIT and one WAL flush). So batches grow with the load by themselves, and N commits become one.
 * No timers, and never a second batch beside a slow one: both split the backlog behind a WAL-flush
 * stall into more, smaller commits (docs/performance.md, "Session 6"); starting at the first frame of
 * a phase instead of its end split each phase's frames into a batch of one and a batch of the rest
 * ("Session 7"). The price of one batch in flight: a batch waiting for a room locked by a long
 * operation (deleting a room with a long history) holds every other room's sends until then;
 * `DB_STATEMENT_TIMEOUT_MS` bounds that wait, after which the batch's sends go one by one.
 * Per-room seq order and "ack only after commit" hold as for a single send: seqs are taken from each
 * room's counter under its row lock, in arrival order, and callers resolve only after COMMIT.
 * Sends with attachments, and the sends of a batch that failed as a whole (a client_msg_id raced in
 * from another instance), go through the {@link SingleSendStrategy} one by one, which handles every
 * race on its own. Publishing (metrics, fan-out, push) is the caller's, once per created message.
 */
@Injectable()
export class MessageBatchWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(MessageBatchWriter.name);
  private queue: Waiting[] = [];
  private flushing = false;
  /** A batch start is scheduled for the end of this I/O phase. */
  private kickPending = false;

  /**
   * @param pool the batch statement's own connection (see GroupCommitPool)
   * @param single the path of attachment sends and of the sends of a batch that failed as a whole
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    private readonly pool: GroupCommitPool,
    @Inject(SINGLE_SEND_STRATEGY) private readonly single: SingleSendStrategy,
  ) {}

  /** Closes the batch connection once shutdown has drained the in-flight sends. */
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
      this.kick();
    });
  }

  /**
   * Starts the next batch once the current I/O phase of the event loop is over (setImmediate, no
   * timer), unless one is committing (its end calls this again). Frames read in one phase arrive one
   * socket callback at a time: starting at the first would send it alone and make the rest wait a
   * whole commit for the next batch.
   */
  private kick(): void {
    if (this.flushing || this.kickPending) return;
    this.kickPending = true;
    setImmediate(this.startBatch);
  }

  /** Takes the queue, in arrival order and at most {@link MAX_BATCH}, into one batch. */
  private readonly startBatch = (): void => {
    this.kickPending = false;
    if (this.flushing || this.queue.length === 0) return;
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
    this.flushing = true;
    void this.flush(batch).finally(() => {
      this.flushing = false;
      this.kick();
    });
  };

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
