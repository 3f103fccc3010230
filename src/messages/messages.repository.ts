import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '../common/errors/postgres';
import { MESSAGE_COLUMNS, MESSAGE_JOINS, MessageRow } from './message.presenter';

/** The SQL of messages; each query can be pointed at and EXPLAINed (see docs/queries.md). */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Locks the room row for the rest of the transaction: sends to one room are serialized here. */
  async lockRoom(manager: EntityManager, roomId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE`, [roomId]);
    return rows.length > 0;
  }

  /** Takes the next value of the room's counter. Must run inside the transaction that uses it. */
  async nextSeq(manager: EntityManager, roomId: string): Promise<number> {
    const rows = returnedRows<{ last_seq: string }>(
      await manager.query(`UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = now() WHERE id = $1 RETURNING last_seq`, [roomId]),
    );
    return Number(rows[0].last_seq);
  }

  /** The message a sender already sent with this client_msg_id, if any. */
  async findByClientMsgId(manager: EntityManager | DataSource, senderId: string, clientMsgId: string): Promise<MessageRow | null> {
    const rows: MessageRow[] = await manager.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS} WHERE m.sender_id = $1 AND m.client_msg_id = $2`,
      [senderId, clientMsgId],
    );
    return rows[0] ?? null;
  }

  /** True when the message exists in that room (reply targets). */
  async existsInRoom(manager: EntityManager, messageId: string, roomId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM messages WHERE id = $1 AND room_id = $2`, [messageId, roomId]);
    return rows.length > 0;
  }

  /** Inserts a message at `seq` (also its first `updated_seq`) and returns it rendered as a row. */
  async insert(
    manager: EntityManager,
    fields: { roomId: string; seq: number; senderId: string; content: string | null; replyToId: string | null; clientMsgId: string | null },
  ): Promise<MessageRow> {
    const rows: MessageRow[] = await manager.query(
      `WITH m AS (
         INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, reply_to_id, client_msg_id)
         VALUES ($1, $2, $2, $3, 'text', $4, $5, $6) RETURNING *)
       SELECT ${MESSAGE_COLUMNS} FROM m ${MESSAGE_JOINS}`,
      [fields.roomId, fields.seq, fields.senderId, fields.content, fields.replyToId, fields.clientMsgId],
    );
    return rows[0];
  }

  /**
   * A page of non-deleted history in ascending seq. `before`: the `limit` messages just below it;
   * `after`: the `limit` just above it; neither: the newest page (offset by `(page - 1) * limit`).
   * Served by messages_room_seq_uq. Fetches one extra row to tell `has_more`.
   */
  async findPage(roomId: string, opts: { before?: number; after?: number; limit: number; offset: number }): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
    const ascending = opts.after !== undefined;
    const params: unknown[] = [roomId, opts.limit + 1];
    let where = 'm.room_id = $1 AND m.deleted_at IS NULL';
    if (opts.before !== undefined) {
      params.push(opts.before);
      where += ` AND m.seq < $${params.length}`;
    }
    if (opts.after !== undefined) {
      params.push(opts.after);
      where += ` AND m.seq > $${params.length}`;
    }
    params.push(opts.offset);
    const rows: MessageRow[] = await this.db.query(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS}
       WHERE ${where} ORDER BY m.seq ${ascending ? 'ASC' : 'DESC'} LIMIT $2 OFFSET $${params.length}`,
      params,
    );
    const hasMore = rows.length > opts.limit;
    const page = rows.slice(0, opts.limit);
    if (!ascending) page.reverse();
    return { rows: page, hasMore };
  }
}
