import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { RevokedTokenEntity } from './revoked-token.entity';

/** One row to store: what is revoked, whose it is, and until when it matters. */
export interface RevocationRow {
  kind: 'jti' | 'sid';
  id: string;
  userId: string | null;
  expiresAt: Date;
}

/** SQL of the revocation table: the source of truth behind the in-memory blacklist. */
@Injectable()
export class TokenBlacklistRepository {
  constructor(@InjectRepository(RevokedTokenEntity) private readonly repo: Repository<RevokedTokenEntity>) {}

  /**
   * Stores revocations in one statement; revoking the same id twice keeps the later expiry.
   * @param manager the caller's transaction, so a revocation commits with the change that caused it
   */
  async insertMany(rows: RevocationRow[], manager?: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    await (manager ?? this.repo.manager).query(
      `INSERT INTO revoked_tokens (id, kind, user_id, expires_at)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, EXCLUDED.expires_at)`,
      [rows.map((r) => r.id), rows.map((r) => r.kind), rows.map((r) => r.userId), rows.map((r) => r.expiresAt.toISOString())],
    );
  }

  /** Every revocation that can still affect a live token (loaded at start). */
  findActive(): Promise<RevokedTokenEntity[]> {
    return this.repo.createQueryBuilder('r').where('r.expires_at > now()').getMany();
  }

  /** Deletes revocations whose tokens have all expired (uses revoked_tokens_expires_at_idx). @returns rows removed. */
  async purgeExpired(): Promise<number> {
    const result = await this.repo.createQueryBuilder().delete().where('expires_at <= now()').execute();
    return result.affected ?? 0;
  }
}
