import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { firstRow, Queryable, rows, statement } from '../database/sql';

/** An upload as stored. */
export interface UploadRow {
  id: string;
  uploader_id: string | null;
  storage_key: string;
  mime: string;
  /** bytes */
  size: number;
  name: string;
  created_at: Date;
}

/** The SQL of uploads and of who may read them. */
@Injectable()
export class UploadsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records a stored file. */
  async insert(fields: { id: string; uploaderId: string; storageKey: string; mime: string; size: number; name: string }): Promise<UploadRow> {
    const row = await firstRow<UploadRow>(
      this.db,
      statement(
        'uploads_insert',
        `INSERT INTO uploads (id, uploader_id, storage_key, mime, size, name) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, uploader_id, storage_key, mime, size, name, created_at`,
        [fields.id, fields.uploaderId, fields.storageKey, fields.mime, fields.size, fields.name],
      ),
    );
    return row!;
  }

  /**
   * The upload if the user may read it: they uploaded it, it is attached to a live message of a
   * room they belong to (message_attachments_upload_idx, then the membership primary key), or it is
   * an image its uploader made their avatar.
   */
  findReadable(uploadId: string, userId: string): Promise<UploadRow | null> {
    return firstRow<UploadRow>(
      this.db,
      statement(
        'uploads_readable',
        `SELECT u.id, u.uploader_id, u.storage_key, u.mime, u.size, u.name, u.created_at FROM uploads u
       WHERE u.id = $1 AND (u.uploader_id = $2 OR EXISTS (
         SELECT 1 FROM message_attachments ma
         JOIN messages m ON m.id = ma.message_id AND m.deleted_at IS NULL
         JOIN room_members rm ON rm.room_id = m.room_id AND rm.user_id = $2
         WHERE ma.upload_id = u.id)
         -- an image its uploader made their avatar is shown to everyone who sees them (one PK lookup)
         OR (u.mime LIKE 'image/%' AND EXISTS (
           SELECT 1 FROM users av WHERE av.id = u.uploader_id AND av.avatar_url LIKE '%/api/v1/uploads/' || u.id::text)))`,
        [uploadId, userId],
      ),
    );
  }

  /**
   * Deletes uploads never attached to a message and older than a day.
   * @returns the storage keys of their files (to delete after the rows).
   */
  async deleteOrphans(): Promise<string[]> {
    const deleted = await rows<{ storage_key: string }>(
      this.db,
      statement(
        'uploads_delete_orphans',
        `DELETE FROM uploads up
         WHERE up.created_at < now() - interval '1 day'
           AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.upload_id = up.id)
         RETURNING up.storage_key`,
        [],
      ),
    );
    return deleted.map((r) => r.storage_key);
  }

  /** Those of the given uploads that belong to the user, with their types (attaching to a message). */
  findOwned(tx: Queryable, uploaderId: string, uploadIds: string[]): Promise<{ id: string; mime: string }[]> {
    return rows(tx, statement('uploads_owned', `SELECT id, mime FROM uploads WHERE id = ANY($1::uuid[]) AND uploader_id = $2`, [uploadIds, uploaderId]));
  }
}
