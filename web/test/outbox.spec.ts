import { SocketError } from '../src/api/socket';
import type { Message } from '../src/api/types';
import { Outbox, outcomeOf, type PendingMessage } from '../src/state/outbox';

function harness(online = true) {
  const sent: PendingMessage[] = [];
  const delivered: Message[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let answer: (p: PendingMessage) => Promise<Message> = async (p) => ({ id: `m-${p.client_msg_id}`, client_msg_id: p.client_msg_id }) as unknown as Message;
  const state = { online };
  const outbox = new Outbox({
    isOnline: () => state.online,
    send: (p) => {
      sent.push({ ...p });
      return answer(p);
    },
    delivered: (m) => delivered.push(m),
    changed: () => undefined,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => timers.splice(0),
  });
  const add = (id: string) => outbox.add({ client_msg_id: id, room_id: 'r1', content: `text ${id}`, reply_to: null, attachments: [], created_at: '2026-01-01T00:00:00.000Z' });
  const flushPromises = () => new Promise((r) => setImmediate(r));
  return { outbox, sent, delivered, timers, state, add, flushPromises, setAnswer: (f: typeof answer) => (answer = f) };
}

describe('Outbox (unsent messages, retried until the server stores them)', () => {
  it('sends at once when online and forgets the message once acknowledged', async () => {
    const h = harness();
    h.add('a');
    await h.flushPromises();
    expect(h.sent.map((p) => p.client_msg_id)).toEqual(['a']);
    expect(h.delivered).toHaveLength(1);
    expect(h.outbox.of('r1')).toEqual([]);
  });

  it('keeps messages queued while offline and sends them, with the same client_msg_id, on flush', async () => {
    const h = harness(false);
    h.add('a');
    h.add('b');
    await h.flushPromises();
    expect(h.sent).toEqual([]);
    expect(h.outbox.of('r1').map((p) => p.status)).toEqual(['queued', 'queued']);
    h.state.online = true;
    h.outbox.flush();
    await h.flushPromises();
    expect(h.sent.map((p) => p.client_msg_id)).toEqual(['a', 'b']);
    expect(h.outbox.of('r1')).toEqual([]);
  });

  it('a connection lost mid-send stays queued (the server dedupes the resend)', async () => {
    const h = harness();
    h.setAnswer(() => Promise.reject(new SocketError('CONNECTION_LOST', 'lost')));
    h.add('a');
    await h.flushPromises();
    expect(h.outbox.of('r1')[0]).toMatchObject({ status: 'queued', error: null });
    expect(h.timers).toEqual([]);
    h.setAnswer(async (p) => ({ id: 'm', client_msg_id: p.client_msg_id }) as unknown as Message);
    h.outbox.flush();
    await h.flushPromises();
    expect(h.sent.map((p) => p.client_msg_id)).toEqual(['a', 'a']);
    expect(h.outbox.of('r1')).toEqual([]);
  });

  it('waits out a rate limit for the time the server asked, then retries', async () => {
    const h = harness();
    h.setAnswer(() => Promise.reject(new SocketError('RATE_LIMITED', 'slow down', 2500)));
    h.add('a');
    await h.flushPromises();
    expect(h.outbox.of('r1')[0]).toMatchObject({ status: 'queued', error: 'Sending too fast; retrying in 3 s.' });
    expect(h.timers.map((t) => t.ms)).toEqual([2500]);
    h.setAnswer(async (p) => ({ id: 'm', client_msg_id: p.client_msg_id }) as unknown as Message);
    h.timers[0].fn();
    await h.flushPromises();
    expect(h.outbox.of('r1')).toEqual([]);
  });

  it('marks a refused message failed; Retry sends it again and Discard drops it', async () => {
    const h = harness();
    h.setAnswer(() => Promise.reject(new SocketError('VALIDATION_FAILED', 'content must be at most 4000 characters')));
    h.add('a');
    await h.flushPromises();
    expect(h.outbox.of('r1')[0]).toMatchObject({ status: 'failed', error: 'content must be at most 4000 characters' });
    h.outbox.flush();
    await h.flushPromises();
    expect(h.sent).toHaveLength(1);
    h.outbox.retry('a');
    await h.flushPromises();
    expect(h.sent).toHaveLength(2);
    h.outbox.discard('a');
    expect(h.outbox.of('r1')).toEqual([]);
  });

  it('settles a message that arrived by another path (live echo or sync)', () => {
    const h = harness(false);
    h.add('a');
    h.outbox.settle('a');
    h.outbox.settle(null);
    expect(h.outbox.of('r1')).toEqual([]);
  });

  it('classifies errors', () => {
    expect(outcomeOf(new SocketError('TIMEOUT', 't'))).toEqual({ status: 'queued', retryInMs: 3000, error: null });
    expect(outcomeOf(new SocketError('NOT_CONNECTED', 'n'))).toEqual({ status: 'queued', retryInMs: null, error: null });
    expect(outcomeOf(new SocketError('RATE_LIMITED', 'r'))).toMatchObject({ status: 'queued', retryInMs: 1000 });
    expect(outcomeOf(new SocketError('NOT_A_MEMBER', 'You are not a member of this room.'))).toEqual({ status: 'failed', error: 'You are not a member of this room.' });
    expect(outcomeOf(new Error('boom'))).toMatchObject({ status: 'queued' });
  });
});
