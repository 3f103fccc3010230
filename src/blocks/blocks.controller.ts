import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { BlocksService } from './blocks.service';
import { BlockListDto, BlockStateDto } from './dto/blocks.dto';

/** The caller's block list. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  /** Everyone the caller blocked. */
  @Get()
  @ApiOperation({ summary: 'My block list: user summaries with blocked_at, most recent first (at most 1,000)' })
  @ApiOkResponse({ type: BlockListDto })
  @ApiErrors(401, 429)
  list(@CurrentUser() me: AuthPrincipal): Promise<BlockListDto> {
    return this.blocks.list(me.userId);
  }

  /** Blocks a user. */
  @Put(':user_id')
  @ApiOperation({
    summary: 'Block a user (idempotent)',
    description:
      'No DM can be opened or written to between the two (403 BLOCKED, either way); their messages and typing no longer reach you live or by push, and are marked blocked: true in your history, sync and search.',
  })
  @ApiOkResponse({ type: BlockStateDto })
  @ApiErrors(400, 401, 404, 422, 429)
  block(@CurrentUser() me: AuthPrincipal, @Param('user_id', uuidPipe('user_id')) userId: string): Promise<BlockStateDto> {
    return this.blocks.block(me.userId, userId);
  }

  /** Unblocks a user. */
  @Delete(':user_id')
  @ApiOperation({ summary: 'Unblock a user (idempotent)' })
  @ApiOkResponse({ type: BlockStateDto })
  @ApiErrors(400, 401, 404, 429)
  unblock(@CurrentUser() me: AuthPrincipal, @Param('user_id', uuidPipe('user_id')) userId: string): Promise<BlockStateDto> {
    return this.blocks.unblock(me.userId, userId);
  }
}
