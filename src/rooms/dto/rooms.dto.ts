import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsUUID, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { lowerCaseIds } from '../../common/pipes/uuid.pipe';
import { IsText, Optional, OptionalNullable, Trim } from '../../common/validation/text.validators';
import { MessageDto } from '../../messages/dto/message.dto';
import { UserDto, UserSummaryDto } from '../../users/user.presenter';
import { NOTIFICATION_LEVELS, NotificationLevel } from '../notification-level';

/** Longest room name and description, in characters. */
export const ROOM_NAME_MAX_CHARS = 80;
export const ROOM_DESCRIPTION_MAX_CHARS = 500;

/** Most users `POST /rooms` may add with `member_ids` (as many as one `POST /rooms/:id/members`). */
export const CREATE_MEMBERS_MAX = 50;

/** Body of `POST /rooms`. */
export class CreateRoomDto {
  @ApiProperty({ example: 'general', minLength: 1, maxLength: ROOM_NAME_MAX_CHARS, description: 'One line, 1..80 characters after trimming' })
  @Trim()
  @IsText({ min: 1, max: ROOM_NAME_MAX_CHARS })
  name: string;

  @ApiPropertyOptional({ example: 'Everything and nothing', maxLength: ROOM_DESCRIPTION_MAX_CHARS, description: 'Up to 500 characters, line breaks allowed' })
  @Optional()
  @Trim()
  @IsText({ max: ROOM_DESCRIPTION_MAX_CHARS, multiline: true })
  description?: string;

  @ApiPropertyOptional({
    enum: ['public', 'private'],
    description: 'Required unless member_ids is given; with member_ids it defaults to "private" (a group)',
  })
  @ValidateIf((o: CreateRoomDto) => o.type !== undefined || o.member_ids === undefined)
  @IsIn(['public', 'private'], { message: 'must be "public" or "private"' })
  type?: 'public' | 'private';

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: CREATE_MEMBERS_MAX,
    description:
      'Users to add as members at creation (a group in one call, as the original Chat App Backend did). ' +
      'Repeated ids and the caller\'s own id are ignored; every id must name a live user (404 USER_NOT_FOUND otherwise, and no room is created). ' +
      'Each added user gets member_added.',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(CREATE_MEMBERS_MAX)
  @Transform(lowerCaseIds)
  @IsUUID('all', { each: true, message: 'must be UUIDs' })
  member_ids?: string[];
}

/** Query of `GET /rooms`: optional name search plus paging. */
export class ListRoomsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only rooms whose name contains this (anywhere, case-insensitive, `%` and `_` literal; one line, up to 80 characters)' })
  @Optional()
  @IsText({ max: ROOM_NAME_MAX_CHARS })
  q?: string;
}

/** A room as clients see it (API.md "Room"). */
export class RoomDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['public', 'private', 'dm'] }) type: 'public' | 'private' | 'dm';
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) owner_id: string | null;
  @ApiProperty({
    type: UserSummaryDto,
    nullable: true,
    description: 'The owner\'s names, so rooms of the same name can be told apart (with description and member_count); null for DMs',
  })
  owner: UserSummaryDto | null;
  @ApiProperty() member_count: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ description: 'Highest seq in the room' }) last_seq: number;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], nullable: true }) my_role: 'owner' | 'admin' | 'member' | null;
  @ApiPropertyOptional({ description: 'Only where the caller is a member' }) unread_count?: number;
  @ApiPropertyOptional({
    description: "Only where the caller is a member: other people's non-deleted messages after the caller's read pointer that mention the caller",
  })
  mention_count?: number;
  @ApiPropertyOptional({ type: MessageDto, nullable: true, description: 'Only where the caller is a member' }) last_message?: MessageDto | null;
  @ApiPropertyOptional({ type: UserDto, description: 'DM rooms only: the other user' }) peer?: UserDto;
  @ApiPropertyOptional({
    enum: NOTIFICATION_LEVELS,
    description: 'Only where the caller is a member: what the caller is notified of (PATCH /rooms/:id/notifications); DMs default to "all", rooms to "mentions"',
  })
  notification_level?: NotificationLevel;
}

/** Body of `PATCH /rooms/:id/notifications`. */
export class NotificationLevelDto {
  @ApiProperty({ enum: NOTIFICATION_LEVELS, description: '"all": every message; "mentions": mentions of you (and DMs); "none": nothing' })
  @IsIn(NOTIFICATION_LEVELS, { message: 'must be "all", "mentions" or "none"' })
  level: NotificationLevel;
}

/** A page of rooms. */
export class RoomPageDto {
  @ApiProperty({ type: [RoomDto] }) items: RoomDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

/** A member of a room with their role. */
export class MemberDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
  @ApiProperty({ enum: ['owner', 'admin', 'member'] }) role: 'owner' | 'admin' | 'member';
  @ApiProperty({ format: 'date-time' }) joined_at: string;
}

/** A page of members. */
export class MemberPageDto {
  @ApiProperty({ type: [MemberDto] }) items: MemberDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

/** Body of `PATCH /rooms/:id`: at least one of the fields. */
export class UpdateRoomDto {
  @ApiPropertyOptional({ example: 'general', minLength: 1, maxLength: ROOM_NAME_MAX_CHARS, description: 'One line, 1..80 characters after trimming; cannot be null' })
  @Optional()
  @Trim()
  @IsText({ min: 1, max: ROOM_NAME_MAX_CHARS })
  name?: string;

  @ApiPropertyOptional({
    example: 'Everything and nothing',
    maxLength: ROOM_DESCRIPTION_MAX_CHARS,
    nullable: true,
    type: String,
    description: 'Up to 500 characters, line breaks allowed; null or "" clears it',
  })
  @OptionalNullable()
  @Trim()
  @IsText({ max: ROOM_DESCRIPTION_MAX_CHARS, multiline: true })
  description?: string | null;
}

/** Body of `POST /rooms/:id/members`. */
export class AddMembersDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 50, description: 'Users to add (all or none are added)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique({ message: 'must not contain duplicates' })
  @IsUUID('all', { each: true, message: 'must be UUIDs' })
  user_ids: string[];
}

/** Body of `PATCH /rooms/:id/members/:user_id`. */
export class SetRoleDto {
  @ApiProperty({
    enum: ['owner', 'admin', 'member'],
    description: '"owner" hands the room over: the target becomes owner and the previous owner becomes admin',
  })
  @IsIn(['owner', 'admin', 'member'], { message: 'must be "owner", "admin" or "member"' })
  role: 'owner' | 'admin' | 'member';
}

/** Response of `POST /rooms/:id/members`. */
export class MembersAddedDto {
  @ApiProperty({ format: 'uuid' }) room_id: string;
  @ApiProperty({ type: [MemberDto] }) added: MemberDto[];
}

/** Response of `DELETE /rooms/:id`. */
export class RoomDeletedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: [true] }) deleted: true;
}

/** Payload of `room_updated`: the room's shared fields after a change, and role changes if any. */
export interface RoomUpdatedPayload {
  room_id: string;
  name: string | null;
  description: string | null;
  owner_id: string | null;
  member_count: number;
  /** Who made the change. */
  updated_by: string;
  /** Members whose role changed (a handover lists both the new owner and the previous one). */
  role_changes: { user_id: string; role: 'owner' | 'admin' | 'member' }[];
}
