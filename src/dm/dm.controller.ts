import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageQueryDto } from '../common/pagination/pagination';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { RoomDto, RoomPageDto } from '../rooms/dto/rooms.dto';
import { DmService } from './dm.service';
import { OpenDmDto } from './dto/dm.dto';

/** Direct messages between two users. */
@ApiTags('dm')
@ApiBearerAuth()
@Controller('dm')
export class DmController {
  constructor(private readonly dms: DmService) {}

  /** The caller's DMs. */
  @Get()
  @ApiOperation({ summary: 'My DMs, most recent activity first, with peer, last_message and unread_count' })
  @ApiOkResponse({ type: RoomPageDto })
  @ApiErrors(400, 401)
  list(@CurrentUser() me: AuthPrincipal, @Query() query: PageQueryDto): Promise<Page<RoomDto>> {
    return this.dms.list(me.userId, query.limit, query.cursor);
  }

  /** Opens (or returns) the DM with another user. */
  @Post()
  @ApiOperation({
    summary: 'Open the DM with a user: 201 when created (the recipient gets dm_created), 200 when it existed',
    description: '403 BLOCKED when either user blocked the other (also for an existing DM, which stays readable through the room routes).',
  })
  @ApiCreatedResponse({ type: RoomDto })
  @ApiOkResponse({ type: RoomDto, description: 'The DM already existed' })
  @ApiErrors(400, 401, 403, 404)
  async open(@CurrentUser() me: AuthPrincipal, @Body() dto: OpenDmDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<RoomDto> {
    const { room, created } = await this.dms.open(me.userId, dto.recipient_id);
    void reply.status(created ? 201 : 200);
    return room;
  }
}
