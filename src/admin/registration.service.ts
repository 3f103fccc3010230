import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AdminRepository, InviteRow } from './admin.repository';

/** Who may register. */
export type RegistrationMode = AppConfig['registration'];

export type { InviteRow } from './admin.repository';

/** Longest invite lifetime accepted, in seconds (one year). */
export const MAX_INVITE_SECONDS = 365 * 24 * 3600;

/**
 * Registration control: the mode (`open`, `invite`, `closed`) and invite codes with use counts and
 * expiry. The mode is the `registration` server setting when an administrator has set one, else
 * the REGISTRATION configuration value.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly admins: AdminRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The mode in force now. */
  async mode(manager?: EntityManager): Promise<RegistrationMode> {
    return ((await this.admins.registrationSetting(manager)) as RegistrationMode | null) ?? this.config.registration;
  }

  /** Stores the mode as a server setting (it then wins over REGISTRATION). */
  async setMode(mode: RegistrationMode, manager?: EntityManager): Promise<void> {
    await this.admins.setRegistrationSetting(manager, mode);
  }

  /**
   * Lets a registration through, in its transaction: in `invite` mode one use of the code is taken
   * (and given back if the registration rolls back, e.g. on a taken username).
   * @throws AppError REGISTRATION_CLOSED, INVITE_REQUIRED or INVITE_INVALID (403)
   */
  async admit(inviteCode: string | undefined, manager: EntityManager): Promise<void> {
    const mode = await this.mode(manager);
    if (mode === 'open') return;
    if (mode === 'closed') throw new AppError('REGISTRATION_CLOSED');
    if (!inviteCode) throw new AppError('INVITE_REQUIRED');
    if (!(await this.admins.takeInviteUse(manager, inviteCode))) throw new AppError('INVITE_INVALID');
  }

  /**
   * Creates an invite code: 12 letters and digits (about 71 random bits), never starting with `-`,
   * which a command line would read as an option.
   * @param uses how many registrations it admits (1..10,000)
   * @param expiresInSeconds lifetime, or null for none
   */
  createInvite(uses: number, expiresInSeconds: number | null, createdBy: string | null, manager?: EntityManager): Promise<InviteRow> {
    const code = randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
    return this.admins.insertInvite(manager, code, uses, expiresInSeconds, createdBy);
  }

  /** Every invite not revoked, newest first (used-up and expired ones included, so they can be seen). */
  listInvites(): Promise<InviteRow[]> {
    return this.admins.listInvites();
  }

  /**
   * Revokes a code (API and CLI). A string that cannot be a code (codes are letters and digits, see
   * {@link createInvite}) is answered without a query: a NUL byte or a 10 KB path segment would
   * otherwise reach PostgreSQL and fail there as a 500.
   * @returns false when no live code has it
   */
  async revokeInvite(code: string, manager?: EntityManager): Promise<boolean> {
    if (!/^[A-Za-z0-9]{1,64}$/.test(code)) return false;
    return this.admins.revokeInvite(manager, code);
  }
}
