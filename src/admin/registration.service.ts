import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** Who may register. */
export type RegistrationMode = AppConfig['registration'];

/** An invite code as listed. */
export interface InviteRow {
  code: string;
  uses_total: number;
  uses_left: number;
  expires_at: Date | null;
  created_at: Date;
  revoked_at: Date | null;
}

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
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The mode in force now. */
  async mode(manager: EntityManager = this.dataSource.manager): Promise<RegistrationMode> {
    const rows = (await manager.query(`SELECT value FROM server_settings WHERE key = 'registration'`)) as { value: RegistrationMode }[];
    return rows[0]?.value ?? this.config.registration;
  }

  /** Stores the mode as a server setting (it then wins over REGISTRATION). */
  async setMode(mode: RegistrationMode, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO server_settings (key, value) VALUES ('registration', $1)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [mode],
    );
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
    const rows = (await manager.query(
      `UPDATE invites SET uses_left = uses_left - 1
       WHERE code = $1 AND uses_left > 0 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
       RETURNING code`,
      [inviteCode],
    )) as [unknown[], number];
    if (rows[1] === 0) throw new AppError('INVITE_INVALID');
  }

  /**
   * Creates an invite code: 12 letters and digits (about 71 random bits), never starting with `-`,
   * which a command line would read as an option.
   * @param uses how many registrations it admits (1..10,000)
   * @param expiresInSeconds lifetime, or null for none
   */
  async createInvite(uses: number, expiresInSeconds: number | null, createdBy: string | null, manager: EntityManager = this.dataSource.manager): Promise<InviteRow> {
    const code = randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
    const rows = (await manager.query(
      `INSERT INTO invites (code, uses_total, uses_left, expires_at, created_by)
       VALUES ($1, $2, $2, CASE WHEN $3::int IS NULL THEN NULL ELSE now() + make_interval(secs => $3::int) END, $4)
       RETURNING code, uses_total, uses_left, expires_at, created_at, revoked_at`,
      [code, uses, expiresInSeconds, createdBy],
    )) as InviteRow[];
    return rows[0]!;
  }

  /** Every invite not revoked, newest first (used-up and expired ones included, so they can be seen). */
  async listInvites(): Promise<InviteRow[]> {
    return (await this.dataSource.query(
      `SELECT code, uses_total, uses_left, expires_at, created_at, revoked_at FROM invites WHERE revoked_at IS NULL ORDER BY created_at DESC, code`,
    )) as InviteRow[];
  }

  /**
   * Revokes a code (API and CLI). A string that cannot be a code (codes are letters and digits, see
   * {@link createInvite}) is answered without a query: a NUL byte or a 10 KB path segment would
   * otherwise reach PostgreSQL and fail there as a 500.
   * @returns false when no live code has it
   */
  async revokeInvite(code: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    if (!/^[A-Za-z0-9]{1,64}$/.test(code)) return false;
    const result = (await manager.query(`UPDATE invites SET revoked_at = now() WHERE code = $1 AND revoked_at IS NULL`, [code])) as [unknown[], number];
    return result[1] > 0;
  }
}
