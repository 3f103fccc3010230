import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { assertAccountActive } from '../admin/account-status';
import { RegistrationService } from '../admin/registration.service';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/postgres';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { User } from '../users/user.types';
import { UserDto } from '../users/user.presenter';
import { ProfileFields, UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { RoomsService } from '../rooms/rooms.service';
import { AuthPrincipal } from './auth-principal';
import {
  AccountDeletedDto,
  AuthResponseDto,
  ChangeEmailDto,
  ChangePasswordDto,
  LoginDto,
  PasswordChangedDto,
  RegisterDto,
  UpdateProfileDto,
} from './dto/auth.dto';
import { AuthLimiter } from './auth-limiter';
import { PasswordHasher } from './password-hasher';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';
import { UserUpdatesService } from '../realtime/user-updates.service';

/** Where a login comes from, stored on its session. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

/**
 * Accounts: register, login, refresh with rotation and reuse detection, logout, and the caller's own
 * profile, username, email, password and deletion. Passwords are bcrypt hashes computed off the main
 * thread ({@link PasswordHasher}); an unknown login costs a comparison too, so timing does not tell
 * which usernames exist.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly sessionsRepo: SessionsRepository,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly hasher: PasswordHasher,
    private readonly limiter: AuthLimiter,
    private readonly rooms: RoomsService,
    private readonly registration: RegistrationService,
    private readonly userUpdates: UserUpdatesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates an account and its first session.
   * @throws AppError USERNAME_TAKEN / EMAIL_TAKEN (409), compared case-insensitively;
   *   REGISTRATION_CLOSED / INVITE_REQUIRED / INVITE_INVALID (403) by the registration mode.
   */
  async register(dto: RegisterDto, client: ClientInfo): Promise<AuthResponseDto> {
    const passwordHash = await this.hasher.hash(dto.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.registration.admit(dto.invite_code, manager);
        const user = await this.users.insertIfFree(
          { username: dto.username, email: dto.email, passwordHash, displayName: dto.display_name ?? dto.username },
          manager,
        );
        if (!user) throw this.takenError(await this.users.findTakenField(dto.username, dto.email));
        const { token, hash } = this.tokens.newRefreshToken();
        const session = await this.sessionsRepo.create(
          { userId: user.id, refreshTokenHash: hash, userAgent: client.userAgent, ip: client.ip, expiresAt: this.refreshExpiry() },
          manager,
        );
        return this.authResponse(user, session.id, token);
      });
    } catch (err) {
      throw this.conflictOr(err);
    }
  }

  /**
   * Logs in by username or email. A wrong password and an unknown user fail the same way.
   * @throws AppError INVALID_CREDENTIALS (401); ACCOUNT_DISABLED (403) for a disabled account (right password only)
   */
  async login(dto: LoginDto, client: ClientInfo): Promise<AuthResponseDto> {
    const login = dto.login ?? dto.email ?? dto.username ?? '';
    const user = await this.users.findByLogin(login);
    const ok = user?.passwordHash ? await this.hasher.verify(dto.password, user.passwordHash) : await this.hasher.verifyAgainstDummy(dto.password);
    if (!user || !ok) throw new AppError('INVALID_CREDENTIALS');
    assertAccountActive(user);
    const { token, hash } = this.tokens.newRefreshToken();
    const session = await this.sessionsRepo.create({
      userId: user.id,
      refreshTokenHash: hash,
      userAgent: client.userAgent,
      ip: client.ip,
      expiresAt: this.refreshExpiry(),
    });
    return this.authResponse(user, session.id, token);
  }

  /**
   * Exchanges a refresh token for a new pair; the presented token stops working. Presenting any token
   * the session already rotated away revokes the whole session (someone else may hold a copy), even
   * when two requests race with the same token: the loser is treated as a reuse.
   * Limited per session before anything changes (a 429 leaves the presented token valid); a token
   * that is not a live one counts as an authentication failure of the client's address.
   * @throws AppError REFRESH_TOKEN_REUSED or REFRESH_TOKEN_INVALID (401), RATE_LIMITED (429)
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<AuthResponseDto> {
    this.limiter.assertNotBlocked(client.ip ?? undefined);
    const oldHash = this.tokens.hashRefreshToken(refreshToken);
    const current = await this.sessionsRepo.findLiveIdByRefreshHash(oldHash);
    if (current) await this.limiter.countRefresh(current);
    try {
      return await this.rotate(oldHash, client);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) await this.limiter.countFailure(client.ip ?? undefined);
      throw err;
    }
  }

  /** The rotation itself (see {@link refresh}). @throws AppError REFRESH_TOKEN_REUSED / REFRESH_TOKEN_INVALID */
  private async rotate(oldHash: string, client: ClientInfo): Promise<AuthResponseDto> {
    const next = this.tokens.newRefreshToken();
    const session = await this.sessionsRepo.rotate(oldHash, next.hash, this.refreshExpiry(), client.ip);
    if (!session) {
      const reused = await this.sessionsRepo.findByUsedHash(oldHash);
      if (!reused) throw new AppError('REFRESH_TOKEN_INVALID');
      if (!reused.revoked) await this.sessions.revoke(reused.id, reused.userId);
      throw new AppError('REFRESH_TOKEN_REUSED');
    }
    const user = await this.users.findById(session.userId);
    if (!user || user.deletedAt) throw new AppError('REFRESH_TOKEN_INVALID');
    assertAccountActive(user);
    return this.authResponse(user, session.id, next.token);
  }

  /** Revokes the caller's access token (until its expiry) and its whole session. */
  async logout(principal: AuthPrincipal): Promise<{ revoked: true }> {
    await this.sessions.revoke(principal.sessionId, principal.userId, [
      { kind: 'jti', id: principal.jti, userId: principal.userId, expiresAt: new Date(principal.exp * 1000) },
    ]);
    return { revoked: true };
  }

  /** The caller's own profile, with email. @throws AppError USER_NOT_FOUND */
  async me(principal: AuthPrincipal): Promise<UserDto> {
    return this.usersService.present(await this.liveUser(principal.userId), true);
  }

  /** Changes display name, bio, avatar URL and status (only the fields sent). @returns the own profile */
  async updateProfile(principal: AuthPrincipal, dto: UpdateProfileDto): Promise<UserDto> {
    const fields: ProfileFields = {};
    if (dto.display_name !== undefined) fields.displayName = dto.display_name;
    if (dto.bio !== undefined) fields.bio = dto.bio;
    if (dto.avatar_url !== undefined) fields.avatarUrl = dto.avatar_url;
    if (dto.status !== undefined) fields.status = dto.status;
    if (!(await this.users.updateProfile(principal.userId, fields))) throw new AppError('USER_NOT_FOUND');
    // user_updated to everyone who shares a room, when something was sent to change.
    if (Object.keys(fields).length > 0) await this.userUpdates.userUpdated(principal.userId);
    return this.me(principal);
  }

  /**
   * Renames the caller (a change of case only is allowed too).
   * @throws AppError USERNAME_TAKEN (409) when another account has the name, case-insensitively.
   */
  async changeUsername(principal: AuthPrincipal, username: string): Promise<UserDto> {
    try {
      if (!(await this.users.updateUsername(principal.userId, username))) throw this.takenError(await this.users.findTakenField(username, null, principal.userId));
    } catch (err) {
      throw this.conflictOr(err);
    }
    await this.userUpdates.userUpdated(principal.userId); // user_updated to everyone who shares a room
    return this.me(principal);
  }

  /**
   * Changes the caller's email after checking the password.
   * @throws AppError WRONG_PASSWORD (403), EMAIL_TAKEN (409, case-insensitive)
   */
  async changeEmail(principal: AuthPrincipal, dto: ChangeEmailDto): Promise<UserDto> {
    await this.checkPassword(principal.userId, dto.password);
    try {
      if (!(await this.users.updateEmail(principal.userId, dto.email))) throw this.takenError(await this.users.findTakenField(null, dto.email, principal.userId));
    } catch (err) {
      throw this.conflictOr(err);
    }
    return this.me(principal);
  }

  /**
   * Changes the password and revokes every other session of the user (their access tokens are
   * refused and their sockets closed at once); the calling session stays logged in.
   * @throws AppError WRONG_PASSWORD (403); VALIDATION_FAILED (400) when the new password equals the current one
   */
  async changePassword(principal: AuthPrincipal, dto: ChangePasswordDto): Promise<PasswordChangedDto> {
    const user = await this.checkPassword(principal.userId, dto.current_password);
    if (dto.new_password === dto.current_password) {
      throw new AppError('VALIDATION_FAILED', 'new_password must differ from the current password.', [
        { field: 'new_password', problem: 'must differ from the current password' },
      ]);
    }
    const newHash = await this.hasher.hash(dto.new_password);
    const revocations = await this.dataSource.transaction(async (manager) => {
      // Compare-and-set: a concurrent password change that won first makes this one fail cleanly.
      if (!(await this.users.updatePasswordHash(user.id, user.passwordHash!, newHash, manager))) throw new AppError('WRONG_PASSWORD');
      return this.sessions.revokeAllInTransaction(user.id, principal.sessionId, manager);
    });
    this.sessions.announce(revocations);
    return { changed: true, revoked_sessions: revocations.length };
  }

  /**
   * Deletes the caller's account after checking the password: the row is anonymised (username
   * replaced by a tombstone and free again, email and hash cleared), every session is revoked and
   * its sockets closed; messages stay and are shown as from "Deleted user".
   * @throws AppError WRONG_PASSWORD (403)
   */
  async deleteAccount(principal: AuthPrincipal, password: string): Promise<AccountDeletedDto> {
    const user = await this.checkPassword(principal.userId, password);
    const { revocations, announceHandovers } = await this.dataSource.transaction(async (manager) => {
      if (!(await this.users.anonymise(user.id, manager))) throw new AppError('USER_NOT_FOUND');
      // Owned rooms pass to an admin or the oldest member, so none is left without anyone to run it.
      const announce = await this.rooms.handOverOwnedRooms(manager, user.id);
      return { revocations: await this.sessions.revokeAllInTransaction(user.id, null, manager), announceHandovers: announce };
    });
    this.sessions.announce(revocations);
    await announceHandovers();
    return { id: user.id, deleted: true };
  }

  /** The live account, or USER_NOT_FOUND (a deleted account's tokens are revoked, so this is a race). */
  private async liveUser(userId: string): Promise<User> {
    const user = await this.usersService.getEntity(userId);
    if (user.deletedAt) throw new AppError('USER_NOT_FOUND');
    return user;
  }

  /** Loads the caller and checks their password. @throws AppError WRONG_PASSWORD (403) */
  private async checkPassword(userId: string, password: string): Promise<User> {
    const user = await this.liveUser(userId);
    if (!user.passwordHash || !(await this.hasher.verify(password, user.passwordHash))) throw new AppError('WRONG_PASSWORD');
    return user;
  }

  /** The 409 for a taken field; USER_NOT_FOUND when nothing was taken (the account itself is gone). */
  private takenError(field: 'username' | 'email' | null): AppError {
    if (field === 'username') return new AppError('USERNAME_TAKEN');
    if (field === 'email') return new AppError('EMAIL_TAKEN');
    return new AppError('USER_NOT_FOUND');
  }

  /** Maps a unique violation on username/email to its 409; anything else passes through. */
  private conflictOr(err: unknown): unknown {
    if (isUniqueViolation(err, 'users_username_lower_uq')) return new AppError('USERNAME_TAKEN');
    if (isUniqueViolation(err, 'users_email_lower_uq')) return new AppError('EMAIL_TAKEN');
    return err;
  }

  private authResponse(user: User, sessionId: string, refreshToken: string): AuthResponseDto {
    const { token, expiresIn } = this.tokens.signAccessToken(user.id, sessionId);
    return {
      user: this.usersService.present(user, true),
      access_token: token,
      token,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
    };
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000);
  }
}
