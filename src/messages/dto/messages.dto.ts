import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { toInt } from '../../common/pagination/pagination';
import { MessageDto } from '../message.presenter';

/** Content bounds after trimming, in characters. */
export const CONTENT_MAX_CHARS = 4000;

/** Body of `POST /rooms/:id/messages` and payload of WS `send_message` (minus `room_id`). */
export class SendMessageBodyDto {
  @ApiPropertyOptional({ example: 'hello', maxLength: CONTENT_MAX_CHARS, description: '1..4000 characters after trimming' })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  content?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A message of the same room' })
  @IsOptional()
  @IsUUID('all', { message: 'must be a UUID' })
  reply_to_id?: string;

  @ApiPropertyOptional({ type: [String], description: 'Upload ids (attachments arrive with uploads)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true, message: 'must be UUIDs' })
  attachment_ids?: string[];

  @ApiPropertyOptional({ example: 'c-1716282000-1', description: 'Client-chosen id: a retry returns the first message' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1 to 64 of letters, digits, "_", ".", ":" or "-"' })
  client_msg_id?: string;
}

/** Query of `GET /rooms/:id/messages`. */
export class HistoryQueryDto {
  @ApiPropertyOptional({ description: 'Messages with seq below this' })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  before?: number;

  @ApiPropertyOptional({ description: 'Messages with seq above this' })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer from 1 to 100' })
  @Min(1, { message: 'must be an integer from 1 to 100' })
  @Max(100, { message: 'must be an integer from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Page-based access: 1 is the newest page' })
  @IsOptional()
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
