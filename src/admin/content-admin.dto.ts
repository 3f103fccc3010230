import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '../common/pagination/pagination';
import { IsText, Optional } from '../common/validation/text.validators';

/** Query of `GET /admin/rooms`. */
export class AdminRoomsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only rooms whose name contains this (case-insensitive; DMs have no name)' })
  @Optional()
  @IsText({ max: 80 })
  q?: string;
}

/** A room as server admins see it. */
export class AdminRoomDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['public', 'private', 'dm'] }) type: 'public' | 'private' | 'dm';
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) owner_id: string | null;
  @ApiProperty() member_count: number;
  @ApiProperty({ description: 'Messages in the room that are not deleted, system lines not counted (a maintained counter)' }) message_count: number;
  @ApiProperty({ format: 'date-time' }) last_activity_at: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

/** A page of rooms, newest first. */
export class AdminRoomPageDto {
  @ApiProperty({ type: [AdminRoomDto] }) items: AdminRoomDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

/** Answer of `DELETE /admin/rooms/:id`. */
export class AdminRoomDeletedDto {
  @ApiProperty({ format: 'uuid' }) room_id: string;
  @ApiProperty({ example: true }) deleted: true;
}
