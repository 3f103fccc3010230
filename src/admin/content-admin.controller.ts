import { Controller, Delete, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { MessageDto } from '../messages/dto/message.dto';
import { AdminGuard } from './admin.guard';
import { AdminRoomDeletedDto, AdminRoomPageDto, AdminRoomsQueryDto } from './content-admin.dto';
import { ContentAdminService } from './content-admin.service';

/** Server admins' content routes: any message or room, whoever owns it (401 anonymous, 403 others). */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@ApiErrors(401, 403, 429)
@Controller('admin')
export class ContentAdminController {
  constructor(private readonly content: ContentAdminService) {}

  /** Deletes any message. */
  @Delete('messages/:id')
  @ApiOperation({ summary: 'Delete any message: the same tombstone as the sender\'s delete, deleted_by the admin; members get delete_message; audited' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(400, 404, 422)
  deleteMessage(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<MessageDto> {
    return this.content.deleteMessage(me.userId, id);
  }

  /** Lists every room with sizes. */
  @Get('rooms')
  @ApiOperation({ summary: 'List every room (DMs included), newest first, with member_count and message_count (messages not deleted, system lines not counted)' })
  @ApiOkResponse({ type: AdminRoomPageDto })
  @ApiErrors(400)
  rooms(@Query() query: AdminRoomsQueryDto): Promise<AdminRoomPageDto> {
    return this.content.listRooms(query.q, query.limit, query.cursor);
  }

  /** Deletes any room. */
  @Delete('rooms/:id')
  @ApiOperation({ summary: 'Delete any room (DMs included) with its messages; members get room_deleted; audited' })
  @ApiOkResponse({ type: AdminRoomDeletedDto })
  @ApiErrors(400, 404)
  deleteRoom(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<AdminRoomDeletedDto> {
    return this.content.deleteRoom(me.userId, id);
  }
}
