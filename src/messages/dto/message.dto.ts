import { ApiProperty } from '@nestjs/swagger';
import { UserSummaryDto } from '../../users/user.presenter';
import { SystemLineDto } from '../system-line.dto';

/** Kind of a message (API.md); `system` ones are written by the server (joins, renames). */
export type MessageType = 'text' | 'image' | 'file' | 'audio' | 'system';

/** The quoted part of a reply. */
export class ReplyToDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) sender_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'First 100 characters; null when deleted' }) content_preview: string | null;
}

/** A file attached to a message. */
export class AttachmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() mime: string;
  @ApiProperty({ description: 'bytes' }) size: number;
  @ApiProperty() name: string;
}

/** Reactions of one emoji on a message. */
export class ReactionDto {
  @ApiProperty() emoji: string;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Whether the caller reacted with it' }) me: boolean;
}

/** A message as clients see it (API.md "Message"). */
export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) room_id: string;
  @ApiProperty({ description: 'Position in the room, +1 per message' }) seq: number;
  @ApiProperty({ description: 'Room counter value of the latest change (sync cursor)' }) updated_seq: number;
  @ApiProperty({ type: UserSummaryDto }) sender: UserSummaryDto;
  @ApiProperty({ enum: ['text', 'image', 'file', 'audio', 'system'] }) type: MessageType;
  @ApiProperty({ nullable: true, type: String }) content: string | null;
  @ApiProperty({ type: ReplyToDto, nullable: true }) reply_to: ReplyToDto | null;
  @ApiProperty({ type: [AttachmentDto] }) attachments: AttachmentDto[];
  @ApiProperty({ type: [ReactionDto] }) reactions: ReactionDto[];
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description:
      'Ids of the room members named as `@username` in the content (resolved by the server on send and edit, in order of first appearance, at most 50; empty when deleted)',
  })
  mentions: string[];
  @ApiProperty({
    type: SystemLineDto,
    nullable: true,
    description: 'For `type: "system"` (joins, leaves, removals, renames; sender = who did it, content null): what happened; null for every other message',
  })
  system: SystemLineDto | null;
  @ApiProperty({ nullable: true, type: String }) client_msg_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) edited_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deleted_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'Who deleted it: the sender, an owner/admin of the room, or a server admin; null while not deleted (and for messages deleted before this was recorded)',
  })
  deleted_by: string | null;
  @ApiProperty({ description: 'True when the caller blocked the sender (content is still given; clients collapse it)' }) blocked: boolean;
}
