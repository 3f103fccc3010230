import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { execute, firstRow, rows, statement } from '../database/sql';
import type { NotificationLevel } from '../rooms/notification-level';
import type { RoomType } from '../rooms/room.types';

/** A subscription a push is sent to, with what the push decision needs about its owner's membership. */
export interface PushTargetRow {
  id: string;
  room_id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  previews: boolean;
  notification_level: NotificationLevel | null;
  room_type: RoomType;
  room_name: string | null;
}

/** New or re-registered subscription values (keys already checked and unpadded). */
export interface SubscriptionInput {
  userId: string;
  /** The session that registers it: its revocation ends the subscription's pushes. */
  sessionId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  previews: boolean;
}

/** The `push_subscriptions` table. */
@Injectable()
export class PushSubscriptionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores a subscription, or refreshes the row already holding its endpoint (keys, preview choice,
   * owner and session: the browser's latest sign-in), then keeps only the user's `maxPerUser` most
   * recently registered subscriptions. One transaction.
   * @returns the row's id (unchanged when the endpoint was known).
   */
  async upsertCapped(input: SubscriptionInput, maxPerUser: number): Promise<string> {
    return this.db.transaction(async (tx) => {
      const row = await firstRow<{ id: string }>(
        tx,
        statement(
          'push_upsert_subscription',
          `INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, previews)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (endpoint) DO UPDATE
             SET user_id = EXCLUDED.user_id, session_id = EXCLUDED.session_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
                 previews = EXCLUDED.previews, updated_at = now()
           RETURNING id`,
          [input.userId, input.sessionId, input.endpoint, input.p256dh, input.auth, input.previews],
        ),
      );
      await execute(
        tx,
        statement(
          'push_cap_subscriptions',
          `DELETE FROM push_subscriptions WHERE user_id = $1 AND id NOT IN (
             SELECT id FROM push_subscriptions WHERE user_id = $1 ORDER BY updated_at DESC, id LIMIT $2)`,
          [input.userId, maxPerUser],
        ),
      );
      return row!.id;
    });
  }

  /** Deletes a subscription of the user. @returns false when the user has no subscription with that id. */
  async deleteOwned(id: string, userId: string): Promise<boolean> {
    const deleted = await execute(this.db, statement('push_delete_owned', `DELETE FROM push_subscriptions WHERE id = $1 AND user_id = $2`, [id, userId]));
    return deleted > 0;
  }

  /** Deletes a subscription the push service says is gone (404/410), unless it was re-registered with another endpoint meanwhile. */
  async deleteGone(id: string, endpoint: string): Promise<void> {
    await execute(this.db, statement('push_delete_gone', `DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2`, [id, endpoint]));
  }

  /**
   * The subscriptions of the rooms' live members who may want a push for their new messages: registered
   * by a session that is still valid, not at level `none`, and either in a DM, at level `all`, or
   * among `mentioned`. A superset of what
   * {@link shouldPush} accepts (the sender and presence are decided per message, in memory). Starts
   * from the rooms' members (primary key) and probes each one's subscriptions by index.
   */
  findTargets(roomIds: readonly string[], mentioned: readonly string[]): Promise<PushTargetRow[]> {
    return rows<PushTargetRow>(
      this.db,
      statement(
        'push_targets',
        `SELECT ps.id, rm.room_id, ps.user_id, ps.endpoint, ps.p256dh, ps.auth, ps.previews, rm.notification_level, r.type AS room_type, r.name AS room_name
         FROM room_members rm
         JOIN rooms r ON r.id = rm.room_id
         JOIN users u ON u.id = rm.user_id AND u.deleted_at IS NULL
         JOIN push_subscriptions ps ON ps.user_id = rm.user_id
         JOIN sessions s ON s.id = ps.session_id AND s.revoked_at IS NULL AND s.expires_at > now()
        WHERE rm.room_id = ANY($1::uuid[])
          AND rm.notification_level IS DISTINCT FROM 'none'
          AND (r.type = 'dm' OR rm.notification_level = 'all' OR rm.user_id = ANY($2::uuid[]))`,
        [roomIds, mentioned],
      ),
    );
  }
}
