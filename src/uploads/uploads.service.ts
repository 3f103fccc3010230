import type { MultipartFile } from '@fastify/multipart';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { uploadUrl } from '../messages/message.mapper';
import { contentDisposition, inspectFile, safeFileName } from './file-inspector';
import { UploadStorage } from './upload-storage';
import { UploadDto } from './uploads.dto';
import { UploadRow, UploadsRepository } from './uploads.repository';

/** What `GET /uploads/:id` sends: the bytes and the headers that go with them. */
export interface UploadDownload {
  stream: Readable;
  headers: Record<string, string>;
}

/** A received, inspected file still in the temporary directory. */
interface ReceivedFile {
  id: string;
  tempPath: string;
  mime: string;
  size: number;
  name: string;
}

/** Renders a stored upload. */
export function toUploadDto(row: UploadRow): UploadDto {
  return { id: row.id, url: uploadUrl(row.id), mime: row.mime, size: row.size, name: row.name };
}

/**
 * Attachments: receives one multipart file, streams it to a temporary file under
 * DATA_DIR/uploads/tmp (never buffered whole, never kept when the upload fails or is aborted), decides
 * its type from its content, and hands it to the {@link UploadStorage}. Serves it back only to its
 * uploader and to members of rooms where it was posted.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);
  /** Directory of uploads still being received. */
  readonly tempDir: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly uploads: UploadsRepository,
    private readonly storage: UploadStorage,
  ) {
    this.tempDir = join(config.dataDir, 'uploads', 'tmp');
  }

  /**
   * Receives the `file` field of a multipart request.
   * @throws AppError UNSUPPORTED_MEDIA_TYPE (not multipart), VALIDATION_FAILED (no `file` field),
   *   UPLOAD_TOO_LARGE (413, over UPLOAD_MAX_BYTES), UPLOAD_TYPE_NOT_ALLOWED (415, content not accepted).
   */
  async receive(userId: string, request: FastifyRequest): Promise<UploadDto> {
    if (!request.isMultipart()) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data in a field named "file".');
    }
    await mkdir(this.tempDir, { recursive: true });
    let received: ReceivedFile | undefined;
    try {
      // Every part is read to the end, so a second file (or any other file field) is refused before
      // anything is stored; plain text fields are ignored.
      const parts = request.parts({ limits: { fileSize: this.config.uploadMaxBytes, files: 1, fields: 10, parts: 11, fieldSize: 1024 } });
      for await (const part of parts) {
        if (part.type === 'field') continue;
        if (part.fieldname !== 'file' || received) {
          part.file.resume();
          throw this.noFile();
        }
        received = await this.receiveFile(part, request);
      }
    } catch (err) {
      if (received) await rm(received.tempPath, { force: true }).catch(() => undefined);
      throw this.multipartError(err);
    }
    if (!received) throw this.noFile();
    try {
      const storageKey = `${received.id.slice(0, 2)}/${received.id}`;
      await this.storage.save(storageKey, received.tempPath);
      try {
        const row = await this.uploads.insert({ ...received, uploaderId: userId, storageKey });
        return toUploadDto(row);
      } catch (err) {
        await this.storage.remove(storageKey).catch(() => undefined);
        throw err;
      }
    } finally {
      await rm(received.tempPath, { force: true }).catch((err: unknown) => this.logger.warn(`could not remove ${received!.tempPath}: ${String(err)}`));
    }
  }

  /**
   * Streams one file part to a temporary file and decides its type; the temporary file is removed
   * when anything fails (too large, refused type, client gone).
   * @throws AppError UPLOAD_TOO_LARGE, UPLOAD_TYPE_NOT_ALLOWED, BAD_REQUEST (body cut before the
   *   closing boundary); the stream's error when the client aborts.
   */
  private async receiveFile(part: MultipartFile, request: FastifyRequest): Promise<ReceivedFile> {
    const id = randomUUID();
    const tempPath = join(this.tempDir, `${id}.part`);
    const file = part.file;
    // A client that goes away mid-upload must not leave the temporary file behind or the stream hanging.
    const onClose = (): void => {
      if (!request.raw.complete) file.destroy(new Error('upload aborted by the client'));
    };
    request.raw.once('close', onClose);
    try {
      // @fastify/multipart destroys the part's stream (without an error) when the body ends before
      // the closing boundary; a pipeline started on it afterwards would never settle, and the request
      // would hang unanswered.
      if (file.destroyed) throw new AppError('BAD_REQUEST', 'The multipart body is malformed.');
      await pipeline(file, createWriteStream(tempPath, { flags: 'wx', mode: 0o600 }));
      if (file.truncated) throw new AppError('UPLOAD_TOO_LARGE', `The file is larger than ${this.config.uploadMaxBytes} bytes.`);
      const { size } = await stat(tempPath);
      const type = await inspectFile(tempPath, size);
      if (!type) {
        throw new AppError(
          'UPLOAD_TYPE_NOT_ALLOWED',
          'Only PNG, JPEG, GIF and WebP images, PDF, MP3, Ogg, WAV and WebM audio, and plain UTF-8 text can be uploaded.',
        );
      }
      return { id, tempPath, mime: type.mime, size, name: safeFileName(part.filename, type) };
    } catch (err) {
      await rm(tempPath, { force: true }).catch(() => undefined);
      throw err;
    } finally {
      request.raw.removeListener('close', onClose);
    }
  }

  /**
   * The bytes and headers of an upload the user may read (its uploader, a member of a room where it
   * was posted, or anyone signed in when it is an image its uploader made their avatar). Served with the stored type, a Content-Disposition carrying the name, nosniff and a
   * sandboxing CSP, so nothing uploaded can run in the server's origin.
   * @throws AppError UPLOAD_NOT_FOUND (404) when unknown or not readable by the user.
   */
  async download(userId: string, uploadId: string): Promise<UploadDownload> {
    const row = await this.uploads.findReadable(uploadId, userId);
    if (!row) throw new AppError('UPLOAD_NOT_FOUND');
    let stream: Readable;
    try {
      stream = await this.storage.open(row.storage_key);
    } catch (err) {
      this.logger.error(`upload ${row.id} is recorded but its file is missing: ${String(err)}`);
      throw new AppError('UPLOAD_NOT_FOUND');
    }
    const inline = row.mime.startsWith('image/') || row.mime.startsWith('audio/');
    return {
      stream,
      headers: {
        'content-type': row.mime === 'text/plain' ? 'text/plain; charset=utf-8' : row.mime,
        'content-length': String(row.size),
        'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', row.name),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
        'cache-control': 'private, no-cache',
      },
    };
  }

  private noFile(): AppError {
    return new AppError('VALIDATION_FAILED', 'file is required (a multipart field named "file").', [{ field: 'file', problem: 'is required' }]);
  }

  /** Maps @fastify/multipart's and busboy's errors to the API's. */
  private multipartError(err: unknown): unknown {
    if (err instanceof AppError) return err;
    const code = (err as { code?: string })?.code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return new AppError('UPLOAD_TOO_LARGE', `The file is larger than ${this.config.uploadMaxBytes} bytes.`);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      return new AppError('VALIDATION_FAILED', 'Send exactly one file in a field named "file".', [{ field: 'file', problem: 'must be a single file' }]);
    }
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new AppError('UNSUPPORTED_MEDIA_TYPE');
    // The part's stream was destroyed while being read: the body ended early or the client left.
    if (code === 'ERR_STREAM_PREMATURE_CLOSE') return new AppError('BAD_REQUEST', 'The multipart body is malformed.');
    const message = err instanceof Error ? err.message : '';
    if (/multipart|boundary|terminated early|Unexpected end/i.test(message)) return new AppError('BAD_REQUEST', 'The multipart body is malformed.');
    return err;
  }
}
