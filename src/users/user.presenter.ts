import { ApiProperty } from '@nestjs/swagger';
import { UserEntity } from './user.entity';

/** Public profile of a user (API.md "User"); `email` only on the caller's own profile. */
export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ example: 'Alice' }) display_name: string;
  @ApiProperty({ nullable: true, type: String }) avatar_url: string | null;
  @ApiProperty({ nullable: true, type: String }) bio: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Free-text custom status, up to 140 characters' }) status: string | null;
  @ApiProperty() online: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_seen_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ required: false, description: 'Only on the caller\'s own profile' }) email?: string;
}

/** The short form of a user embedded in messages. */
export class UserSummaryDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) id: string | null;
  @ApiProperty() username: string;
  @ApiProperty() display_name: string;
  @ApiProperty({ nullable: true, type: String }) avatar_url: string | null;
}

/** Renders a user entity as the public User object. */
export function toUserDto(user: UserEntity, online: boolean, includeEmail = false): UserDto {
  const dto: UserDto = {
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    avatar_url: user.avatarUrl,
    bio: user.bio,
    status: user.status,
    online: user.deletedAt ? false : online,
    last_seen_at: user.lastSeenAt ? user.lastSeenAt.toISOString() : null,
    created_at: user.createdAt.toISOString(),
  };
  if (includeEmail && user.email) dto.email = user.email;
  return dto;
}
