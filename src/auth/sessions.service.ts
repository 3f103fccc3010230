import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { decodeKeysetCursor, DEFAULT_LIMIT, encodeCursor, Page } from '../common/pagination/pagination';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Revocation, TokenBlacklistService } from '../token-blacklist/token-blacklist.service';
import { AuthPrincipal } from './auth-principal';
import { deviceLabel } from './device-label';
import { SessionDto } from './dto/session.dto';
import { SessionRow, SessionsRepository } from './sessions.repository';


/** How often stale sessions are deleted, in ms. */
export const SESSION_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * The caller's sessions (devices) and their revocation. Revoking a session marks it revoked in
 * PostgreSQL (its refresh token stops working) and blacklists its id for one access-token lifetime,
 * which refuses every access token it issued and closes the sockets opened with them.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly blacklist: TokenBlacklistService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The caller's live sessions, most recently used first, the current one marked. @throws AppError INVALID_CURSOR on a bad cursor */
  async list(principal: AuthPrincipal, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<SessionDto>> {
    let after: { lastUsedKey: string; id: string } | undefined;
    if (cursor !== undefined) {
      const [lastUsedKey, id] = decodeKeysetCursor(cursor);
      after = { lastUsedKey, id };
    }
    const rows = await this.sessions.findLivePage(principal.userId, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => this.present(row, principal.sessionId)),
      next_cursor: rows.length > limit && last ? encodeCursor([last.last_used_key, last.id]) : null,
    };
  }

  /**
   * Revokes one of the caller's sessions (the current one too: that is a logout).
   * @throws AppError SESSION_NOT_FOUND when it is not a live session of the caller.
   */
  async revokeOwn(principal: AuthPrincipal, sessionId: string): Promise<{ id: string; revoked: true }> {
    if (!(await this.sessions.revokeOfUser(sessionId, principal.userId))) throw new AppError('SESSION_NOT_FOUND');
    await this.blacklist.revoke([this.sessionRevocation(sessionId, principal.userId)]);
    return { id: sessionId, revoked: true };
  }

  /**
   * Revokes a session whatever its state (logout, refresh-token reuse), with any further revocations
   * (the logging-out access token's jti) in the same write. Idempotent: blacklisting an already
   * revoked session again only extends its entry.
   */
  async revoke(sessionId: string, userId: string, alsoRevoke: Revocation[] = []): Promise<void> {
    await this.sessions.revokeOfUser(sessionId, userId);
    await this.blacklist.revoke([...alsoRevoke, this.sessionRevocation(sessionId, userId)]);
  }

  /**
   * Revokes every live session of a user except `keepId`, inside the caller's transaction. The
   * returned revocations take effect (memory, sockets) only when passed to {@link announce} after
   * the transaction commits.
   */
  async revokeAllInTransaction(userId: string, keepId: string | null, manager: EntityManager): Promise<Revocation[]> {
    const ids = await this.sessions.revokeAllOfUser(userId, keepId, manager);
    const revocations = ids.map((id) => this.sessionRevocation(id, userId));
    await this.blacklist.record(revocations, manager);
    return revocations;
  }

  /** Applies committed revocations everywhere (see {@link revokeAllInTransaction}). */
  announce(revocations: Revocation[]): void {
    this.blacklist.announce(revocations);
  }

  /** Deletes sessions that expired or were revoked more than a day ago; runs hourly. */
  @Interval('purge-stale-sessions', SESSION_PURGE_INTERVAL_MS)
  async purgeStale(): Promise<void> {
    try {
      const removed = await this.sessions.purgeStale();
      if (removed > 0) this.logger.log(`purged ${removed} stale sessions`);
    } catch (err) {
      this.logger.warn(`purging stale sessions failed: ${(err as Error).message}`);
    }
  }

  /** Access tokens of a session live at most one access TTL from now, so the entry can go after that. */
  private sessionRevocation(sessionId: string, userId: string): Revocation {
    return { kind: 'sid', id: sessionId, userId, expiresAt: new Date(Date.now() + this.config.accessTokenTtlSeconds * 1000) };
  }

  private present(row: SessionRow, currentSessionId: string): SessionDto {
    return {
      id: row.id,
      device: deviceLabel(row.user_agent),
      user_agent: row.user_agent,
      ip: row.ip,
      created_at: row.created_at.toISOString(),
      last_used_at: row.last_used_at.toISOString(),
      expires_at: row.expires_at.toISOString(),
      current: row.id === currentSessionId,
    };
  }
}
