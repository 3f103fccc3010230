import type { Message, Room } from '../src/api/types';
import { levelOf, shouldNotify, unreadBadge } from '../src/state/levels';

const room = (patch: Partial<Room>): Room => ({ id: 'r', type: 'public', ...patch }) as Room;
const msg = (patch: Partial<Message>): Message => ({ id: 'm', room_id: 'r', seq: 1, type: 'text', content: 'hi', sender: { id: 'alice' }, attachments: [], reactions: [], ...patch }) as unknown as Message;

describe('notification levels in the client', () => {
  it('defaults to all for DMs and mentions for rooms', () => {
    expect(levelOf(room({ type: 'dm' }))).toBe('all');
    expect(levelOf(room({}))).toBe('mentions');
    expect(levelOf(room({ notification_level: 'none' }))).toBe('none');
  });

  it('makes the unread badge loud, quiet or hidden by level and mentions', () => {
    expect(unreadBadge(room({ unread_count: 0, notification_level: 'all' }))).toBe('hidden');
    expect(unreadBadge(room({ unread_count: 3, notification_level: 'all' }))).toBe('loud');
    expect(unreadBadge(room({ unread_count: 3 }))).toBe('quiet');
    expect(unreadBadge(room({ unread_count: 3, mention_count: 1 }))).toBe('loud');
    expect(unreadBadge(room({ unread_count: 3, mention_count: 1, notification_level: 'none' }))).toBe('hidden');
    expect(unreadBadge(room({ type: 'dm', unread_count: 1 }))).toBe('loud');
  });

  it('notifies DMs, mentions and level-all rooms, never my own, system, edited messages or level none', () => {
    expect(shouldNotify(room({ type: 'dm' }), msg({}), 'bob')).toBe(true);
    expect(shouldNotify(room({}), msg({}), 'bob')).toBe(false);
    expect(shouldNotify(room({}), msg({ mentions: ['bob'] }), 'bob')).toBe(true);
    expect(shouldNotify(room({ notification_level: 'all' }), msg({}), 'bob')).toBe(true);
    expect(shouldNotify(room({ notification_level: 'none' }), msg({ mentions: ['bob'] }), 'bob')).toBe(false);
    expect(shouldNotify(room({ type: 'dm' }), msg({ sender: { id: 'bob' } as Message['sender'] }), 'bob')).toBe(false);
    expect(shouldNotify(room({ type: 'dm' }), msg({ type: 'system' } as Partial<Message>), 'bob')).toBe(false);
    expect(shouldNotify(room({ type: 'dm' }), msg({ edited_at: '2026-01-01T00:00:00Z' }), 'bob')).toBe(false);
    expect(shouldNotify(room({ type: 'dm' }), msg({}), undefined)).toBe(false);
  });
});
