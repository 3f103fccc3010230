import { Body, Controller, Delete, Get, Param, Patch, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Page } from '../common/pagination/pagination';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { EditMessageDto, SearchHitDto, SearchPageDto, SearchQueryDto } from './dto/messages.dto';
import { REACTION_EMOJIS } from './emoji';
import { MessageDto } from './dto/message.dto';
import { MessagesService } from './messages.service';

const EMOJI_PARAM = {
  name: 'emoji',
  description: `URL-encoded emoji, one of: ${REACTION_EMOJIS.join(' ')}`,
  example: encodeURIComponent('👍'),
};

/** Actions on one message (edit, delete, react) and search across the caller's rooms. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('messages')
export class MessageActionsController {
  constructor(private readonly messages: MessagesService) {}

  /** Full-text search over the caller's rooms. */
  @Get('search')
  @ApiOperation({ summary: 'Full-text search over the messages of my rooms, newest first, with a highlighted snippet' })
  @ApiOkResponse({ type: SearchPageDto })
  @ApiErrors(400, 401, 403, 404)
  search(@CurrentUser() me: AuthPrincipal, @Query() query: SearchQueryDto): Promise<Page<SearchHitDto>> {
    return this.messages.search(me.userId, query);
  }

  /** Edits one's own message. */
  @Patch(':id')
  @ApiOperation({ summary: 'Edit a message (sender only; within MESSAGE_EDIT_WINDOW_SECONDS when set; system lines never: 422 BUSINESS_RULE); the room gets edit_message' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(400, 401, 403, 404, 422)
  edit(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Body() dto: EditMessageDto): Promise<MessageDto> {
    return this.messages.edit(me.userId, id, dto.content);
  }

  /** Deletes a message, leaving a tombstone. */
  @Delete(':id')
  @ApiOperation({ summary: 'Delete a message (sender, or owner/admin of the room; system lines never: 422 BUSINESS_RULE): 200 the tombstone; the room gets delete_message' })
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(400, 401, 403, 404, 422)
  remove(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<MessageDto> {
    return this.messages.remove(me.userId, id);
  }

  /** Adds the caller's reaction. */
  @Put(':id/reactions/:emoji')
  @ApiOperation({ summary: 'React with an emoji (once per user and emoji; repeating is a no-op; not on system lines: 422 BUSINESS_RULE); the room gets reaction' })
  @ApiParam(EMOJI_PARAM)
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(400, 401, 404, 422)
  react(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Param('emoji') emoji: string): Promise<MessageDto> {
    return this.messages.react(me.userId, id, emoji, true);
  }

  /** Removes the caller's reaction. */
  @Delete(':id/reactions/:emoji')
  @ApiOperation({ summary: 'Remove my reaction (a no-op when there is none; not on system lines: 422 BUSINESS_RULE); the room gets reaction' })
  @ApiParam(EMOJI_PARAM)
  @ApiOkResponse({ type: MessageDto })
  @ApiErrors(400, 401, 404, 422)
  unreact(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Param('emoji') emoji: string): Promise<MessageDto> {
    return this.messages.react(me.userId, id, emoji, false);
  }
}
