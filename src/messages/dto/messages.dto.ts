import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsUUID, Matches, Max, Min } from 'class-validator';
import { PageQueryDto, toInt } from '../../common/pagination/pagination';
import { lowerCaseIds } from '../../common/pipes/uuid.pipe';
import { IsText, Optional, OptionalNullable, Trim } from '../../common/validation/text.validators';
import { IsSearchQuery } from '../../common/validation/search-query';
import { MessageDto } from './message.dto';

/** Content bounds after trimming, in characters. */
export const CONTENT_MAX_CHARS = 4000;

/** Message types a client may name when sending (`system` lines are written by the server only). */
export const SENDABLE_TYPES = ['text', 'image', 'file', 'audio'] as const;

/** Body of `POST /rooms/:id/messages` and payload of WS `send_message` (minus `room_id`). */
export class SendMessageBodyDto {
  @ApiPropertyOptional({
    example: 'hello',
    maxLength: CONTENT_MAX_CHARS,
    description: '1..4000 characters (code points) after trimming; line breaks and tabs allowed, other control characters refused',
  })
  @Optional()
  @Trim()
  @IsText({ max: CONTENT_MAX_CHARS, multiline: true })
  content?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A message of the same room; not a system line (400)' })
  @Optional()
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  reply_to_id?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 10, description: 'Ids of your own uploads (POST /uploads); content may then be empty' })
  @Optional()
  @IsArray()
  @ArrayMaxSize(10)
  @Transform(lowerCaseIds)
  @IsUUID('all', { each: true, message: 'must be UUIDs' })
  attachment_ids?: string[];

  @ApiPropertyOptional({
    example: 'c-1716282000-1',
    description:
      'Client-chosen id, scoped to (sender, room): a retry in the same room returns the first message (200, current state) and stores nothing; the same id in another room is a new message',
  })
  @Optional()
  @IsText({ min: 1, max: 64 })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1 to 64 of letters, digits, "_", ".", ":" or "-"' })
  client_msg_id?: string;

  @ApiPropertyOptional({
    enum: SENDABLE_TYPES,
    description:
      'Optional, for clients of the original ChatApp API: the type the message will have, checked, never chosen by it. ' +
      '"text" without attachments; with attachments, the kind of the first one (image/*: "image", audio/*: "audio", anything else: "file"). A mismatch is 400.',
  })
  @Optional()
  @IsIn(SENDABLE_TYPES, { message: 'must be "text", "image", "file" or "audio"' })
  type?: (typeof SENDABLE_TYPES)[number];
}

/** Query of `GET /rooms/:id/messages`. */
export class HistoryQueryDto {
  @ApiPropertyOptional({ description: 'Messages with seq below this' })
  @Optional()
  @Transform(toInt)
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  before?: number;

  @ApiPropertyOptional({ description: 'Messages with seq above this' })
  @Optional()
  @Transform(toInt)
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @Optional()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer from 1 to 100' })
  @Min(1, { message: 'must be an integer from 1 to 100' })
  @Max(100, { message: 'must be an integer from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Page-based access: 1 is the newest page' })
  @Optional()
  @Transform(toInt)
  @IsInt({ message: 'must be a positive integer' })
  @Min(1, { message: 'must be a positive integer' })
  @Max(1_000_000, { message: 'must be a positive integer' })
  page?: number;
}

/** A page of history, ascending seq. */
export class HistoryPageDto {
  @ApiProperty({ type: [MessageDto] }) items: MessageDto[];
  @ApiProperty({ description: 'Whether more messages exist in the direction paged' }) has_more: boolean;
}

/** Payload of the `reaction` event: who changed which emoji, and the message's reactions after it. */
export interface ReactionEventPayload {
  room_id: string;
  message_id: string;
  user_id: string;
  emoji: string;
  action: 'added' | 'removed';
  /** The message's new updated_seq (the room counter value of this change). */
  updated_seq: number;
  /** All reactions of the message after the change; `me` is set for the receiving user. */
  reactions: { emoji: string; count: number; me: boolean }[];
}

/** Body of `PATCH /messages/:id`. */
export class EditMessageDto {
  @ApiProperty({ example: 'hello again', maxLength: CONTENT_MAX_CHARS, description: '1..4000 characters (code points) after trimming; line breaks and tabs allowed' })
  @Trim()
  @IsText({ min: 1, max: CONTENT_MAX_CHARS, multiline: true })
  content: string;
}

/** Body of `POST /rooms/:id/read` (the body may be left out: everything is read). */
export class MarkReadDto {
  @ApiPropertyOptional({
    description:
      'Everything up to this seq has been read (clamped to the room\'s last_seq; the pointer never moves back). Left out, null (as the original clients send it) or no body at all: everything in the room is read.',
    nullable: true,
    type: Number,
  })
  @OptionalNullable()
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'must be a non-negative integer' })
  seq?: number | null;
}

/** Answer of `POST /rooms/:id/read`. */
export class ReadResultDto {
  @ApiProperty({ format: 'uuid' }) room_id: string;
  @ApiProperty() last_read_seq: number;
  @ApiProperty({ description: 'Other people\'s non-deleted messages after the pointer' }) unread_count: number;
  @ApiProperty({ description: 'Those of them that mention the caller' }) mention_count: number;
}

/** Query of `GET /messages/search`. */
export class SearchQueryDto extends PageQueryDto {
  @ApiProperty({
    description:
      'Words to find (web-search syntax: "quoted phrase", -excluded, or); one line, 1..200 characters. Every alternative must name at least one word to find: a search of only excluded words (-x) is refused with 400, as it would read every message',
    minLength: 1,
    maxLength: 200,
  })
  @Trim()
  @IsText({ min: 1, max: 200 })
  @IsSearchQuery()
  q: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this room (one you belong to)' })
  @Optional()
  @Transform(lowerCaseIds)
  @IsUUID('all', { message: 'must be a UUID' })
  room_id?: string;
}

/** A search hit: the message and a highlighted snippet. */
export class SearchHitDto extends MessageDto {
  @ApiProperty({ example: 'see you at the <mark>meeting</mark> tomorrow', description: 'HTML-escaped content with <mark> around the matched words' })
  snippet: string;
}

/** A page of search hits, newest first. */
export class SearchPageDto {
  @ApiProperty({ type: [SearchHitDto] }) items: SearchHitDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}
