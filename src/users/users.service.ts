import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { PresenceService } from '../realtime/presence.service';
import { toUserDto, UserDto } from './user.presenter';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

/** Reads users and renders their public profiles with live presence. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly presence: PresenceService,
  ) {}

  /**
   * The entity of a user by id.
   * @throws AppError USER_NOT_FOUND when no such user exists.
   */
  async getEntity(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }

  /** The public profile of a user (never email, hash or session data). @throws AppError USER_NOT_FOUND */
  async getPublic(id: string): Promise<UserDto> {
    return this.present(await this.getEntity(id));
  }

  /** Renders a user with its current presence; `self` adds the email. */
  present(user: UserEntity, self = false): UserDto {
    return toUserDto(user, this.presence.isOnline(user.id), self);
  }
}
