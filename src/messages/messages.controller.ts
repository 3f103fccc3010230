import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { AuthPrincipal } from '../auth/auth-principal';
import { HistoryPageDto, HistoryQueryDto, SendMessageBodyDto } from './dto/messages.dto';
import { MessageDto } from './dto/message.dto';
import { MessagesService } from './messages.service';

/** History and sending within a room. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('rooms/:id/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** A page of history, ascending seq. */
  @Get()
  @ApiOperation({ summary: 'Room history: before/after a seq, or page=N (1 = newest); members only' })
  @ApiOkResponse({ type: HistoryPageDto })
  @ApiErrors(400, 401, 403, 404)
  history(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) roomId: string, @Query() query: HistoryQueryDto): Promise<HistoryPageDto> {
    return this.messages.history(me.userId, roomId, query);
  }

  /** Sends a message (same effects as the WebSocket `send_message`). */
  @Post()
  @ApiOperation({
    summary: 'Send a message; a repeated client_msg_id in the same room returns the first message with 200',
    description:
      'client_msg_id is scoped to (sender, room): the same id in another room is a new message. In a DM whose users blocked one another (either way) sending is refused with 403 BLOCKED.',
  })
  @ApiCreatedResponse({ type: MessageDto })
  @ApiOkResponse({ type: MessageDto, description: 'Retry of a client_msg_id already stored in this room: the first message, in its current state' })
  @ApiErrors(400, 401, 403, 404)
  async send(
    @CurrentUser() me: AuthPrincipal,
    @Param('id', uuidPipe('id')) roomId: string,
    @Body() dto: SendMessageBodyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MessageDto> {
    const { message, created } = await this.messages.send(me.userId, roomId, dto);
    void reply.status(created ? 201 : 200);
    return message;
  }
}
