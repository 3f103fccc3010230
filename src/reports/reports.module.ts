import { Module } from '@nestjs/common';
import { ContentAdminModule } from '../admin/content-admin.module';
import { MessagesModule } from '../messages/messages.module';
import { AdminReportsController, ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/**
 * Reports of messages by members and their resolution by server admins. The admin services
 * (accounts, audit, AdminGuard) come from the global AdminModule.
 */
@Module({
  imports: [MessagesModule, ContentAdminModule],
  controllers: [ReportsController, AdminReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
