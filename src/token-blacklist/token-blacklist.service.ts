import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { RevocationBus, RevocationEvent } from './revocation-bus';
import { TokenBlacklistRepository } from './token-blacklist.repository';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Answers "is this access token revoked?" from memory, so authenticated requests cost no database
 * round trip. PostgreSQL is the source of truth: entries are loaded at start and written through on
 * revoke; the {@link RevocationBus} keeps every instance's memory in step.
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

  /** Loads every active revocation and starts listening to the bus. */
  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.bus.subscribe((event) => this.remember(event));
    for (const row of await this.repository.findActive()) this.revoked.set(row.id, row.expiresAt.getTime());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Revokes one access token (kind `jti`) or every access token of a session (kind `sid`) until
   * `expiresAt`, in the database first and then on every instance through the bus.
   */
  async revoke(kind: 'jti' | 'sid', id: string, userId: string | null, expiresAt: Date): Promise<void> {
    await this.repository.insert(kind, id, userId, expiresAt);
    this.bus.publish({ kind, id, userId, expiresAtMs: expiresAt.getTime() });
  }

  /** True when the token's `jti` or its session `sid` has been revoked. Memory only: O(1). */
  isRevoked(jti: string, sid: string): boolean {
    return this.check(jti) || this.check(sid);
  }

  /** Deletes expired revocations from the database and from memory. */
  @Interval(PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<void> {
    const now = Date.now();
    for (const [id, expiresAtMs] of this.revoked) if (expiresAtMs <= now) this.revoked.delete(id);
    try {
      const removed = await this.repository.purgeExpired();
      if (removed > 0) this.logger.log(`purged ${removed} expired revocations`);
    } catch (err) {
      this.logger.warn(`purging expired revocations failed: ${(err as Error).message}`);
    }
  }

  private remember(event: RevocationEvent): void {
    const current = this.revoked.get(event.id) ?? 0;
    this.revoked.set(event.id, Math.max(current, event.expiresAtMs));
  }

  private check(id: string): boolean {
    const expiresAtMs = this.revoked.get(id);
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }
}
