import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { UploadsModule } from '../uploads/uploads.module';
import { UsersModule } from '../users/users.module';
import { AccountAdminService } from './account-admin.service';
import { AdminController } from './admin.controller';
import { AdminRepository } from './admin.repository';
import { AdminGuard } from './admin.guard';
import { AuditService } from './audit.service';
import { PasswordResetsRepository } from './password-resets.repository';
import { PruneService } from './prune.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';

/**
 * Server administration shared by the admin CLI and the server: accounts (disable, roles,
 * passwords, reset tokens), registration mode and invites, pruning, and the audit log. Global so the auth module
 * can ask {@link RegistrationService} without importing this module (which imports it).
 */
@Global()
@Module({
  imports: [UsersModule, AuthModule, UploadsModule],
  controllers: [AdminController, RegistrationController],
  providers: [AdminRepository, AccountAdminService, AuditService, RegistrationService, PruneService, PasswordResetsRepository, AdminGuard],
  exports: [AdminRepository, AccountAdminService, AuditService, RegistrationService, PruneService, AdminGuard],
})
export class AdminModule {}
