import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { decodeCursor, DEFAULT_LIMIT, encodeCursor, Page } from '../common/pagination/pagination';
import { PresenceService } from '../realtime/presence.service';
import { toUserDto, UserDto } from './user.presenter';
import { User } from './user.types';
import { UsersRepository } from './users.repository';


/** Reads users and renders their public profiles with live presence. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly presence: PresenceService,
  ) {}

  /**
   * The entity of a user by id, deleted (anonymised) accounts included.
   * @throws AppError USER_NOT_FOUND when no such user exists.
   */
  async getEntity(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }

  /**
   * The public profile of a live user (never email, hash or session data).
   * @throws AppError USER_NOT_FOUND for unknown and deleted accounts.
   */
  async getPublic(id: string): Promise<UserDto> {
    const user = await this.getEntity(id);
    if (user.deletedAt) throw new AppError('USER_NOT_FOUND');
    return this.present(user);
  }

  /**
   * `GET /users` and `GET /users/search`: one page of the user directory, live users in username
   * order, only those whose username or display name contains `q` (case-insensitive) when given.
   * Public fields only, never email.
   * @param q substring to look for (already trimmed); undefined or empty for everyone
   * @param cursor `next_cursor` of the previous page
   * @throws AppError INVALID_CURSOR on a cursor this server did not make.
   */
  async directory(q: string | undefined, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<UserDto>> {
    let after: { username: string; id: string } | undefined;
    if (cursor !== undefined) {
      const [username, id] = decodeCursor(cursor, ['text', 'uuid']);
      after = { username, id };
    }
    const rows = await this.users.findDirectoryPage(q || undefined, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((user) => this.present(user)),
      next_cursor: rows.length > limit && last ? encodeCursor([last.username, last.id]) : null,
    };
  }

  /** Renders a user with its current presence; `self` adds the email. */
  present(user: User, self = false): UserDto {
    return toUserDto(user, this.presence.isOnline(user.id), self);
  }
}
