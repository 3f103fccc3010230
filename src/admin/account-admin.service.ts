import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { createHash, randomBytes } from 'node:crypto';
import { validate } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { RegisterDto } from '../auth/dto/auth.dto';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions.service';
import { AppError } from '../common/errors/app-error';
import { validationError } from '../common/errors/validation';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { notifyRevocations } from '../token-blacklist/pg-revocation-listener';
import { User } from '../users/user.types';
import { UsersRepository } from '../users/users.repository';
import { AccountFlags, AdminRepository, AdminUserRow } from './admin.repository';
import { AuditActor, AuditService } from './audit.service';
import { PasswordResetsRepository } from './password-resets.repository';

/** How long a password reset token works, in seconds (24 h). */
export const PASSWORD_RESET_TTL_SECONDS = 24 * 3600;

/** The stored form of a reset token: SHA-256 hex (the token has 256 random bits, so no salt or slow hash is needed). */
function resetTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type { AdminUserRow } from './admin.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Account administration shared by the CLI and the admin API: list and search, create, set a
 * password, disable/enable, promote/demote. Disabling and setting a password revoke every session of
 * the user in the same transaction and notify every instance through PostgreSQL (LISTEN/NOTIFY),
 * which closes the user's live sockets with 4401 within a round trip of the commit. Every action
 * writes an audit row in its transaction.
 */
@Injectable()
export class AccountAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountAdminService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly resets: PasswordResetsRepository,
    private readonly admins: AdminRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Promotes the ADMIN_USERNAMES that exist (those not registered yet are promoted at a later start). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.adminUsernames.length === 0) return;
    for (const username of await this.admins.promoteUsernames(this.config.adminUsernames)) {
      await this.audit.record('config:ADMIN_USERNAMES', 'user.promote', username);
      this.logger.log(`promoted ${username} to server admin (ADMIN_USERNAMES)`);
    }
  }

  /**
   * Live users whose username, display name or email contains `query` (case-insensitive), ordered by
   * username then id; only disabled ones with `disabledOnly`; `after` is the last row of the previous page.
   */
  list(query: string | undefined, disabledOnly: boolean, limit = 1000, after?: { username: string; id: string }): Promise<AdminUserRow[]> {
    return this.admins.listUsers(query, disabledOnly, limit, after);
  }

  /**
   * Creates an account with the registration rules (username, email, password policy), regardless
   * of the registration mode.
   * @throws AppError VALIDATION_FAILED, USERNAME_TAKEN, EMAIL_TAKEN
   */
  async create(actor: AuditActor, fields: { username: string; email: string; password: string; admin: boolean }): Promise<AdminUserRow> {
    const dto = plainToInstance(RegisterDto, { username: fields.username, email: fields.email, password: fields.password });
    const errors = await validate(dto, { forbidUnknownValues: true });
    if (errors.length > 0) throw validationError(errors);
    const passwordHash = await this.hasher.hash(dto.password);
    return this.dataSource.transaction(async (manager) => {
      const user = await this.users.insertIfFree({ username: dto.username, email: dto.email, passwordHash, displayName: dto.username }, manager);
      if (!user) {
        const taken = await this.users.findTakenField(dto.username, dto.email);
        throw new AppError(taken === 'email' ? 'EMAIL_TAKEN' : 'USERNAME_TAKEN');
      }
      if (fields.admin) await this.admins.setFlags(manager, user.id, { isAdmin: true });
      await this.audit.record(actor, 'user.create', user.username, { admin: fields.admin }, manager);
      return this.row(user.id, manager);
    });
  }

  /**
   * Sets a new password (password policy applies) and revokes every session of the user.
   * @throws AppError USER_NOT_FOUND, VALIDATION_FAILED
   */
  async setPassword(actor: AuditActor, who: string, password: string): Promise<{ user: AdminUserRow; revokedSessions: number }> {
    const dto = plainToInstance(RegisterDto, { username: 'placeholder', email: 'placeholder@example.org', password });
    const errors = (await validate(dto)).filter((e) => e.property === 'password');
    if (errors.length > 0) throw validationError(errors);
    const user = await this.find(who);
    return this.replacePassword(user, await this.hasher.hash(password), async (manager) => {
      await this.audit.record(actor, 'user.set_password', user.username, {}, manager);
    });
  }

  /**
   * Issues a one-time password reset token for a user (valid {@link PASSWORD_RESET_TTL_SECONDS});
   * an earlier unused token of the user stops working. Nothing else changes until it is redeemed:
   * the current password and sessions stay valid. Only the token's hash is stored.
   * @returns the token (shown once) and when it expires
   * @throws AppError USER_NOT_FOUND (unknown or deleted account)
   */
  async issuePasswordReset(actor: AuditActor, who: string): Promise<{ user: AdminUserRow; token: string; expiresAt: Date }> {
    const user = await this.find(who);
    const token = randomBytes(32).toString('base64url');
    return this.dataSource.transaction(async (manager) => {
      const expiresAt = await this.resets.replaceForUser(manager, user.id, resetTokenHash(token), actor, PASSWORD_RESET_TTL_SECONDS);
      await this.audit.record(actor, 'user.password_reset', user.username, { expires_at: new Date(expiresAt).toISOString() }, manager);
      return { user: await this.row(user.id, manager), token, expiresAt: new Date(expiresAt) };
    });
  }

  /**
   * Redeems a reset token: the password becomes `password` (the DTO already applied the password
   * policy), the token is used up (one use, also under concurrent redemptions), and every session of
   * the user is revoked with live sockets closed with 4401, as {@link setPassword} does. A disabled
   * account stays disabled (a reset is not an enable). Audited as `user.password_reset.redeem` with
   * the user as actor.
   * @throws AppError RESET_TOKEN_INVALID (400) for an unknown, used or expired token, or a deleted account
   */
  async redeemPasswordReset(token: string, password: string): Promise<{ reset: true }> {
    const tokenHash = resetTokenHash(token);
    // Looked up before hashing, so garbage tokens cost no bcrypt work.
    const userId = await this.resets.findLiveUserId(tokenHash);
    const user = userId ? await this.users.findById(userId) : null;
    if (!user || user.deletedAt) throw new AppError('RESET_TOKEN_INVALID');
    await this.replacePassword(user, await this.hasher.hash(password), async (manager) => {
      if (!(await this.resets.consume(manager, tokenHash, user.id))) throw new AppError('RESET_TOKEN_INVALID');
      await this.audit.record(`user:${user.id}`, 'user.password_reset.redeem', user.username, {}, manager);
    });
    return { reset: true };
  }

  /**
   * The one path that replaces a password on someone's behalf (CLI set-password, reset tokens):
   * writes the hash, runs `also` in the same transaction, and revokes every session of the user.
   */
  private async replacePassword(
    user: User,
    passwordHash: string,
    also: (manager: EntityManager) => Promise<void>,
  ): Promise<{ user: AdminUserRow; revokedSessions: number }> {
    return this.revokingAll(user, async (manager) => {
      await also(manager);
      await this.admins.setPasswordHash(manager, user.id, passwordHash);
    });
  }

  /**
   * Disables the account and revokes every session (idempotent).
   * @param also runs in the same transaction (resolving a report with it)
   * @throws AppError USER_NOT_FOUND
   */
  async disable(actor: AuditActor, who: string, also?: (manager: EntityManager) => Promise<void>): Promise<{ user: AdminUserRow; revokedSessions: number }> {
    const user = await this.find(who);
    return this.revokingAll(user, async (manager) => {
      await this.admins.setFlags(manager, user.id, { disabled: true });
      await this.audit.record(actor, 'user.disable', user.username, {}, manager);
      if (also) await also(manager);
    });
  }

  /** Enables a disabled account (it logs in again with its password). @throws AppError USER_NOT_FOUND */
  async enable(actor: AuditActor, who: string): Promise<AdminUserRow> {
    return this.update(actor, who, 'user.enable', { disabled: false });
  }

  /** Makes the user a server admin. @throws AppError USER_NOT_FOUND */
  async promote(actor: AuditActor, who: string): Promise<AdminUserRow> {
    return this.update(actor, who, 'user.promote', { isAdmin: true });
  }

  /** Takes server admin away. @throws AppError USER_NOT_FOUND */
  async demote(actor: AuditActor, who: string): Promise<AdminUserRow> {
    return this.update(actor, who, 'user.demote', { isAdmin: false });
  }

  /** A live user by id or username (case-insensitive). @throws AppError USER_NOT_FOUND */
  async find(who: string): Promise<User> {
    const user = UUID.test(who) ? await this.users.findById(who) : await this.users.findByLogin(who.includes('@') ? '' : who);
    if (!user || user.deletedAt) throw new AppError('USER_NOT_FOUND', `No user named "${who}".`);
    return user;
  }

  /** Changes account flags of a live user and audits it, in one transaction. */
  private async update(actor: AuditActor, who: string, action: string, flags: AccountFlags): Promise<AdminUserRow> {
    const user = await this.find(who);
    return this.dataSource.transaction(async (manager) => {
      await this.admins.setFlags(manager, user.id, flags);
      await this.audit.record(actor, action, user.username, {}, manager);
      return this.row(user.id, manager);
    });
  }

  /**
   * Runs a change and revokes every session of the user in one transaction, notifying every
   * instance on commit; then applies the revocations to this process too.
   */
  private async revokingAll(user: User, change: (manager: EntityManager) => Promise<void>): Promise<{ user: AdminUserRow; revokedSessions: number }> {
    const { revocations, row } = await this.dataSource.transaction(async (manager) => {
      await change(manager);
      const revocations = await this.sessions.revokeAllInTransaction(user.id, null, manager);
      await notifyRevocations(manager, user.id);
      return { revocations, row: await this.row(user.id, manager) };
    });
    this.sessions.announce(revocations);
    return { user: row, revokedSessions: revocations.length };
  }

  private async row(id: string, manager: EntityManager): Promise<AdminUserRow> {
    return (await this.admins.findUser(manager, id))!;
  }
}
