import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SystemLineDto } from './system-line.dto';

const bigintNumber = { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** Kind of a message; `system` ones are written by the server (joins, renames). */
export type MessageType = 'text' | 'image' | 'file' | 'audio' | 'system';

/**
 * A message. `seq` is its place in the room; `updated_seq` is the room counter value of its latest
 * change (creation, edit, delete, reaction), so "everything since S" is one indexed range scan.
 */
@Entity('messages')
export class MessageEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'room_id', type: 'uuid' }) roomId: string;
  @Column({ type: 'bigint', transformer: bigintNumber }) seq: number;
  @Column({ name: 'updated_seq', type: 'bigint', transformer: bigintNumber }) updatedSeq: number;
  @Column({ name: 'sender_id', type: 'uuid', nullable: true }) senderId: string | null;
  @Column({ type: 'varchar', length: 8, default: 'text' }) type: MessageType;
  @Column({ type: 'text', nullable: true }) content: string | null;
  @Column({ name: 'reply_to_id', type: 'uuid', nullable: true }) replyToId: string | null;
  @Column({ name: 'client_msg_id', type: 'varchar', length: 64, nullable: true }) clientMsgId: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true }) editedAt: Date | null;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
  /** The payload of a system line (set exactly when type is `system`; a CHECK enforces it). */
  @Column({ type: 'jsonb', nullable: true }) system: SystemLineDto | null;
}
