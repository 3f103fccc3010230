import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import type { Queryable } from '../database/sql';
import { RoomRole, RoomType } from './room.types';
import { RoomsRepository } from './rooms.repository';

/**
 * What an action needs of the caller in a room: that it exists (`exists`: server administrators,
 * who need no membership), to see it (`visible`), to belong to it (`member`), to administer it
 * (`admin`: owner or admin), or to own it (`owner`).
 */
export type RoomNeed = 'exists' | 'visible' | 'member' | 'admin' | 'owner';

/** The two facts every room-access decision reads: the room's type and the caller's role (null: not a member). */
export interface RoomAccessFacts {
  type: RoomType;
  my_role: RoomRole | null;
}

/**
 * The one room-access rule. A room that does not exist is a 404 whatever the need (`exists` asks no
 * more: server administrators). A private room or DM is invisible to outsiders (404, not 403); a public
 * room needs a membership to read or write (403); administering needs the owner or an admin, owning
 * the owner, and a DM has neither.
 * @param room the room with the caller's role; null when it does not exist
 * @returns the same room, for chaining
 * @throws AppError ROOM_NOT_FOUND (unknown or invisible), NOT_A_MEMBER (public room not joined),
 *   FORBIDDEN (role too weak, or a DM).
 */
export function requireRoomAccess<T extends RoomAccessFacts>(room: T | null | undefined, need: RoomNeed): T {
  if (!room) throw new AppError('ROOM_NOT_FOUND');
  if (need === 'exists') return room;
  if (room.type !== 'public' && room.my_role === null) throw new AppError('ROOM_NOT_FOUND');
  if (need === 'visible') return room;
  if (room.my_role === null) throw new AppError('NOT_A_MEMBER');
  if (need === 'admin' && (room.type === 'dm' || (room.my_role !== 'owner' && room.my_role !== 'admin'))) {
    throw new AppError('FORBIDDEN', 'Only the owner or an admin of the room may do this.');
  }
  if (need === 'owner' && (room.type === 'dm' || room.my_role !== 'owner')) throw new AppError('FORBIDDEN', 'Only the owner of the room may do this.');
  return room;
}

/** A room locked for the rest of a transaction, with the caller's role read under the lock. */
export interface LockedRoom extends RoomAccessFacts {
  id: string;
}

/**
 * Room access inside a transaction: locks the room row (every change to a room — messages, members,
 * roles, the room itself — is serialized on it), reads the caller's role under that lock and applies
 * {@link requireRoomAccess}, so a kick, demotion or deletion that committed a moment ago wins.
 */
@Injectable()
export class RoomAccess {
  constructor(private readonly rooms: RoomsRepository) {}

  /**
   * Locks the room and checks the caller's access under the lock.
   * @param tx the manager of the running transaction (the lock lasts until it ends)
   * @returns the room's type and the caller's role
   * @throws AppError as {@link requireRoomAccess}
   */
  async lock(tx: Queryable, roomId: string, userId: string, need: RoomNeed): Promise<LockedRoom> {
    const row = await this.rooms.lockForUser(tx, roomId, userId);
    return requireRoomAccess(row && { id: roomId, type: row.type, my_role: row.role }, need);
  }
}
