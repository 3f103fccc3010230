import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '../../common/pagination/pagination';
import { IsText, Optional, Trim } from '../../common/validation/text.validators';
import { UserDto } from '../user.presenter';

/** Query of `GET /users/search`. */
export class UserSearchQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'lic', description: 'Part of a username or display name (anywhere in it), case-insensitive, `%` and `_` literal; one line, 1..64 characters after trimming' })
  @Trim()
  @IsText({ min: 1, max: 64 })
  q: string;
}

/** Query of `GET /users`: the directory, optionally narrowed like a search. */
export class UserDirectoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'lic', description: 'Only users whose username or display name contains this, case-insensitive, `%` and `_` literal; up to 64 characters after trimming (blank = everyone); one line' })
  @Optional()
  @Trim()
  @IsText({ max: 64 })
  q?: string;
}

/** A page of users. */
export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items: UserDto[];
  @ApiProperty({ nullable: true, type: String, example: 'WyJhbGljZSIsIjA4ZjQ…', description: 'Pass as `cursor` for the next page; null on the last page' })
  next_cursor: string | null;
}
