import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RevokedTokenEntity } from './revoked-token.entity';

/** SQL of the revocation table: the source of truth behind the in-memory blacklist. */
@Injectable()
export class TokenBlacklistRepository {
  constructor(@InjectRepository(RevokedTokenEntity) private readonly repo: Repository<RevokedTokenEntity>) {}

  /** Stores a revocation; revoking the same id twice keeps the later expiry. */
  async insert(kind: 'jti' | 'sid', id: string, userId: string | null, expiresAt: Date): Promise<void> {
    await this.repo.query(
      `INSERT INTO revoked_tokens (id, kind, user_id, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, EXCLUDED.expires_at)`,
      [id, kind, userId, expiresAt],
    );
  }

  /** Every revocation that can still affect a live token (loaded at start). */
  findActive(): Promise<RevokedTokenEntity[]> {
    return this.repo.createQueryBuilder('r').where('r.expires_at > now()').getMany();
  }

  /** Deletes revocations whose tokens have all expired. @returns rows removed. */
  async purgeExpired(): Promise<number> {
    const result = await this.repo.createQueryBuilder().delete().where('expires_at <= now()').execute();
    return result.affected ?? 0;
  }
}
