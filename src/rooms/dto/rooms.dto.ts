import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { IsText, Optional, OptionalNullable, Trim } from '../../common/validation/text.validators';
import { MessageDto } from '../../messages/message.presenter';
import { UserDto } from '../../users/user.presenter';

/** Longest room name and description, in characters. */
export const ROOM_NAME_MAX_CHARS = 80;
export const ROOM_DESCRIPTION_MAX_CHARS = 500;

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

  @ApiProperty({ enum: ['public', 'private'] })
  @IsIn(['public', 'private'], { message: 'must be "public" or "private"' })
  type: 'public' | 'private';
}

/** Query of `GET /rooms`: optional name search plus paging. */
export class ListRoomsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the room name (one line, up to 80 characters)' })
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
  @ApiProperty() member_count: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ description: 'Highest seq in the room' }) last_seq: number;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], nullable: true }) my_role: 'owner' | 'admin' | 'member' | null;
  @ApiPropertyOptional({ description: 'Only where the caller is a member' }) unread_count?: number;
  @ApiPropertyOptional({ type: MessageDto, nullable: true, description: 'Only where the caller is a member' }) last_message?: MessageDto | null;
  @ApiPropertyOptional({ type: UserDto, description: 'DM rooms only: the other user' }) peer?: UserDto;
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
