import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { firstRow, Queryable, rows, statement } from '../database/sql';

/** Most users one account may block; the block list (`GET /auth/blocks`) is one page of at most this many. */
export const MAX_BLOCKS_PER_USER = 1000;

/**
 * SQL that is true when the two users of a DM blocked one another in either direction, from the
 * room's `dm_key` (`"<uuid>:<uuid>"`, see dmKeyOf); false for rooms without one. Two scalar probes of
 * the user_blocks primary key, so it plans as index lookups inside the cached generic plan of the
 * group-commit statement too.
 * @param dmKey SQL expression of rooms.dm_key
 */
export const DM_BLOCKED = (dmKey: string): string => `
  CASE WHEN ${dmKey} IS NULL THEN false ELSE coalesce(
    (SELECT true FROM user_blocks ub WHERE ub.blocker_id = split_part(${dmKey}, ':', 1)::uuid AND ub.blocked_id = split_part(${dmKey}, ':', 2)::uuid),
    (SELECT true FROM user_blocks ub WHERE ub.blocker_id = split_part(${dmKey}, ':', 2)::uuid AND ub.blocked_id = split_part(${dmKey}, ':', 1)::uuid),
    false) END`;

/** What {@link BlocksRepository.insert} found. */
export type BlockInsertOutcome = 'blocked' | 'already_blocked' | 'no_user' | 'limit_reached';

/** A blocked user as the block list shows them. */
export interface BlockedUserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  /** True when the account is disabled or deleted. */
  deactivated: boolean;
  blocked_at: Date;
}

/**
 * The SQL of user_blocks (see the UserBlocks migration), in the repositories' one style
 * (docs/queries.md, "Data access"): each question is one named statement.
 */
@Injectable()
export class BlocksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records that `blockerId` blocked `blockedId`, unless the target is unknown or deleted, already
   * blocked, or the blocker is at {@link MAX_BLOCKS_PER_USER} (checked without a lock: two
   * concurrent blocks at the limit may both pass, which only lets the list grow by one or two).
   */
  async insert(blockerId: string, blockedId: string): Promise<BlockInsertOutcome> {
    const row = (await firstRow<{ found: boolean; existed: boolean; inserted: boolean; at_limit: boolean }>(
      this.db,
      statement(
        'blocks_insert',
        `WITH target AS (SELECT id FROM users WHERE id = $2::uuid AND deleted_at IS NULL),
              full_list AS (SELECT count(*) >= $3::int AS at_limit FROM (SELECT 1 FROM user_blocks WHERE blocker_id = $1::uuid LIMIT $3::int) b),
              ins AS (
                INSERT INTO user_blocks (blocker_id, blocked_id)
                SELECT $1::uuid, t.id FROM target t, full_list f WHERE NOT f.at_limit
                ON CONFLICT DO NOTHING RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM target) AS found,
                EXISTS (SELECT 1 FROM user_blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid) AS existed,
                EXISTS (SELECT 1 FROM ins) AS inserted,
                (SELECT at_limit FROM full_list) AS at_limit`,
        [blockerId, blockedId, MAX_BLOCKS_PER_USER],
      ),
    ))!;
    if (!row.found) return 'no_user';
    if (row.inserted) return 'blocked';
    // The statement's snapshot predates its own insert: `existed` is a repeat; a twin request that
    // committed meanwhile (neither existed nor inserted) is a repeat too.
    return row.at_limit && !row.existed ? 'limit_reached' : 'already_blocked';
  }

  /**
   * Removes a block (unblocking a deleted account is allowed, so a stale entry can be cleared).
   * @returns `no_user` when no account has that id, else whether a row was removed.
   */
  async delete(blockerId: string, blockedId: string): Promise<'unblocked' | 'not_blocked' | 'no_user'> {
    const row = (await firstRow<{ found: boolean; deleted: boolean }>(
      this.db,
      statement(
        'blocks_delete',
        `WITH del AS (DELETE FROM user_blocks WHERE blocker_id = $1::uuid AND blocked_id = $2::uuid RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM users WHERE id = $2::uuid) AS found, EXISTS (SELECT 1 FROM del) AS deleted`,
        [blockerId, blockedId],
      ),
    ))!;
    return row.deleted ? 'unblocked' : row.found ? 'not_blocked' : 'no_user';
  }

  /**
   * True when either user has blocked the other: two primary-key probes.
   * @param q a transaction's manager when the answer must hold under a lock the caller took
   */
  async eitherBlocked(a: string, b: string, q: Queryable = this.db): Promise<boolean> {
    const found = await firstRow(
      q,
      statement(
        'blocks_either',
        `SELECT 1 FROM user_blocks WHERE (blocker_id = $1::uuid AND blocked_id = $2::uuid) OR (blocker_id = $2::uuid AND blocked_id = $1::uuid) LIMIT 1`,
        [a, b],
      ),
    );
    return found !== null;
  }

  /**
   * True when the room is a DM whose two users blocked one another in either direction; run on a
   * transaction's manager holding the room lock, so a send and a block cannot interleave unseen.
   */
  async dmRoomBlocked(roomId: string, q: Queryable = this.db): Promise<boolean> {
    const row = await firstRow<{ blocked: boolean }>(q, statement('blocks_dm_room', `SELECT ${DM_BLOCKED('r.dm_key')} AS blocked FROM rooms r WHERE r.id = $1::uuid`, [roomId]));
    return row?.blocked === true;
  }

  /** Ids of everyone the user has blocked (at most about {@link MAX_BLOCKS_PER_USER}): the live block set. */
  async blockedIdsOf(blockerId: string): Promise<string[]> {
    const found = await rows<{ blocked_id: string }>(this.db, statement('blocks_ids_of', `SELECT blocked_id FROM user_blocks WHERE blocker_id = $1::uuid`, [blockerId]));
    return found.map((r) => r.blocked_id);
  }

  /** The block list of a user with the blocked users' summaries, most recent block first. */
  listBlocked(blockerId: string): Promise<BlockedUserRow[]> {
    return rows<BlockedUserRow>(
      this.db,
      statement(
        'blocks_list',
        `SELECT u.id, u.username, u.display_name, u.avatar_url,
                (u.deleted_at IS NOT NULL OR u.disabled_at IS NOT NULL) AS deactivated, b.created_at AS blocked_at
         FROM user_blocks b JOIN users u ON u.id = b.blocked_id
         WHERE b.blocker_id = $1::uuid ORDER BY b.created_at DESC, b.blocked_id LIMIT $2::int`,
        [blockerId, MAX_BLOCKS_PER_USER],
      ),
    );
  }

  /**
   * The (blocker, blocked) pairs among the given users and senders, as `blocker:blocked` keys: one
   * statement for a whole push decision, whatever the number of rooms in it.
   */
  async blockedPairs(blockerIds: string[], blockedIds: string[]): Promise<Set<string>> {
    if (blockerIds.length === 0 || blockedIds.length === 0) return new Set();
    const found = await rows<{ blocker_id: string; blocked_id: string }>(
      this.db,
      statement(
        'blocks_pairs',
        `SELECT blocker_id, blocked_id FROM user_blocks WHERE blocker_id = ANY($1::uuid[]) AND blocked_id = ANY($2::uuid[])`,
        [blockerIds, blockedIds],
      ),
    );
    return new Set(found.map((r) => `${r.blocker_id}:${r.blocked_id}`));
  }
}
