import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageQueryDto } from '../common/pagination/pagination';
import { uuidPipe } from '../common/pipes/uuid.pipe';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { AuthPrincipal } from '../auth/auth-principal';
import {
  AddMembersDto,
  CreateRoomDto,
  ListRoomsQueryDto,
  MemberDto,
  MemberPageDto,
  MembersAddedDto,
  NotificationLevelDto,
  RoomDeletedDto,
  RoomDto,
  RoomPageDto,
  SetRoleDto,
  UpdateRoomDto,
} from './dto/rooms.dto';
import { RoomsService } from './rooms.service';

/** Rooms and membership. */
@ApiTags('rooms')
@ApiBearerAuth()
@Controller('rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  /** Public rooms, newest first. */
  @Get()
  @ApiOperation({ summary: 'List public rooms (q filters by name)' })
  @ApiOkResponse({ type: RoomPageDto })
  @ApiErrors(400, 401)
  list(@CurrentUser() me: AuthPrincipal, @Query() query: ListRoomsQueryDto): Promise<Page<RoomDto>> {
    return this.rooms.listPublic(me.userId, query.q, query.limit, query.cursor);
  }

  /** Creates a room; the caller becomes its owner. */
  @Post()
  @ApiOperation({
    summary: 'Create a public or private room, optionally with its members (member_ids: a group in one call; each is a member_joined system line)',
    description:
      'The caller becomes the owner. With member_ids, those users become members in the same transaction (all or none: ' +
      'an unknown or deleted user is 404 USER_NOT_FOUND and no room is created), repeats and the caller\'s own id are ignored, ' +
      'type defaults to "private", and the room gets member_added for each.',
  })
  @ApiCreatedResponse({ type: RoomDto })
  @ApiErrors(400, 401, 404)
  create(@CurrentUser() me: AuthPrincipal, @Body() dto: CreateRoomDto): Promise<RoomDto> {
    return this.rooms.create(me.userId, dto);
  }

  /** The caller's rooms and DMs, most recent activity first. */
  @Get('me')
  @ApiOperation({ summary: 'My rooms and DMs with unread_count and last_message' })
  @ApiOkResponse({ type: RoomPageDto })
  @ApiErrors(400, 401)
  mine(@CurrentUser() me: AuthPrincipal, @Query() query: PageQueryDto): Promise<Page<RoomDto>> {
    return this.rooms.listMine(me.userId, query.limit, query.cursor);
  }

  /** One room the caller can see. */
  @Get(':id')
  @ApiOperation({ summary: 'Get a room (private rooms only for members)' })
  @ApiOkResponse({ type: RoomDto })
  @ApiErrors(400, 401, 404)
  get(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<RoomDto> {
    return this.rooms.get(id, me.userId);
  }

  /** Joins a public room. */
  @Post(':id/join')
  @HttpCode(200)
  @ApiOperation({ summary: 'Join a public room (joining twice is fine); a new membership is a member_joined system line' })
  @ApiOkResponse({ type: RoomDto })
  @ApiErrors(400, 401, 404)
  join(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<RoomDto> {
    return this.rooms.join(id, me.userId);
  }

  /** Sets what the caller is notified of in a room. */
  @Patch(':id/notifications')
  @ApiOperation({
    summary: 'Set my notification level in a room: "all", "mentions" or "none" (members only)',
    description: 'Answers the room as the caller sees it, with notification_level. Until set, DMs are "all" and rooms "mentions".',
  })
  @ApiOkResponse({ type: RoomDto })
  @ApiErrors(400, 401, 403, 404)
  setNotificationLevel(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Body() dto: NotificationLevelDto): Promise<RoomDto> {
    return this.rooms.setNotificationLevel(id, me.userId, dto.level);
  }

  /** Leaves a room. */
  @Post(':id/leave')
  @HttpCode(200)
  @ApiOperation({ summary: 'Leave a room (the owner must hand over first: 422; a DM cannot be left: 422); a member_left system line' })
  @ApiErrors(400, 401, 403, 404, 422)
  leave(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<{ room_id: string; left: true }> {
    return this.rooms.leave(id, me.userId);
  }

  /** Members of a room the caller can see. */
  @Get(':id/members')
  @ApiOperation({ summary: 'List members of a room' })
  @ApiOkResponse({ type: MemberPageDto })
  @ApiErrors(400, 401, 404)
  members(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Query() query: PageQueryDto): Promise<Page<MemberDto>> {
    return this.rooms.members(id, me.userId, query.limit, query.cursor);
  }

  /** Renames or re-describes a room. */
  @Patch(':id')
  @ApiOperation({ summary: 'Change name and/or description (owner or admin); members get room_updated; a new name is a room_renamed system line' })
  @ApiOkResponse({ type: RoomDto })
  @ApiErrors(400, 401, 403, 404)
  update(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Body() dto: UpdateRoomDto): Promise<RoomDto> {
    return this.rooms.update(id, me.userId, dto);
  }

  /** Deletes a room with its messages. */
  @Delete(':id')
  @ApiOperation({ summary: 'Delete a room and its messages (owner); members get room_deleted' })
  @ApiOkResponse({ type: RoomDeletedDto })
  @ApiErrors(400, 401, 403, 404)
  remove(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string): Promise<RoomDeletedDto> {
    return this.rooms.remove(id, me.userId);
  }

  /** Adds members (how private rooms gain members). */
  @Post(':id/members')
  @ApiOperation({ summary: 'Add members, all or none (owner or admin); the room gets member_added and a member_joined system line each' })
  @ApiCreatedResponse({ type: MembersAddedDto })
  @ApiErrors(400, 401, 403, 404, 409)
  addMembers(@CurrentUser() me: AuthPrincipal, @Param('id', uuidPipe('id')) id: string, @Body() dto: AddMembersDto): Promise<MembersAddedDto> {
    return this.rooms.addMembers(id, me.userId, dto.user_ids);
  }

  /** Removes (kicks) a member. */
  @Delete(':id/members/:user_id')
  @ApiOperation({
    summary: 'Remove a member (owner: admins and members; admin: members); the room gets member_removed and a member_removed system line (the removed user too)',
    description: 'The removed user\'s live connections stop receiving the room at once. Removing yourself is leaving.',
  })
  @ApiErrors(400, 401, 403, 404, 422)
  kick(
    @CurrentUser() me: AuthPrincipal,
    @Param('id', uuidPipe('id')) id: string,
    @Param('user_id', uuidPipe('user_id')) userId: string,
  ): Promise<{ room_id: string; user_id: string; removed: true }> {
    return this.rooms.kick(id, me.userId, userId);
  }

  /** Sets a member's role; "owner" hands the room over. */
  @Patch(':id/members/:user_id')
  @ApiOperation({
    summary: 'Set a member\'s role (owner only)',
    description: 'role "owner" hands the room over: the target becomes owner and the previous owner becomes admin (and may then leave).',
  })
  @ApiOkResponse({ type: MemberDto })
  @ApiErrors(400, 401, 403, 404, 422)
  setRole(
    @CurrentUser() me: AuthPrincipal,
    @Param('id', uuidPipe('id')) id: string,
    @Param('user_id', uuidPipe('user_id')) userId: string,
    @Body() dto: SetRoleDto,
  ): Promise<MemberDto> {
    return this.rooms.setRole(id, me.userId, userId, dto.role);
  }
}
