import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { IsText, Optional } from '../common/validation/text.validators';
import { PageQueryDto, toInt } from '../common/pagination/pagination';
import { MAX_INVITE_SECONDS } from './registration.service';

/** `GET /admin/users` query. */
export class AdminUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Substring of username, display name or email (case-insensitive)' })
  @Optional()
  @IsText({ max: 64 })
  q?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only disabled accounts' })
  @Optional()
  @IsIn(['true', 'false'])
  disabled?: 'true' | 'false';
}

/** A user as administrators see it. */
export class AdminUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty() display_name: string;
  @ApiProperty() is_admin: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) disabled_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Last activity' }) last_seen_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

/** A page of users. */
export class AdminUserPageDto {
  @ApiProperty({ type: [AdminUserDto] }) items: AdminUserDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

/** `GET|PATCH /admin/settings`. */
export class AdminSettingsDto {
  @ApiProperty({ enum: ['open', 'invite', 'closed'] })
  @IsIn(['open', 'invite', 'closed'], { message: 'must be one of open, invite, closed' })
  registration: 'open' | 'invite' | 'closed';
}

/** `POST /admin/invites` body. */
export class CreateInviteDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 1 })
  @Optional()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer from 1 to 10000' })
  @Min(1, { message: 'must be an integer from 1 to 10000' })
  @Max(10_000, { message: 'must be an integer from 1 to 10000' })
  uses?: number;

  @ApiPropertyOptional({ minimum: 60, maximum: MAX_INVITE_SECONDS, default: 604_800 })
  @Optional()
  @IsInt({ message: `must be an integer from 60 to ${MAX_INVITE_SECONDS}` })
  @Min(60, { message: `must be an integer from 60 to ${MAX_INVITE_SECONDS}` })
  @Max(MAX_INVITE_SECONDS, { message: `must be an integer from 60 to ${MAX_INVITE_SECONDS}` })
  expires_in_seconds?: number;
}

/** An invite code. */
export class InviteDto {
  @ApiProperty() code: string;
  @ApiProperty() uses_left: number;
  @ApiProperty() uses_total: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

/** The invites. */
export class InviteListDto {
  @ApiProperty({ type: [InviteDto] }) items: InviteDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: null;
}

/** One audit row. */
export class AuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'user:5b1f0c9e-…', description: '`user:<id>` for API actions, `cli:<os user>` for the CLI' }) actor: string;
  @ApiProperty({ example: 'user.disable' }) action: string;
  @ApiProperty({ nullable: true, type: String, example: 'mallory' }) target: string | null;
  @ApiProperty({ type: Object }) details: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) at: string;
}

/** A page of the audit log, newest first. */
export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}
