import type { DataSource } from 'typeorm';
import type { GroupCommitPool } from '../database/group-commit-pool';
import { MAX_FLUSHES_IN_FLIGHT, MIN_BATCH_INTERVAL_MS, MessageBatchWriter, PendingSend, SECOND_FLUSH_AFTER_MS } from './message-batch-writer';
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
    jest.useFakeTimers({ now: 1_000_000 });
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
  /** Lets promise callbacks run (the writer continues after the statement's promise resolves). */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('starts a lone send at once, with no added delay', () => {
    void send('room-a', 'one');
    expect(started).toHaveLength(1);
    expect(started[0].contents).toEqual(['one']);
  });

  it('gathers the sends that arrive while a batch commits into the next one, in arrival order', async () => {
    const first = send('room-a', 'a1');
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

  it(`starts a second batch beside a slow one only after ${SECOND_FLUSH_AFTER_MS} ms, and never for a room the slow one holds`, async () => {
    void send('room-a', 'a1');
    void send('room-b', 'b1');
    void send('room-a', 'a2');
    jest.advanceTimersByTime(SECOND_FLUSH_AFTER_MS - 1);
    expect(started).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(started).toHaveLength(MAX_FLUSHES_IN_FLIGHT);
    // room-a's second send waits for the batch holding room-a: its seqs follow arrival order.
    expect(started[1].contents).toEqual(['b1']);
    started[0].commit();
    await settle();
    // b1 is still in flight, alone now: a2 may start beside it after the same delay.
    jest.advanceTimersByTime(SECOND_FLUSH_AFTER_MS - 1);
    expect(started).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(started.map((b) => b.contents)).toEqual([['a1'], ['b1'], ['a2']]);
  });

  it(`under steady load starts batches at most every ${MIN_BATCH_INTERVAL_MS} ms, and no later than that`, async () => {
    void send('room-a', 'a1');
    // The first batch commits within a millisecond; a send is already waiting.
    void send('room-b', 'b1');
    started[0].commit();
    await settle();
    expect(started).toHaveLength(1);
    void send('room-c', 'c1');
    jest.advanceTimersByTime(MIN_BATCH_INTERVAL_MS - 1);
    expect(started).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(started).toHaveLength(2);
    expect(started[1].contents).toEqual(['b1', 'c1']);
    expect(started[1].startedAt - started[0].startedAt).toBe(MIN_BATCH_INTERVAL_MS);
  });

  it('does not hold a waiting send for the second-batch delay once the batch in flight has committed', async () => {
    void send('room-a', 'a1');
    // Arrives while a1 is in flight: a second batch would have to wait SECOND_FLUSH_AFTER_MS.
    void send('room-b', 'b1');
    jest.advanceTimersByTime(1);
    started[0].commit();
    await settle();
    // a1 has committed: b1 goes as soon as the batch spacing allows, not after the 20 ms timer.
    jest.advanceTimersByTime(MIN_BATCH_INTERVAL_MS);
    expect(started).toHaveLength(2);
    expect(started[1].contents).toEqual(['b1']);
  });

  it('queues sends to rooms a batch holds without looking at the backlog again, and still starts a free room at once', async () => {
    void send('room-a', 'a1');
    jest.advanceTimersByTime(SECOND_FLUSH_AFTER_MS);
    // The batch in flight holds room-a; every room in the backlog is busy.
    const busyRooms = (writer as unknown as { busyRooms: Set<string> }).busyRooms;
    const looks = jest.spyOn(busyRooms, 'has');
    const backlog = 1000;
    for (let i = 0; i < backlog; i++) void send('room-a', `a${i + 2}`);
    // Work per send stays constant: one look at the send's own room, not one per queued send
    // (looking at the whole backlog on every send made this 500,000).
    expect(looks.mock.calls.length).toBeLessThan(3 * backlog);
    looks.mockRestore();
    expect(started).toHaveLength(1);
    void send('room-b', 'b1');
    expect(started.map((b) => b.contents)).toEqual([['a1'], ['b1']]);
    started[0].commit();
    await settle();
    jest.advanceTimersByTime(SECOND_FLUSH_AFTER_MS);
    // Nothing was lost: room-a's backlog goes next, in arrival order, up to the batch size.
    expect(started).toHaveLength(3);
    expect(started[2].contents[0]).toBe('a2');
    expect(started[2].contents.slice(0, 3)).toEqual(['a2', 'a3', 'a4']);
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
