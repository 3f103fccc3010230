import { ApiProperty } from '@nestjs/swagger';
import { User } from './user.types';

/** Public profile of a user (API.md "User"); `email` only on the caller's own profile. */
export class UserDto {
  @ApiProperty({ format: 'uuid', example: '5b1f0c9e-8a4d-4c3e-9f7a-2d6b1e0c4a11' }) id: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ example: 'Alice' }) display_name: string;
  @ApiProperty({ nullable: true, type: String, example: 'https://example.com/alice.png' }) avatar_url: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Curious about rabbit holes.' }) bio: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'In a meeting until 3 pm', description: 'Free-text custom status, up to 140 characters' }) status: string | null;
  @ApiProperty({ example: true }) online: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2026-11-21T10:30:00.000Z' }) last_seen_at: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-01T08:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: false, description: 'True when an administrator disabled the account or it was deleted; clients show the profile as deactivated' })
  deactivated: boolean;
  @ApiProperty({ required: false, example: 'alice@example.com', description: 'Only on the caller\'s own profile' }) email?: string;
  @ApiProperty({ required: false, example: false, description: 'Server administrator; only on the caller\'s own profile (the web client shows its admin panel by it)' }) is_admin?: boolean;
}

/** The short form of a user embedded in messages. */
export class UserSummaryDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) id: string | null;
  @ApiProperty() username: string;
  @ApiProperty() display_name: string;
  @ApiProperty({ nullable: true, type: String }) avatar_url: string | null;
  @ApiProperty({ description: 'True when an administrator disabled the account or it was deleted' }) deactivated: boolean;
}

/** Renders a user entity as the public User object. */
export function toUserDto(user: User, online: boolean, includeEmail = false): UserDto {
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
    deactivated: Boolean(user.deletedAt) || Boolean(user.disabledAt),
  };
  if (includeEmail && user.email) dto.email = user.email;
  if (includeEmail) dto.is_admin = user.isAdmin;
  return dto;
}
