import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination';
import { UserDto } from '../user.presenter';

/** Query of `GET /users/search`. */
export class UserSearchQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'lic', description: 'Part of a username or display name (anywhere in it), case-insensitive, `%` and `_` literal; 1..64 characters after trimming' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be at least 1 character' })
  @MaxLength(64)
  q: string;
}

/** Query of `GET /users`: the directory, optionally narrowed like a search. */
export class UserDirectoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'lic', description: 'Only users whose username or display name contains this, case-insensitive, `%` and `_` literal; up to 64 characters after trimming (blank = everyone)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'must be a string' })
  @MaxLength(64)
  q?: string;
}

/** A page of users. */
export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items: UserDto[];
  @ApiProperty({ nullable: true, type: String, example: 'WyJhbGljZSIsIjA4ZjQ…', description: 'Pass as `cursor` for the next page; null on the last page' })
  next_cursor: string | null;
}
