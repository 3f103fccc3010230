import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../admin/admin.guard';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors, ErrorResponseDto } from '../common/swagger/api-errors.decorator';
import { CreateReportDto, ReportCreatedDto, ReportDto, ReportPageDto, ReportsQueryDto, ResolveReportDto } from './dto/reports.dto';
import { ReportsService } from './reports.service';

/** Members report messages they can see. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Reports a message to the server administrators. */
  @Post(':id/report')
  @ApiOperation({
    summary: 'Report a message to the server administrators (members who can see it; once per message)',
    description: 'Not one\'s own message, not a deleted one. A second report of the same message by the same member is 409 ALREADY_REPORTED.',
  })
  @ApiCreatedResponse({ type: ReportCreatedDto })
  @ApiErrors(400, 401, 404, 422, 429)
  @ApiResponse({ status: 409, description: 'ALREADY_REPORTED: the caller reported this message before', type: ErrorResponseDto })
  report(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Body() dto: CreateReportDto): Promise<ReportCreatedDto> {
    return this.reports.report(me.userId, id, dto.reason);
  }
}

/** The reports queue of server admins (`/admin/reports`); 401 anonymous, 403 non-admins. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@ApiErrors(401, 403, 429)
@Controller('admin/reports')
export class AdminReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** Lists reports in one status with their messages and context. */
  @Get()
  @ApiOperation({ summary: 'List reports (status open by default, or resolved), newest first, with the message and 2 messages of context each side' })
  @ApiOkResponse({ type: ReportPageDto })
  @ApiErrors(400)
  list(@Query() query: ReportsQueryDto): Promise<ReportPageDto> {
    return this.reports.list(query.status, query.limit, query.cursor);
  }

  /** Resolves a report with an action. */
  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve a report: dismiss, delete_message (tombstone, members told live) or disable_sender; audited' })
  @ApiOkResponse({ type: ReportDto })
  @ApiErrors(400, 404, 422)
  @ApiResponse({ status: 409, description: 'REPORT_ALREADY_RESOLVED', type: ErrorResponseDto })
  resolve(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Body() dto: ResolveReportDto): Promise<ReportDto> {
    return this.reports.resolve(me.userId, id, dto.action);
  }
}
