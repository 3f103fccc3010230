import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { and, firstRow, keyset, Queryable, rows, SqlParams, statement } from '../database/sql';
import { MESSAGE_JOINS, MessageRow, messageColumns } from '../messages/messages.repository';
import type { ReportAction, ReportStatus } from './dto/reports.dto';

/** A report row with its reporter's names. */
export interface ReportRow {
  id: string;
  message_id: string;
  reporter_id: string;
  reason: string;
  status: ReportStatus;
  resolution: ReportAction | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_at: Date;
  /** Full-precision text of created_at, for the keyset cursor. */
  created_key: string;
  reporter_username: string;
  reporter_display_name: string;
  reporter_avatar_url: string | null;
  reporter_deactivated: boolean;
  reporter_deleted: boolean;
}

/** A context message with the id of the reported message it surrounds. */
export interface ContextRow extends MessageRow {
  anchor_id: string;
}

const REPORT_COLUMNS = `r.id, r.message_id, r.reporter_id, r.reason, r.status, r.resolution, r.resolved_by, r.resolved_at, r.created_at,
  r.created_at::text AS created_key, u.username AS reporter_username, u.display_name AS reporter_display_name,
  u.avatar_url AS reporter_avatar_url, (u.disabled_at IS NOT NULL OR u.deleted_at IS NOT NULL) AS reporter_deactivated,
  u.deleted_at IS NOT NULL AS reporter_deleted`;

/** The `reports` table: members' reports of messages and their resolution. */
@Injectable()
export class ReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores an open report. @returns its id, or null when this member already reported this message. */
  async insert(messageId: string, reporterId: string, reason: string): Promise<string | null> {
    const row = await firstRow<{ id: string }>(
      this.dataSource,
      statement(
        'reports_insert',
        `INSERT INTO reports (message_id, reporter_id, reason) VALUES ($1, $2, $3)
         ON CONFLICT (message_id, reporter_id) DO NOTHING RETURNING id`,
        [messageId, reporterId, reason],
      ),
    );
    return row?.id ?? null;
  }

  /** One report; null when unknown. */
  findById(id: string, q: Queryable = this.dataSource): Promise<ReportRow | null> {
    return firstRow<ReportRow>(q, statement('reports_by_id', `SELECT ${REPORT_COLUMNS} FROM reports r JOIN users u ON u.id = r.reporter_id WHERE r.id = $1`, [id]));
  }

  /**
   * A page of reports in one status, newest first (index reports_status_created_idx).
   * @param after (created_key, id) of the last row of the previous page
   * @param limit rows to return (callers ask one more to learn whether a next page exists)
   */
  findPage(status: ReportStatus, limit: number, after: [string, string] | null): Promise<ReportRow[]> {
    const p = new SqlParams();
    const where = and(
      `r.status = ${p.bind(status)}`,
      keyset(
        p,
        [
          { expr: 'r.created_at', part: 'timestamp' },
          { expr: 'r.id', part: 'uuid' },
        ],
        after,
        'desc',
      ),
    );
    return rows<ReportRow>(
      this.dataSource,
      p.statement(
        'reports_page',
        `SELECT ${REPORT_COLUMNS} FROM reports r JOIN users u ON u.id = r.reporter_id
         WHERE ${where}
         ORDER BY r.created_at DESC, r.id DESC LIMIT ${p.bind(limit, 'int')}`,
      ),
    );
  }

  /** The reported messages, rendered for nobody in particular (`reactions[].me` and `blocked` false). */
  async findMessages(messageIds: string[]): Promise<MessageRow[]> {
    if (messageIds.length === 0) return [];
    return rows<MessageRow>(
      this.dataSource,
      statement('reports_messages', `SELECT ${messageColumns('NULL')} FROM messages m ${MESSAGE_JOINS} WHERE m.id = ANY($1::uuid[])`, [messageIds]),
    );
  }

  /**
   * Up to 2 live messages before and 2 after each given message in its room, ascending seq, in one
   * statement: four probes of messages_room_live_seq_idx per reported message.
   */
  async findContext(messageIds: string[]): Promise<ContextRow[]> {
    if (messageIds.length === 0) return [];
    return rows<ContextRow>(
      this.dataSource,
      statement(
        'reports_context',
        `SELECT x.anchor_id, ${messageColumns('NULL')}
       FROM (
         SELECT a.id AS anchor_id, c.id AS context_id
         FROM messages a
         CROSS JOIN LATERAL (
           (SELECT b.id FROM messages b WHERE b.room_id = a.room_id AND b.seq < a.seq AND b.deleted_at IS NULL ORDER BY b.seq DESC LIMIT 2)
           UNION ALL
           (SELECT b.id FROM messages b WHERE b.room_id = a.room_id AND b.seq > a.seq AND b.deleted_at IS NULL ORDER BY b.seq LIMIT 2)
         ) c
         WHERE a.id = ANY($1::uuid[])
       ) x
       JOIN messages m ON m.id = x.context_id ${MESSAGE_JOINS}
       ORDER BY x.anchor_id, m.seq`,
        [messageIds],
      ),
    );
  }

  /**
   * Resolves an open report, and with `alsoSameMessage` every other open report of the same message.
   * @returns false when the report was not open any more (someone resolved it meanwhile)
   */
  async resolve(manager: EntityManager, id: string, action: ReportAction, resolvedBy: string, alsoSameMessage: boolean): Promise<boolean> {
    const resolved = await rows<{ id: string }>(
      manager,
      statement(
        'reports_resolve',
        `UPDATE reports SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = now()
         WHERE status = 'open' AND (id = $1 OR ($4::boolean AND message_id = (SELECT message_id FROM reports WHERE id = $1)))
         RETURNING id`,
        [id, action, resolvedBy, alsoSameMessage],
      ),
    );
    return resolved.some((r) => r.id === id);
  }
}
