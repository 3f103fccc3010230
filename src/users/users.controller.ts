import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { UserDirectoryQueryDto, UserPageDto, UserSearchQueryDto } from './dto/users.dto';
import { UserDto } from './user.presenter';
import { UsersService } from './users.service';

/** Public profiles of other users. Never email, password hash or session data. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The directory of people, in username order. */
  @Get()
  @ApiOperation({
    summary: 'User directory: live users in username order (cursor-paginated); q narrows it to a substring of username or display name',
    description: 'Public profiles only (never email). Deleted accounts are left out. Same results as /users/search when q is given.',
  })
  @ApiOkResponse({ type: UserPageDto })
  @ApiErrors(400, 401, 429)
  directory(@Query() query: UserDirectoryQueryDto): Promise<UserPageDto> {
    return this.users.directory(query.q, query.limit, query.cursor);
  }

  /** Finds people by any part of their username or display name. */
  @Get('search')
  @ApiOperation({ summary: 'Search users by a substring of username or display name (case-insensitive, cursor-paginated, username order)' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiErrors(400, 401, 429)
  search(@Query() query: UserSearchQueryDto): Promise<UserPageDto> {
    return this.users.directory(query.q, query.limit, query.cursor);
  }

  /** A user's public profile with presence. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a user\'s public profile (404 for unknown and deleted accounts)' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 404, 429)
  getUser(@Param('id', uuidPipe('id')) id: string): Promise<UserDto> {
    return this.users.getPublic(id);
  }
}
