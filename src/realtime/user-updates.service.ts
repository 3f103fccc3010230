import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toUserDto } from '../users/user.presenter';
import { UserEntity } from '../users/user.entity';
import { FanoutService } from './fanout.service';
import { PresenceService } from './presence.service';

/**
 * Live profile changes: `user_updated` (the public User, as `GET /users/:id` returns it) to every
 * online user who shares a room or DM with the changed user, and to the user's own connections, on
 * every instance (one envelope over the backplane).
 */
@Injectable()
export class UserUpdatesService {
  private readonly logger = new Logger(UserUpdatesService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly fanout: FanoutService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * Announces the current public profile of a user whose display name, avatar, status, bio or
   * username was just stored. Never throws: a failure is logged and the change stays stored.
   */
  async userUpdated(userId: string): Promise<void> {
    try {
      const user = await this.db.getRepository(UserEntity).findOne({ where: { id: userId } });
      if (!user || user.deletedAt) return;
      const rows: { room_id: string }[] = await this.db.query(`SELECT room_id FROM room_members WHERE user_id = $1`, [userId]);
      const payload = toUserDto(user, this.presence.isOnline(userId));
      this.fanout.toRoomsOnce(
        rows.map((r) => r.room_id),
        'user_updated',
        payload,
        undefined,
        [userId],
      );
    } catch (err) {
      this.logger.warn(`user_updated for ${userId} not sent: ${(err as Error).message}`);
    }
  }
}
