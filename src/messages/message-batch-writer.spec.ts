import type { DataSource } from 'typeorm';
import type { GroupCommitPool } from '../database/group-commit-pool';
import { MAX_BATCH, MessageBatchWriter, PendingSend } from './message-batch-writer';
import type { SingleSendStrategy } from './message-send';
import type { BatchOutcomeRow, BatchSendRow, MessagesRepository } from './messages.repository';

/** A batch the writer started: what it holds, and how to let its statement finish. */
interface StartedBatch {
  rooms: string[];
  contents: string[];
  startedAt: number;
  commit(): void;
}

/**
 * The group-commit scheduling policy alone: when batches start, what they hold, and that a room is
 * never in two batches at once. The statement itself is exercised against PostgreSQL in
 * test/group-commit.e2e-spec.ts; here it is replaced by a statement that stores every send and
 * finishes when the test says so, with jest's clock, so timings are exact.
 */
describe('MessageBatchWriter scheduling', () => {
  let started: StartedBatch[];
  let writer: MessageBatchWriter;
  let seq: number;

  beforeEach(() => {
    // setImmediate stays real: the writer starts a batch at the end of the I/O phase, which is no timer.
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['setImmediate'] });
    started = [];
    seq = 0;
    const repository = {
      commitTextBatch: (_db: unknown, sends: BatchSendRow[]): Promise<BatchOutcomeRow[]> =>
        new Promise((resolve) => {
          started.push({
            rooms: sends.map((s) => s.roomId),
            contents: sends.map((s) => s.content),
            startedAt: Date.now(),
            commit: () => resolve(sends.map((s, i) => storedRow(i + 1, s, ++seq))),
          });
        }),
      findByClientMsgIds: () => Promise.resolve([]),
    } as unknown as MessagesRepository;
    // No connection is used: the statement above stands in for the batch, and every send stores.
    const pool = { end: () => Promise.resolve() } as unknown as GroupCommitPool;
    const single: SingleSendStrategy = { storeOne: () => Promise.reject(new Error('the single path is not part of the scheduling policy')) };
    writer = new MessageBatchWriter({} as DataSource, repository, pool, single);
  });

  afterEach(async () => {
    jest.useRealTimers();
    await writer.onApplicationShutdown();
  });

  const send = (roomId: string, content: string): Promise<unknown> => writer.write(pending(roomId, content));
  /** Lets promise callbacks run and the event loop's current phase end (where a batch starts). */
  const settle = async (): Promise<void> => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10; i++) await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  it('starts a lone send at the end of the current event-loop phase, with no timer', async () => {
    void send('room-a', 'one');
    expect(jest.getTimerCount()).toBe(0);
    await settle();
    expect(started).toHaveLength(1);
    expect(started[0].contents).toEqual(['one']);
  });

  it('sends that arrive in the same event-loop phase go in one batch', async () => {
    void send('room-a', 'a1');
    void send('room-b', 'b1');
    await settle();
    expect(started.map((b) => b.contents)).toEqual([['a1', 'b1']]);
  });

  it('gathers the sends that arrive while a batch commits into the next one, in arrival order', async () => {
    const first = send('room-a', 'a1');
    await settle();
    const later = [send('room-b', 'b1'), send('room-a', 'a2'), send('room-c', 'c1')];
    expect(started).toHaveLength(1);
    jest.advanceTimersByTime(5);
    started[0].commit();
    await first;
    await settle();
    expect(started).toHaveLength(2);
    expect(started[1].contents).toEqual(['b1', 'a2', 'c1']);
    started[1].commit();
    await Promise.all(later);
  });

  it('never starts a second batch beside a slow one, however long it takes, and adds no timer', async () => {
    const first = send('room-a', 'a1');
    await settle();
    void send('room-b', 'b1');
    void send('room-a', 'a2');
    jest.advanceTimersByTime(60_000);
    expect(started).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    started[0].commit();
    await first;
    await settle();
    // Everything that arrived meanwhile goes next, together, in arrival order (room-a's seqs follow it).
    expect(started.map((b) => b.contents)).toEqual([['a1'], ['b1', 'a2']]);
  });

  it(`takes at most ${MAX_BATCH} sends per batch and the backlog in arrival order`, async () => {
    const first = send('room-a', 'a0');
    await settle();
    const backlog = 1000;
    for (let i = 1; i <= backlog; i++) void send(`room-${i % 7}`, `m${i}`);
    expect(started).toHaveLength(1);
    started[0].commit();
    await first;
    await settle();
    expect(started[1].contents).toHaveLength(MAX_BATCH);
    expect(started[1].contents.slice(0, 3)).toEqual(['m1', 'm2', 'm3']);
    for (let b = 1; started.flatMap((x) => x.contents).length < backlog + 1; b++) {
      started[b].commit();
      await settle();
    }
    // Nothing lost or reordered.
    expect(started.flatMap((x) => x.contents)).toEqual(['a0', ...Array.from({ length: backlog }, (_, i) => `m${i + 1}`)]);
  });
});

function pending(roomId: string, content: string): PendingSend {
  return { roomId, senderId: 'user-1', content, replyToId: null, clientMsgId: null };
}

function storedRow(ord: number, s: BatchSendRow, seq: number): BatchOutcomeRow {
  return {
    ord,
    outcome: 'stored',
    room_type: 'public',
    id: `message-${seq}`,
    room_id: s.roomId,
    seq,
    updated_seq: seq,
    type: 'text',
    content: s.content,
    client_msg_id: null,
    created_at: new Date(0),
    edited_at: null,
    deleted_at: null,
    sender_id: s.senderId,
    sender_username: 'user',
    sender_display_name: 'User',
    sender_avatar_url: null,
    sender_deleted_at: null,
    reply_to_id: null,
    reply_sender_id: null,
    reply_content: null,
    reply_deleted_at: null,
    attachments: null,
    reactions: null,
  };
}
