import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { SessionEntity } from './session.entity';

/** SQL of the sessions table. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(SessionEntity) private readonly repo: Repository<SessionEntity>) {}

  /** Creates a session for a new login. */
  create(
    fields: Pick<SessionEntity, 'userId' | 'refreshTokenHash' | 'userAgent' | 'ip' | 'expiresAt'>,
    manager?: EntityManager,
  ): Promise<SessionEntity> {
    const repo = manager ? manager.getRepository(SessionEntity) : this.repo;
    return repo.save(repo.create({ ...fields, lastUsedAt: new Date() }));
  }

  /**
   * Atomically swaps the refresh token of a live session: only one of two concurrent refreshes with
   * the same token can win. @returns the updated session, or null when the token is not current.
   */
  async rotate(oldHash: string, newHash: string, expiresAt: Date): Promise<{ id: string; userId: string } | null> {
    const result = await this.repo
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ refreshTokenHash: newHash, previousRefreshTokenHash: oldHash, lastUsedAt: () => 'now()', expiresAt })
      .where('refresh_token_hash = :oldHash AND revoked_at IS NULL AND expires_at > now()', { oldHash })
      .returning(['id', 'user_id'])
      .execute();
    const row = (result.raw as { id: string; user_id: string }[])[0];
    return row ? { id: row.id, userId: row.user_id } : null;
  }

  /** A session whose previous (already rotated) refresh token has this hash: a reuse. */
  findByPreviousHash(hash: string): Promise<SessionEntity | null> {
    return this.repo.findOne({ where: { previousRefreshTokenHash: hash } });
  }

  /** A session by id. */
  findById(id: string): Promise<SessionEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** Marks a session revoked. @returns false when it was already revoked. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
