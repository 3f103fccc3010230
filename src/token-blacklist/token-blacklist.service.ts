import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { EntityManager } from 'typeorm';
import { RevocationBus, RevocationEvent } from './revocation-bus';
import { RevocationRow, TokenBlacklistRepository } from './token-blacklist.repository';

/** How often expired revocations are dropped from memory and from PostgreSQL, in ms. */
export const PURGE_INTERVAL_MS = 10 * 60 * 1000;
/** Name of the purge job in the SchedulerRegistry. */
export const PURGE_JOB_NAME = 'purge-revoked-tokens';

/** A revocation to apply: one access token (`jti`) or every access token of a session (`sid`). */
export type Revocation = RevocationRow;

/**
 * Answers "is this access token revoked?" from memory, so authenticated requests cost no database
 * round trip. PostgreSQL is the source of truth: entries are loaded at start and written through on
 * revoke; the {@link RevocationBus} carries each revocation to every instance's memory (and to the
 * gateway, which closes the affected sockets).
 */
@Injectable()
export class TokenBlacklistService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenBlacklistService.name);
  /** id (jti or sid) → epoch ms after which the entry is useless. */
  private readonly revoked = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repository: TokenBlacklistRepository,
    private readonly bus: RevocationBus,
  ) {}

  /** Starts listening to the bus, then loads every active revocation (so none can slip between the two). */
  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.bus.subscribe((event) => this.remember(event));
    for (const row of await this.repository.findActive()) {
      this.remember({ kind: row.kind, id: row.id, userId: row.userId, expiresAtMs: row.expiresAt.getTime() });
    }
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Revokes at once: stores the rows, then announces them on the bus (memory of every instance, open
   * sockets). Use {@link record} + {@link announce} instead when the rows must commit in a transaction.
   */
  async revoke(revocations: Revocation[]): Promise<void> {
    await this.record(revocations);
    this.announce(revocations);
  }

  /** Stores revocations (in the caller's transaction when given); they take effect on {@link announce}. */
  record(revocations: Revocation[], manager?: EntityManager): Promise<void> {
    return this.repository.insertMany(revocations, manager);
  }

  /** Applies stored revocations everywhere: every instance's memory and the gateway's sockets. */
  announce(revocations: Revocation[]): void {
    for (const r of revocations) this.bus.publish({ kind: r.kind, id: r.id, userId: r.userId, expiresAtMs: r.expiresAt.getTime() });
  }

  /** True when the token's `jti` or its session `sid` has been revoked. Memory only: O(1). */
  isRevoked(jti: string, sid: string): boolean {
    return this.check(jti) || this.check(sid);
  }

  /** Number of entries held in memory (for tests and diagnostics). */
  get size(): number {
    return this.revoked.size;
  }

  /** Deletes expired revocations from memory and from the database; runs every PURGE_INTERVAL_MS. */
  @Interval(PURGE_JOB_NAME, PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<number> {
    const now = Date.now();
    for (const [id, expiresAtMs] of this.revoked) if (expiresAtMs <= now) this.revoked.delete(id);
    try {
      const removed = await this.repository.purgeExpired();
      if (removed > 0) this.logger.log(`purged ${removed} expired revocations`);
      return removed;
    } catch (err) {
      this.logger.warn(`purging expired revocations failed: ${(err as Error).message}`);
      return 0;
    }
  }

  private remember(event: RevocationEvent): void {
    if (event.expiresAtMs <= Date.now()) return;
    const current = this.revoked.get(event.id) ?? 0;
    this.revoked.set(event.id, Math.max(current, event.expiresAtMs));
  }

  private check(id: string): boolean {
    const expiresAtMs = this.revoked.get(id);
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }
}
