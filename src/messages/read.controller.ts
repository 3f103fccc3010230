import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthPrincipal } from '../auth/auth-principal';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { MarkReadDto, ReadResultDto } from './dto/messages.dto';
import { MessagesService } from './messages.service';

/** Read receipts (same effects as WS `mark_read`). */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('rooms/:id/read')
export class ReadController {
  constructor(private readonly messages: MessagesService) {}

  /** Moves the caller's read pointer forward. */
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark everything up to seq as read (never moves back); no seq, or no body at all, marks everything read; other members get messages_read',
  })
  @ApiOkResponse({ type: ReadResultDto })
  @ApiErrors(400, 401, 403, 404)
  read(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) roomId: string, @Body() dto: MarkReadDto): Promise<ReadResultDto> {
    return this.messages.markRead(me.userId, roomId, dto.seq);
  }
}
