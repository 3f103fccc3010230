import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { LocalDiskStorage, UploadStorage } from './upload-storage';
import { UploadsController } from './uploads.controller';
import { UploadsRepository } from './uploads.repository';
import { UploadsService } from './uploads.service';

/** Uploads (attachments), stored on the local disk under DATA_DIR/uploads. */
@Module({
  controllers: [UploadsController],
  providers: [
    UploadsRepository,
    UploadsService,
    { provide: UploadStorage, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new LocalDiskStorage(join(config.dataDir, 'uploads')) },
  ],
  exports: [UploadsRepository, UploadStorage],
})
export class UploadsModule {}
