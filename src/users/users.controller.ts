import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { UserDto } from './user.presenter';
import { UsersService } from './users.service';

/** Public profiles of other users. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** A user's public profile with presence. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a user\'s public profile' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 404)
  getUser(@Param('id', uuidPipe('id')) id: string): Promise<UserDto> {
    return this.users.getPublic(id);
  }
}
