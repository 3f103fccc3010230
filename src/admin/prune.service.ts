import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { returnedRows } from '../common/errors/postgres';
import { UploadStorage } from '../uploads/upload-storage';

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
    private readonly dataSource: DataSource,
    private readonly storage: UploadStorage,
  ) {}

  /** Runs every prune and reports the counts. */
  async prune(): Promise<PruneCounts> {
    const revocations = returnedRows<{ id: string }>(await this.dataSource.query(`DELETE FROM revoked_tokens WHERE expires_at <= now() RETURNING id`));
    const used = returnedRows<{ token_hash: string }>(
      await this.dataSource.query(
        `DELETE FROM used_refresh_tokens u USING sessions s
         WHERE s.id = u.session_id AND (s.expires_at <= now() OR s.revoked_at IS NOT NULL)
         RETURNING u.token_hash`,
      ),
    );
    const uploads = returnedRows<{ storage_key: string }>(
      await this.dataSource.query(
        `DELETE FROM uploads up
         WHERE up.created_at < now() - interval '1 day'
           AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.upload_id = up.id)
         RETURNING up.storage_key`,
      ),
    );
    // Rows go first: a file without a row is unreachable, a row without its file would be a 500.
    for (const { storage_key: key } of uploads) {
      await this.storage.remove(key).catch((err: Error) => this.logger.warn(`could not delete upload file ${key}: ${err.message}`));
    }
    return { expiredRevocations: revocations.length, usedRefreshTokens: used.length, orphanUploads: uploads.length };
  }
}
