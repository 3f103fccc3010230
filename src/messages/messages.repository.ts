import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DM_BLOCKED } from '../blocks/blocks.repository';
import type { GroupCommitPool } from '../database/group-commit-pool';
import { SESSION_OPTIONS } from '../database/typeorm-options';
import { and, execute, firstRow, keyset, Queryable, rows, SqlParams, statement } from '../database/sql';
import { MessageType } from './dto/message.dto';
import type { SystemLineDto } from './system-line.dto';
import { mentionCandidates } from './mentions';

/** A row of the message queries: the message joined with its sender and reply target. */
export interface MessageRow {
  id: string;
  room_id: string;
  seq: number;
  updated_seq: number;
  type: string;
  content: string | null;
  client_msg_id: string | null;
  created_at: Date | string;
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
  /** Who deleted it (messages.deleted_by); absent where a query cannot have deleted rows. */
  deleted_by?: string | null;
  sender_id: string | null;
  sender_username: string | null;
  sender_display_name: string | null;
  sender_avatar_url: string | null;
  sender_deleted_at: Date | string | null;
  /** Set while an administrator has disabled the sender; absent where a query does not select it. */
  sender_disabled_at?: Date | string | null;
  reply_to_id: string | null;
  reply_sender_id: string | null;
  reply_content: string | null;
  reply_deleted_at: Date | string | null;
  /** JSON array from {@link messageColumns}; null or empty when there are none. */
  attachments?: AttachmentRow[] | null;
  /** JSON array from {@link messageColumns}, `me` relative to the viewer given there. */
  reactions?: ReactionRow[] | null;
  /** Ids of the mentioned members (messages.mentions); absent or null reads as none. */
  mentions?: string[] | null;
  /** True when the viewer given to {@link messageColumns} blocked the sender; absent reads as false. */
  blocked?: boolean | null;
  /** messages.system: the payload of a system line, null (or absent) for other messages. */
  system?: SystemLineDto | null;
}

/** An attachment as the message queries return it. */
export interface AttachmentRow {
  id: string;
  mime: string;
  /** bytes */
  size: number;
  name: string;
}

/** One emoji's reactions as the message queries return them. */
export interface ReactionRow {
  emoji: string;
  count: number;
  me: boolean | null;
}

/**
 * The columns every message query selects, aliased as {@link MessageRow}; `m` is messages. Attachments
 * and reactions are aggregated per message by correlated subqueries on their primary keys, so a page
 * of N messages costs N small index scans, not N round trips.
 * `blocked` is one probe of the user_blocks primary key (viewer, sender) per message; system lines
 * (joins, renames: facts about the room, not the actor's words) are never marked.
 * @param viewer SQL expression of the viewing user's id: a uuid placeholder from SqlParams.bind, a
 *   column, or `NULL` when `reactions[].me` and `blocked` should be false for everyone (broadcasts
 *   personalise reactions afterwards; a blocker never gets the blocked sender's broadcasts).
 */
export function messageColumns(viewer: string): string {
  return `
  m.id, m.room_id, m.seq, m.updated_seq, m.type, m.content, m.client_msg_id, m.created_at, m.edited_at, m.deleted_at, m.deleted_by,
  m.sender_id, su.username AS sender_username, su.display_name AS sender_display_name,
  su.avatar_url AS sender_avatar_url, su.deleted_at AS sender_deleted_at, su.disabled_at AS sender_disabled_at,
  m.reply_to_id, rm.sender_id AS reply_sender_id, rm.content AS reply_content, rm.deleted_at AS reply_deleted_at, m.mentions, m.system,
  (SELECT json_agg(json_build_object('id', up.id, 'mime', up.mime, 'size', up.size, 'name', up.name) ORDER BY ma.position)
     FROM message_attachments ma JOIN uploads up ON up.id = ma.upload_id WHERE ma.message_id = m.id) AS attachments,
  (SELECT json_agg(json_build_object('emoji', x.emoji, 'count', x.n, 'me', x.me) ORDER BY x.first_at, x.emoji)
     FROM (SELECT mr.emoji, count(*) AS n, coalesce(bool_or(mr.user_id = ${viewer}), false) AS me, min(mr.created_at) AS first_at
           FROM message_reactions mr WHERE mr.message_id = m.id GROUP BY mr.emoji) x) AS reactions,
  (m.type <> 'system' AND EXISTS (SELECT 1 FROM user_blocks ub WHERE ub.blocker_id = ${viewer} AND ub.blocked_id = m.sender_id)) AS blocked`;
}

/** The joins {@link messageColumns} needs. */
export const MESSAGE_JOINS = `
  LEFT JOIN users su ON su.id = m.sender_id
  LEFT JOIN messages rm ON rm.id = m.reply_to_id`;

/** The fields of a message that decide who may change it and how. */
export interface MessageMeta {
  id: string;
  room_id: string;
  sender_id: string | null;
  deleted_at: Date | null;
  /** `system` for system lines, which nobody may edit, delete, react to or reply to. */
  type: MessageType;
  /** Seconds since the message was created, by the database clock. */
  age_seconds: number;
}

/** A search hit: the message row plus its highlighted snippet. */
export interface SearchRow extends MessageRow {
  snippet: string;
  /** Full-precision text of created_at, for the keyset cursor. */
  created_key: string;
}

/** One text send of a group-commit batch. */
export interface BatchSendRow {
  roomId: string;
  senderId: string;
  content: string;
  replyToId: string | null;
  clientMsgId: string | null;
}

/**
 * The candidate usernames of a send as one parameter value: space-separated (usernames hold no
 * spaces), null when there are none, so the group-commit statement takes them as one more parallel
 * array and resolves each send's own list with no join between sends.
 */
export function mentionCandidatesParam(content: string | null): string | null {
  const names = mentionCandidates(content);
  return names.length > 0 ? names.join(' ') : null;
}

/**
 * What {@link MessagesRepository.commitTextBatch} answers per send: `stored` (the message columns
 * are set), `no_room`, `not_member` (room_type says which error to show), `existing` (the sender
 * stored this client_msg_id before), `twin` (an earlier send of the same batch with this
 * client_msg_id is the one stored) or `bad_reply` (reply target not in this room). The checks apply
 * in that order, as on the single-send path.
 */
export interface BatchOutcomeRow extends MessageRow {
  ord: number;
  outcome: 'stored' | 'no_room' | 'not_member' | 'blocked' | 'existing' | 'twin' | 'bad_reply';
  room_type: string | null;
}

/** The full-text configuration of messages.search_tsv (see the Conversations migration). */
const TS_CONFIG = `'simple'::regconfig`;

/**
 * The ids of the room's members among the candidate usernames (see mentionCandidates), in candidate
 * order: the `mentions` of a message. Each candidate is one probe of users_username_lower_uq and one
 * of the room_members primary key; users of deleted accounts are never resolved.
 * @param room SQL expression of the room id
 * @param names SQL expression of the lower-cased candidate usernames (text[])
 */
const resolveMentions = (room: string, names: string): string => `
  coalesce((SELECT array_agg(mu.id ORDER BY c.pos)
            FROM unnest(${names}::text[]) WITH ORDINALITY AS c(name, pos)
            CROSS JOIN LATERAL (SELECT u.id FROM users u WHERE lower(u.username) = c.name AND u.deleted_at IS NULL OFFSET 0) mu
            WHERE coalesce((SELECT true FROM room_members rmm WHERE rmm.room_id = ${room} AND rmm.user_id = mu.id), false)), '{}'::uuid[])`;

/**
 * The checks of a send, as the columns `member`, `existing_id` and `reply_ok` of the `checked` step
 * of both group-commit forms ({@link COMMIT_TEXT_BATCH}, {@link COMMIT_ONE_TEXT}); each is one probe
 * by key. With `room_type` (null: no such room) and `blocked`, they decide the outcome in the order
 * of {@link SEND_OUTCOME}.
 * @param room SQL expression of the room id; `sender`, `clientMsgId`, `replyTo` likewise
 */
const SEND_CHECKS = (room: string, sender: string, clientMsgId: string, replyTo: string): string => `
  coalesce((SELECT true FROM room_members rmb WHERE rmb.room_id = ${room} AND rmb.user_id = ${sender}), false) AS member,
  (SELECT e.id FROM messages e WHERE e.sender_id = ${sender} AND e.room_id = ${room} AND e.client_msg_id = ${clientMsgId}) AS existing_id,
  (${replyTo} IS NULL OR (SELECT target.room_id FROM messages target WHERE target.id = ${replyTo} AND target.type <> 'system') = ${room}) AS reply_ok`;

/** True for a checked send (alias `c`, see {@link SEND_CHECKS}) that may be stored. */
const SEND_PASSES = (c: string): string => `${c}.room_type IS NOT NULL AND ${c}.member AND NOT ${c}.blocked AND ${c}.existing_id IS NULL AND ${c}.reply_ok`;

/**
 * The tail both group-commit forms share, after a `numbered` step that holds each stored send's
 * room_id, sender_id, content, reply_to_id, client_msg_id, new id, seq, created_at and resolved
 * mentions: the INSERT, and the mention counts (one row per mentioned member other than the sender;
 * see the Mentions migration).
 */
const STORE_NUMBERED = `
   ins AS (
     INSERT INTO messages (id, room_id, seq, updated_seq, sender_id, type, content, reply_to_id, client_msg_id, created_at, mentions)
     SELECT id, room_id, seq, seq, sender_id, 'text', content, reply_to_id, client_msg_id, created_at, mentions FROM numbered),
   counted_mentions AS (
     INSERT INTO message_mentions (room_id, user_id, seq)
     SELECT n.room_id, x.user_id, n.seq FROM numbered n CROSS JOIN LATERAL unnest(n.mentions) AS x(user_id)
     WHERE x.user_id <> n.sender_id)`;

/**
 * The answer of both group-commit forms, one {@link BatchOutcomeRow} per send: `c` is the checked
 * send (with `ord`, and `first_ord`, the ord of the stored send of its client_msg_id in the batch),
 * `n` its `numbered` row when stored. The outcome CASE is the order in which the checks apply.
 * OFFSET 0 keeps each lookup a parameterized probe (a subquery the planner cannot turn into a join).
 */
const SEND_OUTCOME = `
   SELECT c.ord,
          CASE WHEN n.id IS NOT NULL THEN 'stored'
               WHEN c.room_type IS NULL THEN 'no_room'
               WHEN NOT c.member THEN 'not_member'
               WHEN c.blocked THEN 'blocked'
               WHEN c.existing_id IS NOT NULL THEN 'existing'
               WHEN c.first_ord < c.ord THEN 'twin'
               ELSE 'bad_reply' END AS outcome,
          c.room_type,
          n.id, n.room_id, n.seq, n.seq AS updated_seq, 'text' AS type, n.content, n.client_msg_id, n.created_at,
          NULL::timestamptz AS edited_at, NULL::timestamptz AS deleted_at,
          n.sender_id, su.username AS sender_username, su.display_name AS sender_display_name,
          su.avatar_url AS sender_avatar_url, su.deleted_at AS sender_deleted_at,
          n.reply_to_id, rm.sender_id AS reply_sender_id, rm.content AS reply_content, rm.deleted_at AS reply_deleted_at,
          NULL::json AS attachments, NULL::json AS reactions, n.mentions`;
const SEND_OUTCOME_JOINS = `
   LEFT JOIN LATERAL (SELECT u.username, u.display_name, u.avatar_url, u.deleted_at FROM users u WHERE u.id = n.sender_id OFFSET 0) su ON true
   LEFT JOIN LATERAL (SELECT t.sender_id, t.content, t.deleted_at FROM messages t WHERE t.id = n.reply_to_id OFFSET 0) rm ON true`;

/**
 * The group-commit statement ({@link MessagesRepository.commitTextBatch}); parameters `$1..$6` are
 * parallel arrays: room ids, sender ids, contents, reply target ids, client_msg_ids, candidate
 * mentions (see {@link mentionCandidatesParam}). Mentions are resolved per stored send against the
 * room's members under the room locks taken here, so a mention and a kick cannot interleave; a send
 * without candidates skips the lookup.
 *
 * It runs as a named statement with a generic plan cached for the life of its connection (see
 * {@link GROUP_COMMIT_SESSION_OPTIONS}), so its plan must not depend on how big the tables were when
 * it was made. Every access to a table is therefore a probe by key that can only be planned as an
 * index lookup: scalar subqueries (never hashed, unlike EXISTS/IN) and `= ANY(array)` conditions,
 * no join with a table other than by such a condition (a join may be hashed or merged over the whole
 * table), with sequential scans
 * disabled on those connections. A plan made while `messages` looked empty once scanned the whole
 * table for each send (docs/performance.md, "write path and table size"). `checked` is materialized
 * so that its probes run once per send, not again inside the window FILTER that reads them.
 * New ids are made here, so the answer needs no join back from the INSERT's output.
 */
export const COMMIT_TEXT_BATCH = {
  name: 'messages_commit_text_batch',
  text: `WITH input AS (
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[]) WITH ORDINALITY
       AS t(room_id, sender_id, content, reply_to_id, client_msg_id, mention_names, ord)),
   locked AS (
     SELECT r.id, r.type, r.dm_key FROM rooms r WHERE r.id = ANY($1::uuid[]) ORDER BY r.id FOR UPDATE),
   checked AS MATERIALIZED (
     SELECT i.*, l.type AS room_type, ${DM_BLOCKED('l.dm_key')} AS blocked,
            ${SEND_CHECKS('i.room_id', 'i.sender_id', 'i.client_msg_id', 'i.reply_to_id')}
     FROM input i LEFT JOIN locked l ON l.id = i.room_id),
   ranked AS (
     -- The first send of a new client_msg_id that passes every check is the one stored; later
     -- sends of that key in the batch are its twins. Refused sends never claim a key.
     SELECT c.*,
            CASE WHEN c.client_msg_id IS NOT NULL THEN
              min(c.ord) FILTER (WHERE ${SEND_PASSES('c')})
                OVER (PARTITION BY c.sender_id, c.room_id, c.client_msg_id) END AS first_ord
     FROM checked c),
   fresh AS (
     SELECT c.ord, c.room_id, c.sender_id, c.content, c.reply_to_id, c.client_msg_id, c.mention_names,
            row_number() OVER (PARTITION BY c.room_id ORDER BY c.ord) AS k,
            count(*) OVER (PARTITION BY c.room_id) AS n
     FROM ranked c
     WHERE ${SEND_PASSES('c')} AND (c.client_msg_id IS NULL OR c.ord = c.first_ord)),
   bumped AS (
     -- r.id = ANY($1) bounds the rooms side to the batch's rooms however the join is planned.
     UPDATE rooms r SET last_seq = r.last_seq + c.n, live_count = r.live_count + c.n, last_activity_at = now()
     FROM (SELECT room_id, max(n) AS n FROM fresh GROUP BY room_id) c
     WHERE r.id = c.room_id AND r.id = ANY($1::uuid[])
     RETURNING r.id, r.last_seq),
   numbered AS (
     SELECT f.*, gen_random_uuid() AS id, b.last_seq - f.n + f.k AS seq, now() AS created_at,
            -- Stored sends only: each candidate is a probe of the username index, then of the membership key.
            CASE WHEN f.mention_names IS NULL THEN '{}'::uuid[]
                 ELSE ${resolveMentions('f.room_id', "string_to_array(f.mention_names, ' ')")} END AS mentions
     FROM fresh f JOIN bumped b ON b.id = f.room_id),${STORE_NUMBERED},
   own AS (
     -- Unread counters: the room's live_count grew above (bumped); a sender's own new messages are
     -- not unread for them.
     UPDATE room_members m SET own_unread = m.own_unread + s.k
     FROM (SELECT room_id, sender_id, count(*) AS k FROM fresh GROUP BY room_id, sender_id) s
     WHERE m.room_id = s.room_id AND m.user_id = s.sender_id AND m.room_id = ANY($1::uuid[]))${SEND_OUTCOME}
   FROM ranked c
   LEFT JOIN numbered n ON n.ord = c.ord${SEND_OUTCOME_JOINS}
   ORDER BY c.ord`,
} as const;

/**
 * {@link COMMIT_TEXT_BATCH} for a batch of one send, with the same checks, effects and answer (one row,
 * `ord` 1), its parameters `$1..$6` the send's own values instead of arrays. A lone send cannot have a
 * twin and takes one seq from one room, so the arrays, the per-room numbering and the twin window
 * fall away: its plan has a third of the batch form's nodes, and starting and ending those nodes is
 * most of what a small batch costs PostgreSQL. Batches of one are the common case below the write
 * path's capacity (docs/performance.md, "Session 7"). Same generic-plan rules as the batch form.
 */
export const COMMIT_ONE_TEXT = {
  name: 'messages_commit_one_text',
  text: `WITH checked AS MATERIALIZED (
     SELECT 1::bigint AS ord, NULL::bigint AS first_ord, l.type AS room_type, ${DM_BLOCKED('l.dm_key')} AS blocked,
            ${SEND_CHECKS('$1::uuid', '$2::uuid', '$5::text', '$4::uuid')}
     FROM (SELECT) AS one LEFT JOIN LATERAL (SELECT r.type, r.dm_key FROM rooms r WHERE r.id = $1::uuid FOR UPDATE) l ON true),
   bumped AS (
     UPDATE rooms r SET last_seq = r.last_seq + 1, live_count = r.live_count + 1, last_activity_at = now()
     FROM checked c
     WHERE r.id = $1::uuid AND ${SEND_PASSES('c')}
     RETURNING r.last_seq),
   numbered AS (
     SELECT $1::uuid AS room_id, $2::uuid AS sender_id, $3::text AS content, $4::uuid AS reply_to_id, $5::text AS client_msg_id,
            gen_random_uuid() AS id, b.last_seq AS seq, now() AS created_at,
            CASE WHEN $6::text IS NULL THEN '{}'::uuid[]
                 ELSE ${resolveMentions('$1::uuid', "string_to_array($6::text, ' ')")} END AS mentions
     FROM bumped b),${STORE_NUMBERED},
   own AS (
     UPDATE room_members m SET own_unread = m.own_unread + 1 FROM bumped b WHERE m.room_id = $1::uuid AND m.user_id = $2::uuid)${SEND_OUTCOME}
   FROM checked c
   LEFT JOIN numbered n ON true${SEND_OUTCOME_JOINS}`,
} as const;

/**
 * Session settings of the connections that run {@link COMMIT_TEXT_BATCH} and {@link COMMIT_ONE_TEXT}: the server's
 * ({@link SESSION_OPTIONS}: a generic plan made once; planning took longer than running a batch), and
 * no sequential scans, so that plan is made of index probes whatever the table statistics said when
 * it was made. Also covers the foreign-key checks the INSERT fires on these connections (they are
 * cached plans too).
 */
export const GROUP_COMMIT_SESSION_OPTIONS = `${SESSION_OPTIONS} -c enable_seqscan=off`;

/** The SQL of messages; each query can be pointed at and EXPLAINed (see docs/queries.md). */
@Injectable()
export class MessagesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Takes the next value of the room's counter for a new message, counts one more live message and
   * marks the room active. Inside the locking transaction.
   */
  async nextSeq(tx: Queryable, roomId: string): Promise<number> {
    const row = await firstRow<{ last_seq: number }>(
      tx,
      statement(
        'messages_next_seq',
        `UPDATE rooms SET last_seq = last_seq + 1, live_count = live_count + 1, last_activity_at = now() WHERE id = $1 RETURNING last_seq`,
        [roomId],
      ),
    );
    return row!.last_seq;
  }

  /**
   * Takes the next value of the room's counter for a change (edit, delete, reaction); unlike a new
   * message, a change does not move the room up in `rooms/me`. Inside the locking transaction.
   */
  async nextChangeSeq(tx: Queryable, roomId: string): Promise<number> {
    const row = await firstRow<{ last_seq: number }>(
      tx,
      statement('messages_next_change_seq', `UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq`, [roomId]),
    );
    return row!.last_seq;
  }

  /** The message a sender already sent to this room with this client_msg_id, if any, rendered for that sender. */
  async findByClientMsgId(q: Queryable, senderId: string, roomId: string, clientMsgId: string): Promise<MessageRow | null> {
    return (await this.findByClientMsgIds(q, [senderId], [roomId], [clientMsgId]))[0] ?? null;
  }

  /**
   * True when a message with this id exists in that room and may be replied to (reply targets;
   * deleted ones included, system lines not).
   */
  async existsInRoom(tx: Queryable, messageId: string, roomId: string): Promise<boolean> {
    const found = await firstRow(
      tx,
      statement('messages_exists_in_room', `SELECT 1 FROM messages WHERE id = $1 AND room_id = $2 AND type <> 'system'`, [messageId, roomId]),
    );
    return found !== null;
  }

  /**
   * Inserts a message at a seq taken with {@link nextSeq}, with its mentions resolved against the
   * room's members, and counts it in the sender's own unread count and the mentioned members'
   * mention counts. Inside the locking transaction.
   * @returns the new message's id.
   */
  async insert(
    tx: Queryable,
    fields: { roomId: string; seq: number; senderId: string; type: MessageType; content: string | null; replyToId: string | null; clientMsgId: string | null },
  ): Promise<string> {
    const row = await firstRow<{ id: string }>(
      tx,
      statement(
        'messages_insert',
        `WITH ins AS (
           INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, reply_to_id, client_msg_id, mentions)
           VALUES ($1, $2, $2, $3, $4, $5, $6, $7, ${resolveMentions('$1::uuid', '$8')}) RETURNING id, mentions),
         own AS (UPDATE room_members SET own_unread = own_unread + 1 WHERE room_id = $1 AND user_id = $3),
         counted_mentions AS (
           INSERT INTO message_mentions (room_id, user_id, seq)
           SELECT $1, x.user_id, $2 FROM ins CROSS JOIN LATERAL unnest(ins.mentions) AS x(user_id) WHERE x.user_id <> $3)
         SELECT id FROM ins`,
        [fields.roomId, fields.seq, fields.senderId, fields.type, fields.content, fields.replyToId, fields.clientMsgId, mentionCandidates(fields.content)],
      ),
    );
    return row!.id;
  }

  /**
   * Stores a system line (join, leave, removal, rename) at the room's next seq, sent by `senderId`
   * (who did it), with no content and `system` as its payload. Unlike {@link nextSeq} it does not
   * count a live message: system lines are never unread and mention nobody, so rooms.live_count,
   * room_members.own_unread and message_mentions stay as they are. The room still becomes active (it
   * moves up in `rooms/me`, where the line is its last message). Call under the room lock, in the
   * transaction that changes the membership or the name, so seq order is the order of events.
   * @returns the new message id.
   */
  async insertSystemLine(tx: Queryable, roomId: string, senderId: string, system: SystemLineDto): Promise<string> {
    const row = await firstRow<{ id: string }>(
      tx,
      statement(
        'messages_insert_system_line',
        `WITH bumped AS (UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = now() WHERE id = $1 RETURNING last_seq)
         INSERT INTO messages (room_id, seq, updated_seq, sender_id, type, content, system)
         SELECT $1, b.last_seq, b.last_seq, $2, 'system', NULL, $3::jsonb FROM bumped b RETURNING id`,
        [roomId, senderId, JSON.stringify(system)],
      ),
    );
    return row!.id;
  }

  /**
   * Group commit in one statement (one round trip, and as a single statement its own transaction, so
   * one COMMIT and one WAL flush): locks the batch's rooms in id order (concurrent batches and single
   * sends cannot deadlock), checks each send (room, membership, block, client_msg_id retry, reply
   * target) as the single path does, lets the first send of a client_msg_id win over its twins in the
   * batch, resolves each stored send's mentions against the room's members, takes consecutive seqs
   * from each room's counter in input order for the sends that pass, inserts them, and answers one
   * row per input send. A batch of one runs {@link COMMIT_ONE_TEXT}, the same operation with a
   * smaller plan; more run {@link COMMIT_TEXT_BATCH}.
   * A (sender, room, client_msg_id) committed by another transaction after this statement's snapshot fails
   * the whole statement with a unique violation; callers then retry send by send.
   * @param db connections to run it on: the group-commit pool (see GroupCommitPool).
   * @param sends in arrival order; content already trimmed and validated.
   * @returns per input index (`ord`, 1-based): the outcome, and the rendered message when stored.
   */
  async commitTextBatch(db: Pick<GroupCommitPool, 'query'>, sends: BatchSendRow[]): Promise<BatchOutcomeRow[]> {
    const { name, text } = sends.length === 1 ? COMMIT_ONE_TEXT : COMMIT_TEXT_BATCH;
    const column = <T>(pick: (send: BatchSendRow) => T): T | T[] => (sends.length === 1 ? pick(sends[0]) : sends.map(pick));
    const result = await db.query<BatchOutcomeRow>({
      name,
      text,
      values: [
        column((r) => r.roomId),
        column((r) => r.senderId),
        column((r) => r.content),
        column((r) => r.replyToId),
        column((r) => r.clientMsgId),
        column((r) => mentionCandidatesParam(r.content)),
      ],
    });
    return result.rows;
  }

  /**
   * The messages senders already sent with these client_msg_ids, each to the room given with it
   * (client_msg_id is scoped to sender and room), each rendered for its sender (retries in a batch).
   */
  async findByClientMsgIds(q: Queryable, senderIds: string[], roomIds: string[], clientMsgIds: string[]): Promise<MessageRow[]> {
    if (senderIds.length === 0) return [];
    return rows<MessageRow>(
      q,
      statement(
        'messages_by_client_msg_ids',
        `SELECT ${messageColumns('m.sender_id')} FROM messages m ${MESSAGE_JOINS}
         WHERE (m.sender_id, m.room_id, m.client_msg_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]))`,
        [senderIds, roomIds, clientMsgIds],
      ),
    );
  }

  /** Links uploads to a message, keeping the given order. */
  async attach(tx: Queryable, messageId: string, uploadIds: string[]): Promise<void> {
    if (uploadIds.length === 0) return;
    await execute(
      tx,
      statement(
        'messages_attach',
        `INSERT INTO message_attachments (message_id, upload_id, position)
         SELECT $1, u.id, u.ord - 1 FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, ord)`,
        [messageId, uploadIds],
      ),
    );
  }

  /**
   * One message rendered as a row; null when unknown.
   * @param viewerId whose `reactions[].me` to compute; null for none (broadcasts).
   */
  findById(q: Queryable, messageId: string, viewerId: string | null): Promise<MessageRow | null> {
    const p = new SqlParams();
    const id = p.bind(messageId);
    const viewer = p.bind(viewerId, 'uuid');
    return firstRow<MessageRow>(q, p.statement('messages_by_id', `SELECT ${messageColumns(viewer)} FROM messages m ${MESSAGE_JOINS} WHERE m.id = ${id}`));
  }

  /** Who sent a message, where, whether it is deleted and how old it is; null when unknown. */
  findMeta(q: Queryable, messageId: string): Promise<MessageMeta | null> {
    return firstRow<MessageMeta>(
      q,
      statement(
        'messages_meta',
        `SELECT id, room_id, sender_id, deleted_at, type, extract(epoch FROM now() - created_at)::float8 AS age_seconds FROM messages WHERE id = $1`,
        [messageId],
      ),
    );
  }

  /**
   * Replaces the content of a live message, stamping `edited_at` and the change's `updated_seq`, and
   * resolves its mentions again against the room's current members: mention rows of users no longer
   * mentioned go, new ones come (the sender never counts). Inside the transaction holding the room lock.
   */
  async updateContent(tx: Queryable, messageId: string, content: string, updatedSeq: number): Promise<void> {
    await execute(
      tx,
      statement(
        'messages_update_content',
        `WITH cur AS (SELECT room_id, seq, sender_id, mentions FROM messages WHERE id = $1 AND deleted_at IS NULL),
         next AS (SELECT cur.*, ${resolveMentions('cur.room_id', '$4')} AS ids FROM cur),
         upd AS (UPDATE messages m SET content = $2, edited_at = now(), updated_seq = $3, mentions = next.ids FROM next WHERE m.id = $1),
         dropped AS (
           DELETE FROM message_mentions mm USING next
           WHERE mm.room_id = next.room_id AND mm.seq = next.seq AND mm.user_id = ANY(next.mentions) AND NOT (mm.user_id = ANY(next.ids)))
         INSERT INTO message_mentions (room_id, user_id, seq)
         SELECT next.room_id, x.user_id, next.seq FROM next CROSS JOIN LATERAL unnest(next.ids) AS x(user_id)
         WHERE x.user_id IS DISTINCT FROM next.sender_id AND NOT (x.user_id = ANY(next.mentions))`,
        [messageId, content, updatedSeq, mentionCandidates(content)],
      ),
    );
  }

  /**
   * Turns a message into a tombstone: content, mentions, attachments and reactions are dropped, id and
   * seq stay; the unread and mention counters stop counting it. The generated search column follows the content, so a
   * deleted message is no longer found. Inside the transaction holding the room lock.
   * @param deletedBy who deleted it (the sender, a room owner/admin, or a server admin)
   */
  async markDeleted(tx: Queryable, messageId: string, updatedSeq: number, deletedBy: string): Promise<void> {
    // Unread counters: one live message less in the room, and in the counts of whoever it was counted
    // for. System lines were never counted (see insertSystemLine).
    await execute(
      tx,
      statement(
        'messages_uncount_deleted',
        `WITH d AS (SELECT room_id, seq, sender_id FROM messages WHERE id = $1 AND deleted_at IS NULL AND type <> 'system'),
         room AS (UPDATE rooms r SET live_count = r.live_count - 1 FROM d WHERE r.id = d.room_id)
         UPDATE room_members m SET
           read_live = m.read_live - CASE WHEN m.last_read_seq >= d.seq THEN 1 ELSE 0 END,
           own_unread = m.own_unread - CASE WHEN m.last_read_seq < d.seq AND m.user_id = d.sender_id THEN 1 ELSE 0 END
         FROM d
         WHERE m.room_id = d.room_id AND (m.last_read_seq >= d.seq OR m.user_id = d.sender_id)`,
        [messageId],
      ),
    );
    await execute(
      tx,
      statement(
        'messages_mark_deleted',
        `WITH d AS (SELECT room_id, seq, mentions FROM messages WHERE id = $1 AND deleted_at IS NULL),
         unmention AS (DELETE FROM message_mentions mm USING d WHERE mm.room_id = d.room_id AND mm.seq = d.seq AND mm.user_id = ANY(d.mentions))
         UPDATE messages SET content = NULL, mentions = '{}', deleted_at = now(), deleted_by = $3, updated_seq = $2 WHERE id = $1`,
        [messageId, updatedSeq, deletedBy],
      ),
    );
    await execute(tx, statement('messages_detach_all', `DELETE FROM message_attachments WHERE message_id = $1`, [messageId]));
    await execute(tx, statement('messages_unreact_all', `DELETE FROM message_reactions WHERE message_id = $1`, [messageId]));
  }

  /** Stamps a message with the `updated_seq` of a change made to it (reactions). */
  async touch(tx: Queryable, messageId: string, updatedSeq: number): Promise<void> {
    await execute(tx, statement('messages_touch', `UPDATE messages SET updated_seq = $2 WHERE id = $1`, [messageId, updatedSeq]));
  }

  /** Adds a reaction. @returns false when the user had already reacted with that emoji. */
  async addReaction(tx: Queryable, messageId: string, userId: string, emoji: string): Promise<boolean> {
    const added = await execute(
      tx,
      statement('messages_add_reaction', `INSERT INTO message_reactions (message_id, emoji, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
        messageId,
        emoji,
        userId,
      ]),
    );
    return added > 0;
  }

  /** Removes a reaction. @returns false when there was none. */
  async removeReaction(tx: Queryable, messageId: string, userId: string, emoji: string): Promise<boolean> {
    const removed = await execute(
      tx,
      statement('messages_remove_reaction', `DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3`, [messageId, emoji, userId]),
    );
    return removed > 0;
  }

  /** For each user who reacted to the message, the emojis they used (to personalise `me` in broadcasts). */
  async reactorsOf(messageId: string): Promise<Map<string, Set<string>>> {
    const found = await rows<{ user_id: string; emoji: string }>(
      this.db,
      statement('messages_reactors', `SELECT user_id, emoji FROM message_reactions WHERE message_id = $1`, [messageId]),
    );
    const map = new Map<string, Set<string>>();
    for (const r of found) {
      let set = map.get(r.user_id);
      if (!set) map.set(r.user_id, (set = new Set()));
      set.add(r.emoji);
    }
    return map;
  }

  /**
   * A page of non-deleted history in ascending seq, empty unless `viewerId` is a member of the room.
   * `before`: the `limit` messages just below it; `after`: the `limit` just above it; neither: the
   * newest page (offset by `(page - 1) * limit`).
   * Served by messages_room_live_seq_idx / messages_room_seq_uq. Fetches one extra row to tell `has_more`.
   * One prepared statement per shape (with or without before/after).
   */
  async findPage(
    roomId: string,
    viewerId: string,
    opts: { before?: number; after?: number; limit: number; offset: number },
  ): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
    const ascending = opts.after !== undefined;
    const p = new SqlParams();
    const room = p.bind(roomId);
    const limit = p.bind(opts.limit + 1);
    const viewer = p.bind(viewerId, 'uuid');
    // Only for a member (checked once, as an InitPlan): the caller then needs no access lookup
    // before the page, only when it comes back empty (to tell 403/404 from an empty room).
    const where = and(
      `m.room_id = ${room} AND m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM room_members a WHERE a.room_id = ${room} AND a.user_id = ${viewer})`,
      opts.before !== undefined && `m.seq < ${p.bind(opts.before)}`,
      opts.after !== undefined && `m.seq > ${p.bind(opts.after)}`,
    );
    const found = await rows<MessageRow>(
      this.db,
      p.statement(
        'messages_page',
        `SELECT ${messageColumns(viewer)} FROM messages m ${MESSAGE_JOINS}
         WHERE ${where} ORDER BY m.seq ${ascending ? 'ASC' : 'DESC'} LIMIT ${limit} OFFSET ${p.bind(opts.offset)}`,
      ),
    );
    const hasMore = found.length > opts.limit;
    const page = found.slice(0, opts.limit);
    if (!ascending) page.reverse();
    return { rows: page, hasMore };
  }

  /**
   * Every message of a room changed after `afterSeq` (new, edited, deleted, reacted to), ascending
   * `updated_seq`, at most `limit + 1` rows; served by messages_room_updated_seq_idx.
   */
  findChanges(q: Queryable, roomId: string, viewerId: string, afterSeq: number, limit: number): Promise<MessageRow[]> {
    const p = new SqlParams();
    const room = p.bind(roomId);
    const after = p.bind(afterSeq);
    const viewer = p.bind(viewerId, 'uuid');
    return rows<MessageRow>(
      q,
      p.statement(
        'messages_changes',
        `SELECT ${messageColumns(viewer)} FROM messages m ${MESSAGE_JOINS}
         WHERE m.room_id = ${room} AND m.updated_seq > ${after} ORDER BY m.updated_seq ASC LIMIT ${p.bind(limit + 1)}`,
      ),
    );
  }

  /** The room's counter (highest seq or updated_seq handed out); null when the room is gone. */
  async roomLastSeq(q: Queryable, roomId: string): Promise<number | null> {
    const row = await firstRow<{ last_seq: number }>(q, statement('messages_room_last_seq', `SELECT last_seq FROM rooms WHERE id = $1`, [roomId]));
    return row?.last_seq ?? null;
  }

  /**
   * Moves a member's read pointer forward to `seq` (never backwards), moving the live messages it
   * passes into the member's read count (a count of the range just read, so the cost follows what
   * was read, not the backlog). Holds the room in share mode first, so no send or delete commits
   * between that count and the update (they lock the room row for update).
   * @returns the pointer, the unread and mention counts after the call, and whether the pointer moved; null
   *   when the user is not a member.
   */
  async advanceReadPointer(
    roomId: string,
    userId: string,
    seq: number,
  ): Promise<{ lastReadSeq: number; unreadCount: number; mentionCount: number; moved: boolean } | null> {
    return this.db.transaction(async (tx) => {
      await execute(tx, statement('messages_share_room', `SELECT 1 FROM rooms WHERE id = $1 FOR SHARE`, [roomId]));
      const row = await firstRow<{ last_read_seq: number; unread_count: number; mention_count: number; moved: boolean }>(
        tx,
        statement(
          'messages_advance_read_pointer',
          `WITH passed AS (
             SELECT count(*) AS live, count(*) FILTER (WHERE u.sender_id = $2) AS own
             FROM room_members p JOIN messages u ON u.room_id = p.room_id AND u.seq > p.last_read_seq AND u.seq <= $3 AND u.deleted_at IS NULL
               AND u.type <> 'system'
             WHERE p.room_id = $1 AND p.user_id = $2),
           upd AS (
             UPDATE room_members m SET last_read_seq = $3, read_live = m.read_live + passed.live, own_unread = m.own_unread - passed.own
             FROM passed WHERE m.room_id = $1 AND m.user_id = $2 AND m.last_read_seq < $3
             RETURNING m.last_read_seq, m.read_live, m.own_unread)
           SELECT coalesce(upd.last_read_seq, m.last_read_seq) AS last_read_seq,
                  r.live_count - coalesce(upd.read_live, m.read_live) - coalesce(upd.own_unread, m.own_unread) AS unread_count,
                  upd.last_read_seq IS NOT NULL AS moved,
                  (SELECT count(*) FROM message_mentions mm
                   WHERE mm.room_id = $1 AND mm.user_id = $2 AND mm.seq > coalesce(upd.last_read_seq, m.last_read_seq)) AS mention_count
           FROM room_members m JOIN rooms r ON r.id = m.room_id LEFT JOIN upd ON true
           WHERE m.room_id = $1 AND m.user_id = $2`,
          [roomId, userId, seq],
        ),
      );
      return row ? { lastReadSeq: row.last_read_seq, unreadCount: row.unread_count, mentionCount: row.mention_count, moved: row.moved } : null;
    });
  }

  /**
   * Full-text search over the messages of the rooms the user belongs to (or of one of them), newest
   * first, keyset-paginated on (created_at, id). The match uses the GIN index on search_tsv; the
   * snippet is HTML-escaped content with `<mark>` around the matched words.
   * @param opts.after the (created_key, id) cursor of the previous page's last row
   */
  search(userId: string, query: string, opts: { roomId?: string; limit: number; after: [string, string] | null }): Promise<SearchRow[]> {
    const p = new SqlParams();
    const user = p.bind(userId, 'uuid');
    const tsquery = p.bind(query);
    const limit = p.bind(opts.limit + 1);
    const where = and(
      `m.search_tsv @@ q.tsq AND m.deleted_at IS NULL`,
      opts.roomId !== undefined && `m.room_id = ${p.bind(opts.roomId)}`,
      keyset(p, [{ expr: 'm.created_at', part: 'timestamp' }, { expr: 'm.id', part: 'uuid' }], opts.after, 'desc'),
    );
    return rows<SearchRow>(
      this.db,
      p.statement(
        'messages_search',
        `WITH q AS (SELECT websearch_to_tsquery(${TS_CONFIG}, ${tsquery}) AS tsq),
         hits AS (
           SELECT m.id, m.created_at FROM messages m
           CROSS JOIN q
           WHERE ${where} AND m.room_id IN (SELECT mem.room_id FROM room_members mem WHERE mem.user_id = ${user})
           ORDER BY m.created_at DESC, m.id DESC
           LIMIT ${limit})
         SELECT ${messageColumns(user)}, m.created_at::text AS created_key,
           ts_headline(${TS_CONFIG}, replace(replace(replace(m.content, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), q.tsq,
             'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "') AS snippet
         FROM hits h JOIN messages m ON m.id = h.id CROSS JOIN q ${MESSAGE_JOINS}
         ORDER BY h.created_at DESC, h.id DESC`,
      ),
    );
  }
}
