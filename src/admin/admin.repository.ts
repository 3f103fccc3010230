import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { containsPattern } from '../database/like-pattern';
import { and, execute, firstRow, Queryable, rows, SqlParams, statement } from '../database/sql';

/** A user as administrators see it. */
export interface AdminUserRow {
  id: string;
  username: string;
  email: string | null;
  display_name: string;
  is_admin: boolean;
  disabled_at: Date | null;
  last_seen_at: Date | null;
  created_at: Date;
}

/** One audit log row; `id` as text (a bigserial, used as the page cursor). */
export interface AuditRow {
  id: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  at: Date;
}

/** An invite code as listed. */
export interface InviteRow {
  code: string;
  uses_total: number;
  uses_left: number;
  expires_at: Date | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** The server-admin flags an administrator changes on an account. */
export interface AccountFlags {
  /** true: disable now (kept when already disabled); false: enable. */
  disabled?: boolean;
  isAdmin?: boolean;
}

const ADMIN_COLUMNS = 'id, username, email, display_name, is_admin, disabled_at, last_seen_at, created_at';

/**
 * The SQL of server administration (`tx`: the caller's transaction, or undefined for none): accounts as administrators see and change them, the audit log,
 * the registration setting and invite codes.
 */
@Injectable()
export class AdminRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** True when the user is a live, enabled server administrator (checked on every admin request). */
  async isActiveAdmin(userId: string): Promise<boolean> {
    const row = await firstRow(
      this.db,
      statement('admin_is_active_admin', `SELECT 1 FROM users WHERE id = $1 AND is_admin AND deleted_at IS NULL AND disabled_at IS NULL`, [userId]),
    );
    return row !== null;
  }

  /** Makes the live users with these lower-cased usernames admins. @returns the usernames promoted now. */
  async promoteUsernames(usernames: string[]): Promise<string[]> {
    const promoted = await rows<{ username: string }>(
      this.db,
      statement(
        'admin_promote_usernames',
        `UPDATE users SET is_admin = true WHERE lower(username) = ANY($1::text[]) AND deleted_at IS NULL AND NOT is_admin RETURNING username`,
        [usernames],
      ),
    );
    return promoted.map((r) => r.username);
  }

  /**
   * Live users whose username, display name or email contains `query` (case-insensitive, `%` and `_`
   * literal), ordered by lower(username) then id; only disabled ones with `disabledOnly`.
   * @param after the last row of the previous page (keyset position)
   */
  listUsers(query: string | undefined, disabledOnly: boolean, limit: number, after?: { username: string; id: string }): Promise<AdminUserRow[]> {
    const p = new SqlParams();
    const pattern = query ? p.bind(containsPattern(query)) : null;
    const where = and(
      'deleted_at IS NULL',
      pattern !== null && `(username ILIKE ${pattern} OR display_name ILIKE ${pattern} OR email ILIKE ${pattern})`,
      disabledOnly && 'disabled_at IS NOT NULL',
      after && `(lower(username), id) > (lower(${p.bind(after.username)}), ${p.bind(after.id, 'uuid')})`,
    );
    return rows<AdminUserRow>(this.db, p.statement('admin_list_users', `SELECT ${ADMIN_COLUMNS} FROM users WHERE ${where} ORDER BY lower(username), id LIMIT ${p.bind(limit)}`));
  }

  /** One account as administrators see it; null when unknown. */
  findUser(tx: Queryable, id: string): Promise<AdminUserRow | null> {
    return firstRow<AdminUserRow>(tx, statement('admin_user', `SELECT ${ADMIN_COLUMNS} FROM users WHERE id = $1`, [id]));
  }

  /** Changes the server-admin flags given (others stay). */
  async setFlags(tx: Queryable, id: string, flags: AccountFlags): Promise<void> {
    const p = new SqlParams();
    const sets = [
      flags.disabled === true && 'disabled_at = COALESCE(disabled_at, now())',
      flags.disabled === false && 'disabled_at = NULL',
      flags.isAdmin !== undefined && `is_admin = ${p.bind(flags.isAdmin)}`,
    ].filter((s): s is string => typeof s === 'string');
    if (sets.length === 0) return;
    await execute(tx, p.statement('admin_set_flags', `UPDATE users SET ${sets.join(', ')} WHERE id = ${p.bind(id)}`));
  }

  /** Replaces a user's password hash on their behalf (set-password, reset tokens). */
  async setPasswordHash(tx: Queryable, id: string, passwordHash: string): Promise<void> {
    await execute(tx, statement('admin_set_password_hash', `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1`, [id, passwordHash]));
  }

  /** Appends an audit row (in the caller's transaction, so it commits with the action). */
  async insertAudit(tx: Queryable | undefined, actor: string, action: string, target: string | null, details: Record<string, unknown>): Promise<void> {
    await execute(
      tx ?? this.db,
      statement('admin_insert_audit', `INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)`, [actor, action, target, JSON.stringify(details)]),
    );
  }

  /** Whether the audit_log table exists (a `migrate down` past the Administration migration removes it). */
  async auditLogExists(): Promise<boolean> {
    const row = await firstRow<{ present: boolean }>(this.db, statement('admin_audit_log_exists', `SELECT to_regclass('audit_log') IS NOT NULL AS present`, []));
    return row?.present === true;
  }

  /**
   * Audit rows, newest first; `beforeId` pages further back. The cursor condition is present only
   * when given (its own statement shape), so a generic plan scans the primary key from the cursor on.
   */
  auditPage(limit: number, beforeId?: string): Promise<AuditRow[]> {
    const p = new SqlParams();
    const where = and(beforeId !== undefined && `id < ${p.bind(beforeId, 'bigint')}`);
    return rows<AuditRow>(
      this.db,
      p.statement('admin_audit_page', `SELECT id::text, actor, action, target, details, at FROM audit_log WHERE ${where} ORDER BY id DESC LIMIT ${p.bind(limit)}`),
    );
  }

  /** The `registration` server setting; null when an administrator never set one. */
  async registrationSetting(tx: Queryable | undefined): Promise<string | null> {
    const row = await firstRow<{ value: string }>(tx ?? this.db, statement('admin_registration_setting', `SELECT value FROM server_settings WHERE key = 'registration'`, []));
    return row?.value ?? null;
  }

  /** Stores the `registration` server setting. */
  async setRegistrationSetting(tx: Queryable | undefined, value: string): Promise<void> {
    await execute(
      tx ?? this.db,
      statement(
        'admin_set_registration_setting',
        `INSERT INTO server_settings (key, value) VALUES ('registration', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [value],
      ),
    );
  }

  /** Takes one use of a live invite code, in the registration's transaction. @returns false when the code is not usable. */
  async takeInviteUse(tx: Queryable, code: string): Promise<boolean> {
    const taken = await execute(
      tx,
      statement(
        'admin_take_invite_use',
        `UPDATE invites SET uses_left = uses_left - 1
         WHERE code = $1 AND uses_left > 0 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [code],
      ),
    );
    return taken > 0;
  }

  /** Stores a new invite code. @param expiresInSeconds lifetime, or null for none */
  async insertInvite(tx: Queryable | undefined, code: string, uses: number, expiresInSeconds: number | null, createdBy: string | null): Promise<InviteRow> {
    const row = await firstRow<InviteRow>(
      tx ?? this.db,
      statement(
        'admin_insert_invite',
        `INSERT INTO invites (code, uses_total, uses_left, expires_at, created_by)
         VALUES ($1, $2, $2, CASE WHEN $3::int IS NULL THEN NULL ELSE now() + make_interval(secs => $3::int) END, $4)
         RETURNING code, uses_total, uses_left, expires_at, created_at, revoked_at`,
        [code, uses, expiresInSeconds, createdBy],
      ),
    );
    return row!;
  }

  /** Every invite not revoked, newest first (used-up and expired ones included). */
  listInvites(): Promise<InviteRow[]> {
    return rows<InviteRow>(
      this.db,
      statement(
        'admin_list_invites',
        `SELECT code, uses_total, uses_left, expires_at, created_at, revoked_at FROM invites WHERE revoked_at IS NULL ORDER BY created_at DESC, code`,
        [],
      ),
    );
  }

  /** Revokes a code. @returns false when no live code has it. */
  async revokeInvite(tx: Queryable | undefined, code: string): Promise<boolean> {
    const revoked = await execute(tx ?? this.db, statement('admin_revoke_invite', `UPDATE invites SET revoked_at = now() WHERE code = $1 AND revoked_at IS NULL`, [code]));
    return revoked > 0;
  }
}
