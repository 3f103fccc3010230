import { Injectable, Logger } from '@nestjs/common';
import { SessionsRepository } from '../auth/sessions.repository';
import { TokenBlacklistRepository } from '../token-blacklist/token-blacklist.repository';
import { UploadStorage } from '../uploads/upload-storage';
import { UploadsRepository } from '../uploads/uploads.repository';

/** What one prune removed. */
export interface PruneCounts {
  /** revoked_tokens rows whose tokens have all expired. */
  expiredRevocations: number;
  /** used_refresh_tokens rows of sessions that expired or were revoked (reuse detection is moot there). */
  usedRefreshTokens: number;
  /** Uploads never attached to a message and older than a day (rows and files). */
  orphanUploads: number;
}

/**
 * Deletes what no longer serves anything. The server does the first two on timers too; this is the
 * operator's on-demand version (`chat-server prune`), safe while the server runs.
 */
@Injectable()
export class PruneService {
  private readonly logger = new Logger(PruneService.name);

  constructor(
    private readonly revocations: TokenBlacklistRepository,
    private readonly sessions: SessionsRepository,
    private readonly uploads: UploadsRepository,
    private readonly storage: UploadStorage,
  ) {}

  /** Runs every prune and reports the counts. */
  async prune(): Promise<PruneCounts> {
    const expiredRevocations = await this.revocations.purgeExpired();
    const usedRefreshTokens = await this.sessions.purgeUsedTokensOfEndedSessions();
    const orphans = await this.uploads.deleteOrphans();
    // Rows go first: a file without a row is unreachable, a row without its file would be a 500.
    for (const key of orphans) {
      await this.storage.remove(key).catch((err: Error) => this.logger.warn(`could not delete upload file ${key}: ${err.message}`));
    }
    return { expiredRevocations, usedRefreshTokens, orphanUploads: orphans.length };
  }
}
