import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { containsPattern } from '../database/like-pattern';
import { and, execute, firstRow, keyset, Queryable, rows, rowsPlannedForValues, SqlParams, statement } from '../database/sql';
import { MESSAGE_JOINS, MessageRow, messageColumns } from '../messages/messages.repository';
import { NotificationLevel } from './notification-level';
import { RoomRole, RoomType } from './room.types';

/** A room row with the caller's membership, as the room queries return it. */
export interface RoomRow {
  id: string;
  type: RoomType;
  name: string | null;
  description: string | null;
  owner_id: string | null;
  member_count: number;
  last_seq: number;
  created_at: Date;
  last_activity_at: Date;
  /** Full-precision text of created_at / last_activity_at, for keyset cursors. */
  created_key: string;
  activity_key: string;
  my_role: RoomRole | null;
  last_read_seq: number | null;
  /** DM rooms: the other member's user row as JSON (see {@link PEER_JOIN}); null otherwise. */
  peer?: PeerRow | null;
}

/**
 * A room row as the responses show it (see {@link OWNER_JOIN}): with the owner's names, so rooms of
 * the same name can be told apart, and the caller's own notification level (NULL = the default).
 */
export interface RoomViewRow extends RoomRow {
  owner_username: string | null;
  owner_display_name: string | null;
  owner_avatar_url: string | null;
  /** Whether the owner's account is disabled or deleted (UserSummary `deactivated`). */
  owner_deactivated: boolean | null;
  notification_level: NotificationLevel | null;
}

/** The other member of a DM, as `row_to_json` of the users columns the User object needs. */
export interface PeerRow {
  id: string;
  username: string;
  email: string | null;
  display_name: string;
  avatar_url: string | null;
  bio: string | null;
  status: string | null;
  last_seen_at: string | null;
  deleted_at: string | null;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

/** A room locked for a change, with the caller's role read under the lock (null: not a member). */
export interface LockedRoomRow {
  type: RoomType;
  role: RoomRole | null;
}

/** A room as server admins list it (`GET /admin/rooms`). */
export interface AdminRoomRow {
  id: string;
  type: RoomType;
  name: string | null;
  owner_id: string | null;
  member_count: number;
  /** rooms.live_count: messages not deleted. */
  message_count: number;
  last_activity_at: Date;
  created_at: Date;
  created_key: string;
}

/** A member of a room with their role. */
export interface MemberRow {
  user_id: string;
  role: RoomRole;
  joined_at: Date;
  /** Full-precision text of joined_at, for keyset cursors. */
  joined_key: string;
}

/** A room row of `rooms/me`, with unread count and the last message. */
export interface MyRoomRow extends RoomViewRow {
  unread_count: number;
  mention_count: number;
  last_message: MessageRow | null;
}

const ROOM_COLUMNS = `r.id, r.type, r.name, r.description, r.owner_id, r.member_count, r.last_seq, r.created_at, r.last_activity_at,
  r.created_at::text AS created_key, r.last_activity_at::text AS activity_key`;

/**
 * The owner's names and the caller's notification level for a room view (`r` the room, `m` the
 * caller's membership or NULL): one primary-key lookup of the owner per room.
 */
const VIEW_COLUMNS = `o.username AS owner_username, o.display_name AS owner_display_name, o.avatar_url AS owner_avatar_url,
  (o.disabled_at IS NOT NULL OR o.deleted_at IS NOT NULL) AS owner_deactivated, m.notification_level`;
const OWNER_JOIN = `LEFT JOIN users o ON o.id = r.owner_id`;

/**
 * The other member of a DM room, for the viewer whose id is bound at `viewer` (a uuid placeholder):
 * at most one row through the room_members primary key, and only for rooms of type dm.
 */
const peerJoin = (viewer: string): string => `
  LEFT JOIN LATERAL (
    SELECT row_to_json(pu) AS peer FROM (
      SELECT u.id, u.username, NULL::text AS email, u.display_name, u.avatar_url, u.bio, u.status, u.last_seen_at,
             u.deleted_at, u.disabled_at, u.created_at, u.updated_at
      FROM room_members pm JOIN users u ON u.id = pm.user_id
      WHERE pm.room_id = r.id AND pm.user_id <> ${viewer} LIMIT 1) pu
  ) p ON r.type = 'dm'`;

/**
 * The unread count of a membership (`r` the room, `m` the membership): other people's live messages
 * after the read pointer, from the counters every send, delete, read and join keeps exact (see the
 * UnreadCounters migration), so it costs the same whatever the backlog.
 */
export const UNREAD_COUNT_SQL = `(r.live_count - m.read_live - m.own_unread)`;

/**
 * The mention count of a membership (`m`): live messages of other people after the read pointer
 * that mention the member — the member's range of message_mentions above the pointer, so it costs
 * the number of unread mentions, never the unread backlog (see the Mentions migration).
 */
export const MENTION_COUNT_SQL = `(SELECT count(*) FROM message_mentions mm WHERE mm.room_id = m.room_id AND mm.user_id = m.user_id AND mm.seq > m.last_read_seq)`;

/**
 * The member-only fields of a room (`m` is the caller's room_members row, null for outsiders): the
 * unread count ({@link UNREAD_COUNT_SQL}), the mention count ({@link MENTION_COUNT_SQL}) and the last
 * live message. All NULL for non-members.
 * @param viewer uuid placeholder of the caller's id (for `reactions[].me` of the last message)
 */
function memberColumns(viewer: string): string {
  return `
    CASE WHEN m.user_id IS NULL THEN NULL ELSE ${UNREAD_COUNT_SQL} END AS unread_count,
    CASE WHEN m.user_id IS NULL THEN NULL ELSE ${MENTION_COUNT_SQL} END AS mention_count,
    CASE WHEN m.user_id IS NULL THEN NULL ELSE (SELECT row_to_json(lm) FROM (
      SELECT ${messageColumns(viewer)} FROM messages m ${MESSAGE_JOINS}
      WHERE m.room_id = r.id AND m.deleted_at IS NULL ORDER BY m.seq DESC LIMIT 1) lm) END AS last_message`;
}

/** The SQL of rooms and room members. */
@Injectable()
export class RoomsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts a room. @returns its id. */
  async insertRoom(
    tx: Queryable,
    fields: { type: RoomType; name: string | null; description: string | null; ownerId: string | null },
  ): Promise<string> {
    const row = await firstRow<{ id: string }>(
      tx,
      statement('rooms_insert', `INSERT INTO rooms (type, name, description, owner_id) VALUES ($1, $2, $3, $4) RETURNING id`, [
        fields.type,
        fields.name,
        fields.description,
        fields.ownerId,
      ]),
    );
    return row!.id;
  }

  /**
   * Adds a member; a second add of the same user changes nothing. The read pointer starts at 0, so
   * the member's own live messages in the room (a returning member may have some; system lines are
   * never counted) are all after it.
   * Call under the room lock (every caller holds it, or made the room in the same transaction), so no
   * message is stored or deleted between that count and the insert.
   * @returns true when the membership is new (member_count was incremented in the same statement).
   */
  async addMember(tx: Queryable, roomId: string, userId: string, role: RoomRole): Promise<boolean> {
    const added = await execute(
      tx,
      statement(
        'rooms_add_member',
        `WITH added AS (
           INSERT INTO room_members (room_id, user_id, role, own_unread)
           SELECT $1, $2, $3, count(*) FROM messages u WHERE u.room_id = $1 AND u.sender_id = $2 AND u.deleted_at IS NULL AND u.type <> 'system'
           ON CONFLICT DO NOTHING RETURNING room_id)
         UPDATE rooms SET member_count = member_count + 1 FROM added WHERE rooms.id = added.room_id`,
        [roomId, userId, role],
      ),
    );
    return added > 0;
  }

  /** Removes a member, keeping member_count in step. @returns true when there was a membership to remove. */
  async removeMember(tx: Queryable, roomId: string, userId: string): Promise<boolean> {
    const removed = await execute(
      tx,
      statement(
        'rooms_remove_member',
        `WITH removed AS (DELETE FROM room_members WHERE room_id = $1 AND user_id = $2 RETURNING room_id)
         UPDATE rooms SET member_count = member_count - 1 FROM removed WHERE rooms.id = removed.room_id`,
        [roomId, userId],
      ),
    );
    return removed > 0;
  }

  /** A room with the given user's role in it (null when not a member); null when the room does not exist. */
  findRoomForUser(roomId: string, userId: string): Promise<RoomRow | null> {
    const p = new SqlParams();
    const room = p.bind(roomId);
    const user = p.bind(userId, 'uuid');
    return firstRow<RoomRow>(
      this.db,
      p.statement(
        'rooms_for_user',
        `SELECT ${ROOM_COLUMNS}, m.role AS my_role, m.last_read_seq, p.peer
         FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ${user}
         ${peerJoin(user)}
         WHERE r.id = ${room}`,
      ),
    );
  }

  /**
   * A room as the caller sees it in responses (`GET /rooms/:id`, join, DM creation): like
   * {@link findRoomForUser}, plus the member-only unread count and last message.
   */
  findRoomViewForUser(roomId: string, userId: string): Promise<MyRoomRow | null> {
    const p = new SqlParams();
    const room = p.bind(roomId);
    const user = p.bind(userId, 'uuid');
    return firstRow<MyRoomRow>(
      this.db,
      p.statement(
        'rooms_view_for_user',
        `SELECT ${ROOM_COLUMNS}, m.role AS my_role, m.last_read_seq, p.peer, ${VIEW_COLUMNS}, ${memberColumns(user)}
         FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ${user}
         ${peerJoin(user)}
         ${OWNER_JOIN}
         WHERE r.id = ${room}`,
      ),
    );
  }

  /**
   * One page of public rooms, newest first, optionally only those whose name contains `q`
   * (case-insensitive, `%` and `_` literal; planned for the text, see {@link rowsPlannedForValues}: a
   * rare one is served by the trigram index rooms_public_name_trgm_idx).
   * Keyset pagination on (created_at, id) served by rooms_public_created_idx.
   * @param after the (created_key, id) cursor of the previous page's last row
   */
  findPublicPage(userId: string, q: string | undefined, limit: number, after: [string, string] | null): Promise<RoomViewRow[]> {
    const p = new SqlParams();
    const user = p.bind(userId);
    const where = and(
      `r.type = 'public'`,
      q !== undefined && `lower(r.name) LIKE lower(${p.bind(containsPattern(q))})`,
      keyset(p, [{ expr: 'r.created_at', part: 'timestamp' }, { expr: 'r.id', part: 'uuid' }], after, 'desc'),
    );
    const page = p.statement(
      'rooms_public_page',
      `SELECT ${ROOM_COLUMNS}, m.role AS my_role, m.last_read_seq, ${VIEW_COLUMNS}
       FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = ${user}
       ${OWNER_JOIN}
       WHERE ${where}
       ORDER BY r.created_at DESC, r.id DESC
       LIMIT ${p.bind(limit + 1)}`,
    );
    return q !== undefined ? rowsPlannedForValues<RoomViewRow>(this.db, page) : rows<RoomViewRow>(this.db, page);
  }

  /**
   * The user's rooms and DMs (or DMs only), most recent activity first, each with its unread count
   * (other people's non-deleted messages after the read pointer), its last live message and, for DMs,
   * the peer: one query whatever the number of rooms (see docs/queries.md).
   * @param after the (activity_key, id) cursor of the previous page's last row
   */
  findMyRooms(userId: string, limit: number, after: [string, string] | null, dmOnly = false): Promise<MyRoomRow[]> {
    const p = new SqlParams();
    const user = p.bind(userId, 'uuid');
    const where = and(
      `m.user_id = ${user}`,
      dmOnly && `r.type = 'dm'`,
      keyset(p, [{ expr: 'r.last_activity_at', part: 'timestamp' }, { expr: 'r.id', part: 'uuid' }], after, 'desc'),
    );
    return rows<MyRoomRow>(
      this.db,
      p.statement(
        'rooms_mine',
        `SELECT ${ROOM_COLUMNS}, m.role AS my_role, m.last_read_seq, p.peer, ${VIEW_COLUMNS}, ${memberColumns(user)}
         FROM room_members m JOIN rooms r ON r.id = m.room_id
         ${peerJoin(user)}
         ${OWNER_JOIN}
         WHERE ${where}
         ORDER BY r.last_activity_at DESC, r.id DESC
         LIMIT ${p.bind(limit + 1)}`,
      ),
    );
  }

  /** Ids of every room the user belongs to (routing a newly authenticated socket, presence). */
  async roomIdsOfUser(userId: string): Promise<string[]> {
    const found = await rows<{ room_id: string }>(this.db, statement('rooms_ids_of_user', `SELECT room_id FROM room_members WHERE user_id = $1`, [userId]));
    return found.map((r) => r.room_id);
  }

  /**
   * One page of a room's members, in join order.
   * @param after the (joined_key, user_id) cursor of the previous page's last row
   */
  findMembersPage(roomId: string, limit: number, after: [string, string] | null): Promise<MemberRow[]> {
    const p = new SqlParams();
    const where = and(
      `room_id = ${p.bind(roomId)}`,
      keyset(p, [{ expr: 'joined_at', part: 'timestamp' }, { expr: 'user_id', part: 'uuid' }], after, 'asc'),
    );
    return rows<MemberRow>(
      this.db,
      p.statement(
        'rooms_members_page',
        `SELECT user_id, role, joined_at, joined_at::text AS joined_key FROM room_members WHERE ${where} ORDER BY joined_at, user_id LIMIT ${p.bind(limit + 1)}`,
      ),
    );
  }

  /**
   * A deleted account's rooms (not DMs) pass to the oldest admin, else the oldest other live member;
   * the old owner becomes a member. Rooms with nobody else left keep the tombstone owner.
   * @returns each room handed over, with its new owner.
   */
  handOverOwnedRooms(tx: Queryable, userId: string): Promise<{ room_id: string; owner_id: string }[]> {
    return rows(
      tx,
      statement(
        'rooms_hand_over_owned',
        `WITH owned AS (SELECT id FROM rooms WHERE owner_id = $1 AND type <> 'dm' ORDER BY id FOR UPDATE),
         heir AS (
           SELECT DISTINCT ON (m.room_id) m.room_id, m.user_id
           FROM room_members m JOIN owned o ON o.id = m.room_id JOIN users u ON u.id = m.user_id
           WHERE m.user_id <> $1 AND u.deleted_at IS NULL
           ORDER BY m.room_id, (m.role = 'admin') DESC, m.joined_at, m.user_id),
         promoted AS (
           UPDATE room_members m SET role = 'owner' FROM heir h
           WHERE m.room_id = h.room_id AND m.user_id = h.user_id RETURNING m.room_id),
         demoted AS (
           UPDATE room_members SET role = 'member' WHERE user_id = $1 AND room_id IN (SELECT room_id FROM heir) RETURNING room_id)
         UPDATE rooms r SET owner_id = h.user_id FROM heir h WHERE r.id = h.room_id
         RETURNING r.id AS room_id, h.user_id AS owner_id`,
        [userId],
      ),
    );
  }

  /**
   * Locks the room row for the rest of the transaction (every change to a room — messages, members,
   * roles — is serialized here) and reads the user's role under that lock, in one statement.
   * @returns the room's type and the role (null: not a member); null when the room does not exist.
   */
  lockForUser(tx: Queryable, roomId: string, userId: string): Promise<LockedRoomRow | null> {
    return firstRow<LockedRoomRow>(
      tx,
      statement(
        'rooms_lock_for_user',
        `SELECT r.type, m.role FROM rooms r LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2 WHERE r.id = $1 FOR UPDATE OF r`,
        [roomId, userId],
      ),
    );
  }

  /** A member's role, read inside a transaction; null when not a member. */
  async roleOf(tx: Queryable, roomId: string, userId: string): Promise<RoomRole | null> {
    const row = await firstRow<{ role: RoomRole }>(tx, statement('rooms_role_of', `SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2`, [roomId, userId]));
    return row?.role ?? null;
  }

  /** Which of these users are already members of the room. */
  async existingMembers(tx: Queryable, roomId: string, userIds: string[]): Promise<string[]> {
    const found = await rows<{ user_id: string }>(
      tx,
      statement('rooms_existing_members', `SELECT user_id FROM room_members WHERE room_id = $1 AND user_id = ANY($2::uuid[])`, [roomId, userIds]),
    );
    return found.map((r) => r.user_id);
  }

  /** One membership with its role and join time; null when not a member. */
  findMember(q: Queryable, roomId: string, userId: string): Promise<MemberRow | null> {
    return firstRow<MemberRow>(
      q,
      statement('rooms_find_member', `SELECT user_id, role, joined_at, joined_at::text AS joined_key FROM room_members WHERE room_id = $1 AND user_id = $2`, [
        roomId,
        userId,
      ]),
    );
  }

  /**
   * Stores a member's notification level for the room.
   * @returns false when the user is not (or no longer) a member.
   */
  async setNotificationLevel(roomId: string, userId: string, level: NotificationLevel): Promise<boolean> {
    const updated = await execute(
      this.db,
      statement('rooms_set_notification_level', `UPDATE room_members SET notification_level = $3 WHERE room_id = $1 AND user_id = $2`, [roomId, userId, level]),
    );
    return updated > 0;
  }

  /** Sets a member's role. */
  async setRole(tx: Queryable, roomId: string, userId: string, role: RoomRole): Promise<void> {
    await execute(tx, statement('rooms_set_role', `UPDATE room_members SET role = $3 WHERE room_id = $1 AND user_id = $2`, [roomId, userId, role]));
  }

  /** Records who owns the room. */
  async setOwner(tx: Queryable, roomId: string, ownerId: string): Promise<void> {
    await execute(tx, statement('rooms_set_owner', `UPDATE rooms SET owner_id = $2, updated_at = now() WHERE id = $1`, [roomId, ownerId]));
  }

  /**
   * Changes name and/or description (undefined = keep, null = clear the description).
   * @returns the name before the change (under the caller's room lock, so the one this change replaced).
   */
  async updateRoom(tx: Queryable, roomId: string, fields: { name?: string; description?: string | null }): Promise<string | null> {
    const row = await firstRow<{ previous_name: string | null }>(
      tx,
      statement(
        'rooms_update',
        `WITH old AS (SELECT name FROM rooms WHERE id = $1)
         UPDATE rooms SET name = CASE WHEN $2 THEN $3 ELSE name END,
                          description = CASE WHEN $4 THEN $5 ELSE description END,
                          updated_at = now()
         WHERE id = $1 RETURNING (SELECT name FROM old) AS previous_name`,
        [roomId, fields.name !== undefined, fields.name ?? null, fields.description !== undefined, fields.description ?? null],
      ),
    );
    return row?.previous_name ?? null;
  }

  /** Deletes a room; its members, messages, reactions and attachment links go with it (ON DELETE CASCADE). */
  async deleteRoom(tx: Queryable, roomId: string): Promise<void> {
    await execute(tx, statement('rooms_delete', `DELETE FROM rooms WHERE id = $1`, [roomId]));
  }

  /**
   * `GET /admin/rooms`: every room, DMs included, newest first, with its member count and live
   * message count (both counters kept exact by every join, leave, send and delete, so no COUNT over
   * messages); `q` keeps rooms whose name contains it. Returns up to `limit + 1` rows.
   * @param after (created_key, id) of the last row of the previous page
   */
  findAdminPage(q: string | undefined, limit: number, after: [string, string] | null): Promise<AdminRoomRow[]> {
    const p = new SqlParams();
    const where = and(
      q !== undefined && `lower(r.name) LIKE lower(${p.bind(containsPattern(q), 'text')})`,
      keyset(
        p,
        [
          { expr: 'r.created_at', part: 'timestamp' },
          { expr: 'r.id', part: 'uuid' },
        ],
        after,
        'desc',
      ),
    );
    return rows<AdminRoomRow>(
      this.db,
      p.statement(
        'rooms_admin_page',
        `SELECT r.id, r.type, r.name, r.owner_id, r.member_count, r.live_count AS message_count, r.last_activity_at, r.created_at,
                r.created_at::text AS created_key
         FROM rooms r
         WHERE ${where}
         ORDER BY r.created_at DESC, r.id DESC
         LIMIT ${p.bind(limit + 1, 'int')}`,
      ),
    );
  }

  /** Ids of every member of a room (personalised broadcasts). */
  async memberIds(roomId: string): Promise<string[]> {
    const found = await rows<{ user_id: string }>(this.db, statement('rooms_member_ids', `SELECT user_id FROM room_members WHERE room_id = $1`, [roomId]));
    return found.map((r) => r.user_id);
  }
}
