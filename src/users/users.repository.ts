import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { UserEntity } from './user.entity';

/** The SQL of the users table, one intent-named method per question. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  /** The user with this id, including deleted (anonymised) ones; null when unknown. */
  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** Users by id, in no particular order; unknown ids are skipped. */
  findByIds(ids: string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repo.createQueryBuilder('u').where('u.id = ANY(:ids)', { ids }).getMany();
  }

  /** A live account by username or email, compared case-insensitively (uses the lower() indexes). */
  findByLogin(login: string): Promise<UserEntity | null> {
    const column = login.includes('@') ? 'email' : 'username';
    return this.repo
      .createQueryBuilder('u')
      .where(`lower(u.${column}) = lower(:login)`, { login })
      .andWhere('u.deleted_at IS NULL')
      .getOne();
  }

  /**
   * Inserts a new user.
   * @throws the driver's unique-violation error (code 23505) naming the index on a taken username/email.
   */
  create(fields: Pick<UserEntity, 'username' | 'email' | 'passwordHash' | 'displayName'>, manager?: EntityManager): Promise<UserEntity> {
    const repo = manager ? manager.getRepository(UserEntity) : this.repo;
    return repo.save(repo.create(fields));
  }

  /** Stores when the user was last seen online (set on the way offline). */
  async touchLastSeen(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastSeenAt: at });
  }
}
