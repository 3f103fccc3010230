import { Inject, Injectable } from '@nestjs/common';
import * as bcrypt from 'bcryptjs';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/postgres';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { TokenBlacklistService } from '../token-blacklist/token-blacklist.service';
import { UserEntity } from '../users/user.entity';
import { UserDto } from '../users/user.presenter';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { AuthPrincipal } from './auth-principal';
import { AuthResponseDto, LoginDto, RegisterDto } from './dto/auth.dto';
import { SessionsRepository } from './sessions.repository';
import { TokenService } from './token.service';

/** Where a login comes from, stored on its session. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

/**
 * Accounts and sessions: register, login, refresh with rotation and reuse detection, logout.
 * Passwords are bcrypt hashes (BCRYPT_COST); an unknown login costs a bcrypt comparison too, so
 * timing does not tell which usernames exist.
 */
@Injectable()
export class AuthService {
  private dummyHash: string | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokenService,
    private readonly blacklist: TokenBlacklistService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates an account and its first session.
   * @throws AppError USERNAME_TAKEN / EMAIL_TAKEN (409), compared case-insensitively.
   */
  async register(dto: RegisterDto, client: ClientInfo): Promise<AuthResponseDto> {
    const passwordHash = await bcrypt.hash(dto.password, this.config.bcryptCost);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await this.users.create(
          { username: dto.username, email: dto.email, passwordHash, displayName: dto.display_name ?? dto.username },
          manager,
        );
        const { token, hash } = this.tokens.newRefreshToken();
        const session = await this.sessions.create(
          { userId: user.id, refreshTokenHash: hash, userAgent: client.userAgent, ip: client.ip, expiresAt: this.refreshExpiry() },
          manager,
        );
        return this.authResponse(user, session.id, token);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_username_lower_uq')) throw new AppError('USERNAME_TAKEN');
      if (isUniqueViolation(err, 'users_email_lower_uq')) throw new AppError('EMAIL_TAKEN');
      throw err;
    }
  }

  /**
   * Logs in by username or email. A wrong password and an unknown user fail the same way.
   * @throws AppError INVALID_CREDENTIALS (401)
   */
  async login(dto: LoginDto, client: ClientInfo): Promise<AuthResponseDto> {
    const login = dto.login ?? dto.email ?? dto.username ?? '';
    const user = await this.users.findByLogin(login);
    const hash = user?.passwordHash ?? (await this.getDummyHash());
    const ok = await bcrypt.compare(dto.password, hash);
    if (!user || !user.passwordHash || !ok) throw new AppError('INVALID_CREDENTIALS');
    const { token, hash: refreshHash } = this.tokens.newRefreshToken();
    const session = await this.sessions.create({
      userId: user.id,
      refreshTokenHash: refreshHash,
      userAgent: client.userAgent,
      ip: client.ip,
      expiresAt: this.refreshExpiry(),
    });
    return this.authResponse(user, session.id, token);
  }

  /**
   * Exchanges a refresh token for a new pair; the presented token stops working. Presenting a token
   * that was already rotated revokes its whole session (someone else may hold a copy).
   * @throws AppError REFRESH_TOKEN_REUSED or REFRESH_TOKEN_INVALID (401)
   */
  async refresh(refreshToken: string): Promise<AuthResponseDto> {
    const oldHash = this.tokens.hashRefreshToken(refreshToken);
    const next = this.tokens.newRefreshToken();
    const session = await this.sessions.rotate(oldHash, next.hash, this.refreshExpiry());
    if (!session) {
      const reused = await this.sessions.findByPreviousHash(oldHash);
      if (reused && !reused.revokedAt) {
        await this.revokeSession(reused.id, reused.userId);
        throw new AppError('REFRESH_TOKEN_REUSED');
      }
      throw new AppError('REFRESH_TOKEN_INVALID');
    }
    const user = await this.users.findById(session.userId);
    if (!user || user.deletedAt) throw new AppError('REFRESH_TOKEN_INVALID');
    return this.authResponse(user, session.id, next.token);
  }

  /** Revokes the caller's access token (until its expiry) and its session's refresh token. */
  async logout(principal: AuthPrincipal): Promise<{ revoked: true }> {
    await this.blacklist.revoke('jti', principal.jti, principal.userId, new Date(principal.exp * 1000));
    await this.revokeSession(principal.sessionId, principal.userId);
    return { revoked: true };
  }

  /** The caller's own profile, with email. @throws AppError USER_NOT_FOUND */
  async me(principal: AuthPrincipal): Promise<UserDto> {
    return this.usersService.present(await this.usersService.getEntity(principal.userId), true);
  }

  /**
   * Revokes a session: its refresh token stops working and every access token it issued is refused
   * (and their sockets closed) from now on.
   */
  async revokeSession(sessionId: string, userId: string): Promise<void> {
    await this.sessions.revoke(sessionId);
    // Access tokens of the session live at most one access TTL from now.
    await this.blacklist.revoke('sid', sessionId, userId, new Date(Date.now() + this.config.accessTokenTtlSeconds * 1000));
  }

  private authResponse(user: UserEntity, sessionId: string, refreshToken: string): AuthResponseDto {
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

  private async getDummyHash(): Promise<string> {
    this.dummyHash ??= await bcrypt.hash('not-a-real-password', this.config.bcryptCost);
    return this.dummyHash;
  }
}
