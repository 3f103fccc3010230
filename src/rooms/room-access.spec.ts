import { AppError } from '../common/errors/app-error';
import { RoomNeed, requireRoomAccess } from './room-access';
import { RoomRole, RoomType } from './room.types';

/** The error code requireRoomAccess throws for a room, or 'ok'. */
function outcome(type: RoomType, role: RoomRole | null, need: RoomNeed): string {
  try {
    requireRoomAccess({ type, my_role: role }, need);
    return 'ok';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

describe('requireRoomAccess (the one room-access rule)', () => {
  it('hides unknown rooms and other people’s private rooms and DMs behind 404', () => {
    expect(() => requireRoomAccess(null, 'visible')).toThrow(AppError);
    for (const need of ['visible', 'member', 'admin', 'owner'] as const) {
      expect(outcome('private', null, need)).toBe('ROOM_NOT_FOUND');
      expect(outcome('dm', null, need)).toBe('ROOM_NOT_FOUND');
    }
  });

  it('shows public rooms to everyone but needs a membership to act in them', () => {
    expect(outcome('public', null, 'visible')).toBe('ok');
    expect(outcome('public', null, 'member')).toBe('NOT_A_MEMBER');
    expect(outcome('public', null, 'admin')).toBe('NOT_A_MEMBER');
  });

  it('lets owners and admins administer, and only owners own', () => {
    const table: [RoomRole, RoomNeed, string][] = [
      ['member', 'member', 'ok'],
      ['member', 'admin', 'FORBIDDEN'],
      ['admin', 'admin', 'ok'],
      ['admin', 'owner', 'FORBIDDEN'],
      ['owner', 'admin', 'ok'],
      ['owner', 'owner', 'ok'],
    ];
    for (const [role, need, expected] of table) {
      expect(outcome('private', role, need)).toBe(expected);
      expect(outcome('public', role, need)).toBe(expected);
    }
  });

  it('gives a DM no administrators: its members may read and write, nobody may administer it', () => {
    expect(outcome('dm', 'member', 'member')).toBe('ok');
    expect(outcome('dm', 'member', 'admin')).toBe('FORBIDDEN');
    expect(outcome('dm', 'owner', 'owner')).toBe('FORBIDDEN');
  });
});
