import type { Message, Room } from '../src/api/types';
import { firstUnreadId, roomAfterMessage, roomAfterRead, totalUnread } from '../src/state/unread';

const room = (over: Partial<Room> = {}): Room => ({ id: 'r', type: 'public', name: 'r', description: null, owner_id: 'o', owner: null, member_count: 2, created_at: '2026-01-01T00:00:00.000Z', last_seq: 10, my_role: 'member', unread_count: 0, ...over });
const msg = (seq: number, sender = 'other', over: Partial<Message> = {}): Message =>
  ({ id: `m${seq}`, room_id: 'r', seq, updated_seq: seq, sender: { id: sender, username: sender, display_name: sender, avatar_url: null }, type: 'text', content: `#${seq}`, reply_to: null, attachments: [], reactions: [], client_msg_id: null, created_at: '2026-01-01T00:00:00.000Z', edited_at: null, deleted_at: null, ...over }) as Message;

describe('unread counts', () => {
  it('a new message from someone else in a room not being watched adds one', () => {
    const next = roomAfterMessage(room(), msg(11), false, false, false);
    expect(next).toMatchObject({ unread_count: 1, last_seq: 11, last_message: { id: 'm11' } });
  });

  it('my own messages, edits, deletes, old seqs and history pages never add', () => {
    expect(roomAfterMessage(room(), msg(11, 'me'), true, false, false).unread_count).toBe(0);
    expect(roomAfterMessage(room(), msg(11, 'other', { edited_at: '2026-01-01T00:00:01.000Z' }), false, false, false).unread_count).toBe(0);
    expect(roomAfterMessage(room(), msg(11, 'other', { deleted_at: '2026-01-01T00:00:01.000Z' }), false, false, false).unread_count).toBe(0);
    expect(roomAfterMessage(room(), msg(9), false, false, false).unread_count).toBe(0);
    expect(roomAfterMessage(room(), msg(11), false, false, true).unread_count).toBe(0);
  });

  it('the same message twice (ack and echo) counts once', () => {
    const once = roomAfterMessage(room(), msg(11), false, false, false);
    expect(roomAfterMessage(once, msg(11), false, false, false).unread_count).toBe(1);
  });

  it('watching the room clears the count', () => {
    expect(roomAfterMessage(room({ unread_count: 4 }), msg(11), false, true, false).unread_count).toBe(0);
  });

  it('a read on another device clears it when it reaches the newest message, and the server count wins', () => {
    expect(roomAfterRead(room({ unread_count: 3 }), 10).unread_count).toBe(0);
    expect(roomAfterRead(room({ unread_count: 3 }), 8).unread_count).toBe(3);
    expect(roomAfterRead(room({ unread_count: 3 }), 8, 1).unread_count).toBe(1);
  });

  it('sums rooms for the tab title', () => {
    expect(totalUnread([room({ unread_count: 2 }), room({ unread_count: undefined }), room({ unread_count: 5 })])).toBe(7);
  });

  it('a system line (join, leave, rename) never adds, but becomes the last message', () => {
    const line = msg(11, 'other', { type: 'system', content: null, system: { event: 'member_joined', user_id: 'other' } });
    const next = roomAfterMessage(room({ unread_count: 2 }), line, false, false, false);
    expect(next).toMatchObject({ unread_count: 2, last_seq: 11, last_message: { id: 'm11' } });
  });

  it('does not count system lines when placing the "new messages" divider', () => {
    const line = (seq: number) => msg(seq, 'other', { type: 'system', content: null, system: { event: 'member_left', user_id: 'other' } });
    const list = [msg(1), msg(2), line(3), msg(4), line(5)];
    expect(firstUnreadId(list, 2, 'me')).toBe('m2');
    expect(firstUnreadId([line(1), line(2)], 5, 'me')).toBeNull();
  });

  it('puts the "new messages" divider before the oldest unread message from someone else', () => {
    const list = [msg(1), msg(2), msg(3, 'me'), msg(4), msg(5, 'me'), msg(6)];
    expect(firstUnreadId(list, 2, 'me')).toBe('m4');
    expect(firstUnreadId(list, 0, 'me')).toBeNull();
    expect(firstUnreadId(list, 99, 'me')).toBe('m1');
  });
});
