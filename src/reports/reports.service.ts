import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccountAdminService } from '../admin/account-admin.service';
import { AuditService } from '../admin/audit.service';
import { ContentAdminService } from '../admin/content-admin.service';
import { AppError } from '../common/errors/app-error';
import { decodeKeysetCursor, DEFAULT_LIMIT, encodeCursor, Page } from '../common/pagination/pagination';
import { MessageDto } from '../messages/dto/message.dto';
import { toMessageDto } from '../messages/message.mapper';
import { MessagesService } from '../messages/messages.service';
import { ReportAction, ReportCreatedDto, ReportDto, ReportStatus } from './dto/reports.dto';
import { ReportRow, ReportsRepository } from './reports.repository';

/**
 * Reports of messages: any member who can see a message may report it once; server admins list
 * the reports with the message and its context and resolve them by dismissing, deleting the message
 * or disabling the sender. Every resolution is an audit row (`report.resolve`), next to the audit
 * row of the action it took (`message.delete`, `user.disable`), in the same transaction.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reports: ReportsRepository,
    private readonly messages: MessagesService,
    private readonly accounts: AccountAdminService,
    private readonly content: ContentAdminService,
    private readonly audit: AuditService,
  ) {}

  /**
   * `POST /messages/:id/report`: a member reports a message of one of their rooms.
   * @param reason 1..500 characters, already trimmed and checked by the DTO
   * @throws AppError MESSAGE_NOT_FOUND (404: unknown, deleted, or in a room the caller is not in),
   *   BUSINESS_RULE (422: one's own message, or a system line), ALREADY_REPORTED (409: the caller
   *   reported it before, whatever became of that report)
   */
  async report(userId: string, messageId: string, reason: string): Promise<ReportCreatedDto> {
    const meta = await this.messages.changeableMessage(userId, messageId, 'reported');
    if (meta.deleted_at) throw new AppError('MESSAGE_NOT_FOUND');
    if (meta.sender_id === userId) throw new AppError('BUSINESS_RULE', 'You cannot report your own message.');
    const id = await this.reports.insert(messageId, userId, reason);
    if (!id) throw new AppError('ALREADY_REPORTED');
    return { id, status: 'open' };
  }

  /**
   * `GET /admin/reports`: one page of reports in a status, newest first, each with the reported
   * message (as it is now) and up to 2 live messages before and after it. Three statements a page.
   * @throws AppError INVALID_CURSOR
   */
  async list(status: ReportStatus = 'open', limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<ReportDto>> {
    const after = cursor ? decodeKeysetCursor(cursor) : null;
    const rows = await this.reports.findPage(status, limit + 1, after);
    const page = rows.slice(0, limit);
    const items = await this.present(page);
    const last = page[page.length - 1];
    return { items, next_cursor: rows.length > limit && last ? encodeCursor([last.created_key, last.id]) : null };
  }

  /**
   * `POST /admin/reports/:id/resolve`: takes the action and marks the report resolved, in one
   * transaction with the audit rows. `delete_message` and `disable_sender` also resolve the other
   * open reports of the same message.
   * @returns the resolved report
   * @throws AppError REPORT_NOT_FOUND (404), REPORT_ALREADY_RESOLVED (409, also when another admin
   *   resolved it meanwhile; nothing is then changed), BUSINESS_RULE (422: disable_sender when the
   *   sender's account is gone or is the admin's own)
   */
  async resolve(adminId: string, reportId: string, action: ReportAction): Promise<ReportDto> {
    const report = await this.reports.findById(reportId);
    if (!report) throw new AppError('REPORT_NOT_FOUND');
    if (report.status !== 'open') throw new AppError('REPORT_ALREADY_RESOLVED');
    const actor = `user:${adminId}`;
    const close = async (manager: EntityManager): Promise<void> => {
      if (!(await this.reports.resolve(manager, reportId, action, adminId, action !== 'dismiss'))) throw new AppError('REPORT_ALREADY_RESOLVED');
      await this.audit.record(actor, 'report.resolve', reportId, { action, message_id: report.message_id }, manager);
    };
    if (action === 'dismiss') {
      await this.dataSource.transaction(close);
    } else if (action === 'delete_message') {
      await this.content.deleteMessage(adminId, report.message_id, { report_id: reportId }, close);
    } else {
      const [message] = await this.reports.findMessages([report.message_id]);
      const senderId = message?.sender_id ?? null;
      if (!message || !senderId || message.sender_deleted_at) throw new AppError('BUSINESS_RULE', 'The sender\'s account no longer exists; dismiss the report or delete the message.');
      if (senderId === adminId) throw new AppError('BUSINESS_RULE', 'An administrator cannot disable their own account.');
      await this.accounts.disable(actor, senderId, close);
    }
    const resolved = await this.reports.findById(reportId);
    if (!resolved) throw new AppError('REPORT_NOT_FOUND');
    return (await this.present([resolved]))[0]!;
  }

  /** Renders report rows with their messages and context (two statements whatever the number of rows). */
  private async present(rows: ReportRow[]): Promise<ReportDto[]> {
    const ids = [...new Set(rows.map((r) => r.message_id))];
    const [messageRows, contextRows] = await Promise.all([this.reports.findMessages(ids), this.reports.findContext(ids)]);
    const messages = new Map(messageRows.map((m) => [m.id, toMessageDto(m)]));
    const context = new Map<string, MessageDto[]>();
    for (const row of contextRows) {
      const list = context.get(row.anchor_id) ?? [];
      list.push(toMessageDto(row));
      context.set(row.anchor_id, list);
    }
    return rows
      .filter((r) => messages.has(r.message_id))
      .map((r) => ({
        id: r.id,
        status: r.status,
        reason: r.reason,
        created_at: new Date(r.created_at).toISOString(),
        // A deleted reporter is shown like a deleted sender: the tombstone username means nothing to people.
        reporter: r.reporter_deleted
          ? { id: r.reporter_id, username: 'deleted-user', display_name: 'Deleted user', avatar_url: null, deactivated: true }
          : {
              id: r.reporter_id,
              username: r.reporter_username,
              display_name: r.reporter_display_name,
              avatar_url: r.reporter_avatar_url,
              deactivated: r.reporter_deactivated,
            },
        message: messages.get(r.message_id)!,
        context: context.get(r.message_id) ?? [],
        resolution: r.resolution,
        resolved_by: r.resolved_by,
        resolved_at: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
      }));
  }
}
