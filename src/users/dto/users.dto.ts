import { ApiProperty } from '@nestjs/swagger';
import { PageQueryDto } from '../../common/pagination/pagination';
import { IsText, Trim } from '../../common/validation/text.validators';
import { UserDto } from '../user.presenter';

/** Query of `GET /users/search`. */
export class UserSearchQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'ali', description: 'Prefix of a username or display name, case-insensitive; 1..64 characters after trimming' })
  @Trim()
  @IsText({ min: 1, max: 64 })
  q: string;
}

/** A page of users. */
export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items: UserDto[];
  @ApiProperty({ nullable: true, type: String, example: 'WyJhbGljZSIsIjA4ZjQ…', description: 'Pass as `cursor` for the next page; null on the last page' })
  next_cursor: string | null;
}
