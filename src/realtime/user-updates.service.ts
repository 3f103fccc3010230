import { Injectable, Logger } from '@nestjs/common';
import { RoomsRepository } from '../rooms/rooms.repository';
import { toUserDto } from '../users/user.presenter';
import { UsersRepository } from '../users/users.repository';
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
    private readonly users: UsersRepository,
    private readonly rooms: RoomsRepository,
    private readonly fanout: FanoutService,
    private readonly presence: PresenceService,
  ) {}

  /**
   * Announces the current public profile of a user whose display name, avatar, status, bio or
   * username was just stored. Never throws: a failure is logged and the change stays stored.
   */
  async userUpdated(userId: string): Promise<void> {
    try {
      const user = await this.users.findById(userId);
      if (!user || user.deletedAt) return;
      const payload = toUserDto(user, this.presence.isOnline(userId));
      this.fanout.toRoomsOnce(
        await this.rooms.roomIdsOfUser(userId),
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
