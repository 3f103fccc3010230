import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import Piscina from 'piscina';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import type { PasswordHashTask } from './password-hash.worker';
import { fitsBcrypt } from './password-policy';

/** Logins and password changes allowed to wait for a hashing thread before new ones get a 503. */
export const HASH_QUEUE_MAX = 1000;
/** Niceness added to the hashing threads, so the event loop thread always wins the CPU first. */
export const HASH_THREAD_NICE_INCREMENT = 10;

/**
 * bcrypt hashing and comparison on a pool of worker threads (piscina), so a burst of logins does not
 * stall the event loop that serves every other request and WebSocket (see bench/login-burst.ts and
 * docs/authentication.md for the measurement that motivated it). One thread per CPU core, run at a
 * lower priority than the main thread; at most HASH_QUEUE_MAX jobs wait.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly logger = new Logger(PasswordHasher.name);
  private readonly pool: Piscina<PasswordHashTask, string | boolean>;
  private dummyHash: Promise<string> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    // Compiled code loads the compiled worker; under ts-jest the worker is TypeScript and needs ts-node.
    const ext = extname(__filename);
    this.pool = new Piscina<PasswordHashTask, string | boolean>({
      filename: join(__dirname, `password-hash.worker${ext}`),
      execArgv: ext === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [],
      minThreads: 1,
      maxThreads: Math.max(1, availableParallelism()),
      idleTimeout: 60_000,
      maxQueue: HASH_QUEUE_MAX,
      niceIncrement: HASH_THREAD_NICE_INCREMENT,
    });
  }

  /**
   * A bcrypt hash of the password at BCRYPT_COST.
   * @throws AppError HASHING_BUSY (503) when the queue is full.
   * @throws Error when the password is over 72 UTF-8 bytes: bcrypt would hash only its start, and the
   *   DTOs refuse such new passwords, so reaching here is a bug, never a silent truncation.
   */
  async hash(password: string): Promise<string> {
    if (!fitsBcrypt(password)) throw new Error('refusing to hash a password over 72 bytes (bcrypt would truncate it)');
    return (await this.run({ op: 'hash', password, cost: this.config.bcryptCost })) as string;
  }

  /**
   * Whether the password matches the bcrypt hash. A password over 72 UTF-8 bytes never matches (no
   * accepted password is that long, and bcrypt would compare only its first 72 bytes, so "the right
   * password plus anything" would pass); it still costs one comparison, so it answers like a wrong one.
   * @throws AppError HASHING_BUSY (503) when the queue is full.
   */
  async verify(password: string, hash: string): Promise<boolean> {
    if (!fitsBcrypt(password)) {
      await this.verifyAgainstDummy('');
      return false;
    }
    return (await this.run({ op: 'compare', password, hash })) as boolean;
  }

  /**
   * Compares against a throw-away hash of the same cost, so a login for an unknown user takes as long
   * as one for a known user and timing does not tell which usernames exist. Always false.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('not a real password, only spends time');
    await this.verify(password, await this.dummyHash);
    return false;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  private async run(task: PasswordHashTask): Promise<string | boolean> {
    try {
      return await this.pool.run(task);
    } catch (err) {
      if ((err as Error).message === 'Task queue is at limit') {
        this.logger.warn('password hashing queue is full; refusing a login');
        throw new AppError('HASHING_BUSY', undefined, undefined, 1);
      }
      throw err;
    }
  }
}
