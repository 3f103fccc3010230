import type { Message } from '../src/api/types';
import { Conversation } from '../src/state/conversation';

const msg = (seq: number, over: Partial<Message> = {}): Message =>
  ({ id: `m${seq}`, room_id: 'r', seq, updated_seq: seq, sender: { id: 'u', username: 'u', display_name: 'U', avatar_url: null }, type: 'text', content: `#${seq}`, reply_to: null, attachments: [], reactions: [], client_msg_id: null, created_at: '2026-01-01T00:00:00.000Z', edited_at: null, deleted_at: null, ...over }) as Message;

describe('Conversation (the window of messages held for one room)', () => {
  it('keeps seq order whatever the arrival order, and no duplicates', () => {
    const c = new Conversation('r');
    c.loadPage([msg(1), msg(2)], false, false, 2);
    c.accept(msg(4), 'live');
    c.accept(msg(3), 'live');
    c.accept(msg(4), 'sync');
    expect(c.list().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(c.cursor.value).toBe(4);
  });

  it('replaces a message only by a newer version (an old echo cannot undo an edit)', () => {
    const c = new Conversation('r');
    c.loadPage([msg(1)], false, false, 1);
    c.accept(msg(1, { content: 'edited', updated_seq: 3, edited_at: 'x' }), 'live');
    c.accept(msg(1, { content: 'stale', updated_seq: 1 }), 'sync');
    expect(c.get('m1')?.content).toBe('edited');
  });

  it('does not add messages older than the window (paging brings them) nor unknown tombstones', () => {
    const c = new Conversation('r');
    c.loadPage([msg(50), msg(51)], true, false, 51);
    c.accept(msg(10), 'sync');
    c.accept(msg(52, { deleted_at: 'x', content: null }), 'sync');
    expect(c.list().map((m) => m.seq)).toEqual([50, 51]);
  });

  it('after a jump into the past, newer live messages wait for "jump to latest"', () => {
    const c = new Conversation('r');
    c.loadPage([msg(10), msg(11)], true, true, 100);
    c.accept(msg(101), 'live');
    expect(c.list().map((m) => m.seq)).toEqual([10, 11]);
    c.extend([msg(12), msg(13)], 'newer', false);
    expect(c.hasNewer).toBe(false);
    c.accept(msg(102), 'live');
    expect(c.list().map((m) => m.seq)).toEqual([10, 11, 12, 13, 102]);
  });

  it('the cursor skips no gap: a live message after lost frames leaves it for sync', () => {
    const c = new Conversation('r');
    c.loadPage([msg(1)], false, false, 1);
    c.accept(msg(3), 'live');
    expect(c.cursor.value).toBe(1);
    c.accept(msg(2), 'sync');
    c.cursor.advanceTo(2);
    expect(c.cursor.value).toBe(3);
  });

  it('applies reactions with their counter value', () => {
    const c = new Conversation('r');
    c.loadPage([msg(1)], false, false, 1);
    c.react('m1', [{ emoji: '👍', count: 1, me: true }], 2);
    expect(c.get('m1')?.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    expect(c.cursor.value).toBe(2);
  });
});
