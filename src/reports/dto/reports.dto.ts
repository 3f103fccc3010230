import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { IsText, Optional, Trim } from '../../common/validation/text.validators';
import { MessageDto } from '../../messages/dto/message.dto';
import { UserSummaryDto } from '../../users/user.presenter';

/** Longest report reason, in characters. */
export const REPORT_REASON_MAX_CHARS = 500;

/** What an administrator can do with a report. */
export const REPORT_ACTIONS = ['dismiss', 'delete_message', 'disable_sender'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** A report's state. */
export const REPORT_STATUSES = ['open', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Body of `POST /messages/:id/report`. */
export class CreateReportDto {
  @ApiProperty({ example: 'Spam link', minLength: 1, maxLength: REPORT_REASON_MAX_CHARS, description: '1..500 characters after trimming; line breaks allowed' })
  @Trim()
  @IsText({ min: 1, max: REPORT_REASON_MAX_CHARS, multiline: true })
  reason: string;
}

/** Answer of `POST /messages/:id/report`. */
export class ReportCreatedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['open'] }) status: 'open';
}

/** Query of `GET /admin/reports`. */
export class ReportsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: REPORT_STATUSES, default: 'open' })
  @Optional()
  @IsIn(REPORT_STATUSES, { message: 'must be "open" or "resolved"' })
  status?: ReportStatus;
}

/** Body of `POST /admin/reports/:id/resolve`. */
export class ResolveReportDto {
  @ApiProperty({
    enum: REPORT_ACTIONS,
    description:
      'dismiss: nothing happens to the message; delete_message: the message becomes a tombstone deleted by you (members get delete_message live); ' +
      'disable_sender: the sender\'s account is disabled (sessions revoked, sockets closed with 4401). delete_message and disable_sender ' +
      'also resolve the other open reports of the same message.',
  })
  @IsIn(REPORT_ACTIONS, { message: 'must be one of dismiss, delete_message, disable_sender' })
  action: ReportAction;
}

/** A report as administrators see it. */
export class ReportDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: REPORT_STATUSES }) status: ReportStatus;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ type: UserSummaryDto }) reporter: UserSummaryDto;
  @ApiProperty({ type: MessageDto, description: 'The reported message as it is now (a tombstone once deleted)' }) message: MessageDto;
  @ApiProperty({ type: [MessageDto], description: 'Up to 2 live messages before and 2 after it in its room, ascending seq' }) context: MessageDto[];
  @ApiProperty({ enum: REPORT_ACTIONS, nullable: true, type: String }) resolution: ReportAction | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) resolved_by: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) resolved_at: string | null;
}

/** A page of reports, newest first. */
export class ReportPageDto {
  @ApiProperty({ type: [ReportDto] }) items: ReportDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}
