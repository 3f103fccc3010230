import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { decodeKeysetCursor, DEFAULT_LIMIT, encodeCursor, Page } from '../common/pagination/pagination';
import { MessageDto } from '../messages/dto/message.dto';
import { toMessageDto } from '../messages/message.mapper';
import { SystemLines } from '../messages/system-lines';
import { FanoutService } from '../realtime/fanout.service';
import { UserDto } from '../users/user.presenter';
import { User } from '../users/user.types';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { CreateRoomDto, MemberDto, MembersAddedDto, RoomDeletedDto, RoomDto, RoomUpdatedPayload, UpdateRoomDto } from './dto/rooms.dto';
import { effectiveNotificationLevel, NotificationLevel } from './notification-level';
import { RoomAccess, RoomNeed, requireRoomAccess } from './room-access';
import { RoomRole } from './room.types';
import { AdminRoomRow, MyRoomRow, PeerRow, RoomRow, RoomsRepository, RoomViewRow } from './rooms.repository';

/**
 * Renders a room row for a caller, without `peer`, `unread_count` and `last_message` (see
 * {@link RoomsService.present}); `notification_level` only for members.
 */
export function toRoomDto(row: RoomViewRow): RoomDto {
  const dto: RoomDto = {
    id: row.id,
    type: row.type,
    name: row.name,
    description: row.description,
    owner_id: row.owner_id,
    owner:
      row.owner_id && row.owner_username !== null
        ? {
            id: row.owner_id,
            username: row.owner_username,
            display_name: row.owner_display_name ?? row.owner_username,
            avatar_url: row.owner_avatar_url,
            deactivated: row.owner_deactivated === true,
          }
        : null,
    member_count: row.member_count,
    created_at: row.created_at.toISOString(),
    last_seq: row.last_seq,
    my_role: row.my_role,
  };
  if (row.my_role !== null) dto.notification_level = effectiveNotificationLevel(row.type, row.notification_level);
  return dto;
}

/**
 * Rooms and membership: create, list, join, leave, administration (members, roles, rename, delete),
 * and the access rules every room-scoped action uses (a private room or DM is invisible to outsiders;
 * reading and sending need membership). Membership changes re-route live connections after commit.
 */
@Injectable()
export class RoomsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly access: RoomAccess,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly fanout: FanoutService,
    private readonly systemLines: SystemLines,
  ) {}

  /** Renders a room for its viewer: adds `peer` to DMs, and `unread_count`/`mention_count`/`last_message` for `rooms/me` rows. */
  present(row: RoomViewRow | MyRoomRow): RoomDto {
    const dto = toRoomDto(row);
    if (row.type === 'dm' && row.peer) dto.peer = this.presentPeer(row.peer);
    // Member-only fields (API.md): present for members, absent for outsiders.
    if (row.my_role !== null && 'unread_count' in row && row.unread_count !== null) {
      dto.unread_count = row.unread_count;
      dto.mention_count = row.mention_count;
      dto.last_message = row.last_message ? toMessageDto(row.last_message) : null;
    }
    return dto;
  }

  /** Renders the JSON user row of a DM peer as the public User object (with presence). */
  private presentPeer(peer: PeerRow): UserDto {
    const user: User = {
      id: peer.id,
      username: peer.username,
      email: null,
      displayName: peer.display_name,
      avatarUrl: peer.avatar_url,
      bio: peer.bio,
      status: peer.status,
      lastSeenAt: peer.last_seen_at ? new Date(peer.last_seen_at) : null,
      deletedAt: peer.deleted_at ? new Date(peer.deleted_at) : null,
      disabledAt: peer.disabled_at ? new Date(peer.disabled_at) : null,
      createdAt: new Date(peer.created_at),
      updatedAt: new Date(peer.updated_at),
      // Never part of a peer row, never shown.
      passwordHash: null,
      isAdmin: false,
    };
    return this.usersService.present(user);
  }

  /**
   * `POST /rooms`: creates a room with the caller as owner and subscribes the caller's live
   * connections. With `member_ids` (a group in one call) those users become members in the same
   * transaction, all or none; repeats and the caller's own id are ignored, `type` defaults to private,
   * and the room gets `member_added` and a `member_joined` system line (actor: the caller) for each of
   * them. The creator's own membership records no line.
   * @throws AppError USER_NOT_FOUND (404, an unknown or deleted user; no room is created).
   */
  async create(userId: string, dto: CreateRoomDto): Promise<RoomDto> {
    const memberIds = (dto.member_ids ?? []).map((id) => id.toLowerCase()).filter((id) => id !== userId.toLowerCase());
    const members = await this.liveUsersOrThrow(memberIds, 'member_ids');
    const { roomId, lines } = await this.dataSource.transaction(async (manager) => {
      const type = dto.type ?? 'private';
      const id = await this.rooms.insertRoom(manager, { type, name: dto.name, description: dto.description || null, ownerId: userId });
      await this.rooms.addMember(manager, id, userId, 'owner');
      for (const member of members) await this.rooms.addMember(manager, id, member.id, 'member');
      return { roomId: id, lines: await this.recordAdded(manager, id, members.map((m) => m.id), userId) };
    });
    this.fanout.memberJoined(roomId, userId);
    await this.announceAdded(roomId, members, userId);
    this.systemLines.announce(lines);
    return this.viewOf(roomId, userId);
  }

  /**
   * `PATCH /rooms/:id/notifications`: sets what the caller is notified of in a room they belong to.
   * @returns the room as the caller sees it, with the new `notification_level`.
   * @throws AppError NOT_A_MEMBER (403, public room not joined), ROOM_NOT_FOUND (404, unknown or invisible).
   */
  async setNotificationLevel(roomId: string, userId: string, level: NotificationLevel): Promise<RoomDto> {
    await this.getAsMember(roomId, userId);
    // A leave or kick that committed meanwhile wins: nothing to update, and the caller is told so.
    if (!(await this.rooms.setNotificationLevel(roomId, userId, level))) throw new AppError('NOT_A_MEMBER');
    return this.viewOf(roomId, userId);
  }

  /** The room as `userId` sees it now (after a change), with the member-only fields for members. */
  async viewOf(roomId: string, userId: string): Promise<RoomDto> {
    const row = await this.rooms.findRoomViewForUser(roomId, userId);
    if (!row) throw new AppError('ROOM_NOT_FOUND');
    return this.present(row);
  }

  /**
   * A room the caller may see: any public room, or a private room/DM they belong to.
   * @throws AppError ROOM_NOT_FOUND for unknown rooms and for private rooms and DMs of others (404, not 403).
   */
  async getVisible(roomId: string, userId: string): Promise<RoomRow> {
    return requireRoomAccess(await this.rooms.findRoomForUser(roomId, userId), 'visible');
  }

  /**
   * A room the caller is a member of (to read history or send).
   * @throws AppError ROOM_NOT_FOUND (unknown / invisible), NOT_A_MEMBER (403, public room not joined).
   */
  async getAsMember(roomId: string, userId: string): Promise<RoomRow> {
    return requireRoomAccess(await this.rooms.findRoomForUser(roomId, userId), 'member');
  }

  /** `GET /rooms/:id`: unread_count and last_message included for members. @throws AppError ROOM_NOT_FOUND */
  async get(roomId: string, userId: string): Promise<RoomDto> {
    return this.present(requireRoomAccess(await this.rooms.findRoomViewForUser(roomId, userId), 'visible'));
  }

  /** `GET /rooms`: public rooms, newest first. */
  async listPublic(userId: string, q: string | undefined, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<RoomDto>> {
    const after = cursor ? decodeKeysetCursor(cursor) : null;
    const rows = await this.rooms.findPublicPage(userId, q?.trim() || undefined, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toRoomDto),
      next_cursor: rows.length > limit && last ? encodeCursor([last.created_key, last.id]) : null,
    };
  }

  /** `GET /rooms/me` (and `GET /dm` with `dmOnly`): the caller's rooms with unread counts, last messages and DM peers, in one query. */
  async listMine(userId: string, limit = DEFAULT_LIMIT, cursor?: string, dmOnly = false): Promise<Page<RoomDto>> {
    const after = cursor ? decodeKeysetCursor(cursor) : null;
    const rows = await this.rooms.findMyRooms(userId, limit, after, dmOnly);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => this.present(row)),
      next_cursor: rows.length > limit && last ? encodeCursor([last.activity_key, last.id]) : null,
    };
  }

  /**
   * Joins a public room (joining twice is fine). Other members get `user_joined`; every live
   * connection of the caller starts receiving the room's events; a new membership records a
   * `member_joined` system line, which the room (the caller included) gets as `new_message`.
   * @throws AppError ROOM_NOT_FOUND for unknown and private rooms (unless already a member).
   */
  async join(roomId: string, userId: string): Promise<RoomDto> {
    const room = await this.getVisible(roomId, userId);
    if (room.my_role !== null) return this.viewOf(roomId, userId);
    if (room.type !== 'public') throw new AppError('ROOM_NOT_FOUND');
    const line = await this.dataSource.transaction(async (manager) => {
      // Under the room lock, like every membership change: a room deleted meanwhile is a 404, not a 500.
      await this.access.lock(manager, roomId, userId, 'visible');
      if (!(await this.rooms.addMember(manager, roomId, userId, 'member'))) return null;
      return this.systemLines.record(manager, roomId, { event: 'member_joined', userId, actorId: userId });
    });
    if (line) {
      this.fanout.memberJoined(roomId, userId);
      const user = await this.usersService.getEntity(userId);
      this.fanout.toRoom(roomId, 'user_joined', { room_id: roomId, user: this.usersService.present(user) });
      this.systemLines.announce([line]);
    }
    return this.viewOf(roomId, userId);
  }

  /**
   * Leaves a room; the caller's connections stop receiving it at once and the others get `user_left`.
   * Records a `member_left` system line, which the room and the leaver's own connections get.
   * The role is re-read under the room lock, so a handover racing the leave cannot leave a room ownerless.
   * @throws AppError OWNER_CANNOT_LEAVE (422), CANNOT_LEAVE_DM (422), NOT_A_MEMBER (403), ROOM_NOT_FOUND (404).
   */
  async leave(roomId: string, userId: string): Promise<{ room_id: string; left: true }> {
    const room = await this.getAsMember(roomId, userId);
    if (room.type === 'dm') throw new AppError('CANNOT_LEAVE_DM');
    const line = await this.dataSource.transaction(async (manager) => {
      const locked = await this.access.lock(manager, roomId, userId, 'member');
      if (locked.my_role === 'owner') throw new AppError('OWNER_CANNOT_LEAVE');
      if (!(await this.rooms.removeMember(manager, roomId, userId))) return null;
      return this.systemLines.record(manager, roomId, { event: 'member_left', userId, actorId: userId });
    });
    if (line) {
      // The leaver's other devices learn it too, then stop receiving the room.
      this.fanout.toRoom(roomId, 'user_left', { room_id: roomId, user_id: userId });
      this.systemLines.announce([line], userId);
      this.fanout.memberLeft(roomId, userId);
    }
    return { room_id: roomId, left: true };
  }

  /**
   * `PATCH /rooms/:id` (owner or admin): renames or re-describes the room; members get `room_updated`.
   * A name that differs from the current one (compared exactly, under the room lock) records a
   * `room_renamed` system line; the same name, or a description change alone, records none.
   * @throws AppError VALIDATION_FAILED (nothing to change), FORBIDDEN, NOT_A_MEMBER, ROOM_NOT_FOUND.
   */
  async update(roomId: string, userId: string, dto: UpdateRoomDto): Promise<RoomDto> {
    if (dto.name === undefined && dto.description === undefined) {
      throw new AppError('VALIDATION_FAILED', 'Give name and/or description to change.', [{ field: 'name', problem: 'or description is required' }]);
    }
    const line = await this.dataSource.transaction(async (manager) => {
      // Under the room lock: a concurrent demotion or kick wins over this change.
      await this.access.lock(manager, roomId, userId, 'admin');
      const previousName = await this.rooms.updateRoom(manager, roomId, {
        name: dto.name,
        description: dto.description === undefined ? undefined : dto.description || null,
      });
      if (dto.name === undefined || dto.name === previousName) return null;
      return this.systemLines.record(manager, roomId, { event: 'room_renamed', userId, actorId: userId, name: dto.name });
    });
    const view = await this.viewOf(roomId, userId);
    this.fanout.toRoom(roomId, 'room_updated', this.updatedPayload(view, userId, []));
    if (line) this.systemLines.announce([line]);
    return view;
  }

  /**
   * `DELETE /rooms/:id` (owner): deletes the room with its messages; members get `room_deleted` and
   * the room leaves live routing.
   * @throws AppError FORBIDDEN (not the owner; DMs), NOT_A_MEMBER, ROOM_NOT_FOUND.
   */
  async remove(roomId: string, userId: string): Promise<RoomDeletedDto> {
    await this.deleteRoom(roomId, userId, 'owner');
    return { id: roomId, deleted: true };
  }

  /**
   * A server administrator's delete of any room, DMs included (no membership needed): the same
   * deletion and `room_deleted` event as {@link remove}, with `deleted_by` the administrator.
   * @param inTransaction runs in the deletion's transaction (the audit row)
   * @throws AppError ROOM_NOT_FOUND (404, unknown id)
   */
  async removeAsServerAdmin(adminId: string, roomId: string, inTransaction: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.deleteRoom(roomId, adminId, 'exists', inTransaction);
  }

  /**
   * The one room deletion path: takes the room lock and checks `need` under it (RoomAccess), runs
   * `also` in the transaction, then the room goes with its messages; after commit members get
   * `room_deleted` and routing forgets it.
   */
  private async deleteRoom(roomId: string, deletedBy: string, need: RoomNeed, also?: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.access.lock(manager, roomId, deletedBy, need);
      if (also) await also(manager);
      await this.rooms.deleteRoom(manager, roomId);
    });
    this.fanout.toRoom(roomId, 'room_deleted', { room_id: roomId, deleted_by: deletedBy });
    this.fanout.roomDeleted(roomId);
  }

  /**
   * `GET /admin/rooms`: every room, DMs included, newest first, with member and live message counts.
   * @throws AppError INVALID_CURSOR
   */
  async listForServerAdmin(q: string | undefined, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<AdminRoomRow>> {
    const after = cursor ? decodeKeysetCursor(cursor) : null;
    const rows = await this.rooms.findAdminPage(q?.trim() || undefined, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page, next_cursor: rows.length > limit && last ? encodeCursor([last.created_key, last.id]) : null };
  }

  /**
   * `POST /rooms/:id/members` (owner or admin): adds users as members, all or none; this is how
   * private rooms gain members. Each added user's live connections start receiving the room, and
   * the room (the new members included) gets `member_added` and a `member_joined` system line (actor:
   * the caller) for each.
   * @throws AppError USER_NOT_FOUND (404, unknown or deleted user), ALREADY_MEMBER (409, details list them),
   *   FORBIDDEN, NOT_A_MEMBER, ROOM_NOT_FOUND.
   */
  async addMembers(roomId: string, userId: string, userIds: string[]): Promise<MembersAddedDto> {
    // Checked before the users are looked up, so an outsider learns nothing about them.
    requireRoomAccess(await this.rooms.findRoomForUser(roomId, userId), 'admin');
    const found = await this.liveUsersOrThrow(userIds, 'user_ids');
    const lines = await this.dataSource.transaction(async (manager) => {
      await this.access.lock(manager, roomId, userId, 'admin');
      const existing = await this.rooms.existingMembers(manager, roomId, found.map((u) => u.id));
      if (existing.length > 0) {
        throw new AppError('ALREADY_MEMBER', existing.length === 1 ? undefined : 'Some of these users are already members.', existing.map((id) => ({ field: 'user_ids', problem: `${id} is already a member` })));
      }
      const ids = found.map((u) => u.id);
      for (const id of ids) await this.rooms.addMember(manager, roomId, id, 'member');
      return this.recordAdded(manager, roomId, ids, userId);
    });
    const added = await this.announceAdded(roomId, found, userId);
    this.systemLines.announce(lines);
    return { room_id: roomId, added };
  }

  /** Records a `member_joined` system line for each user just added by `actorId` (in the adding transaction), in the given order. */
  private async recordAdded(manager: EntityManager, roomId: string, userIds: string[], actorId: string): Promise<MessageDto[]> {
    const lines: MessageDto[] = [];
    for (const id of userIds) lines.push(await this.systemLines.record(manager, roomId, { event: 'member_joined', userId: id, actorId }));
    return lines;
  }

  /**
   * The live accounts with these ids, distinct, in the order given.
   * @throws AppError USER_NOT_FOUND (404) naming every unknown or deleted one; `field` is the body field in the details.
   */
  private async liveUsersOrThrow(userIds: string[], field: string): Promise<User[]> {
    // UUIDs compare case-insensitively; the users come back in the order they were named, so the
    // system lines recording their adds follow the caller's list.
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))];
    const byId = new Map((await this.users.findByIds(ids)).filter((u) => u.deletedAt === null).map((u) => [u.id, u]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new AppError('USER_NOT_FOUND', `No such user: ${missing.join(', ')}.`, missing.map(() => ({ field, problem: 'names an unknown user' })));
    }
    return ids.map((id) => byId.get(id)!);
  }

  /**
   * After a commit that added `users` as members: their live connections start receiving the room,
   * and the room (the new members included) gets `member_added` for each.
   * @returns the new memberships as `POST /rooms/:id/members` shows them.
   */
  private async announceAdded(roomId: string, users: User[], addedBy: string): Promise<MemberDto[]> {
    const added: MemberDto[] = [];
    for (const user of users) {
      this.fanout.memberJoined(roomId, user.id);
      const dto = this.usersService.present(user);
      const member = await this.rooms.findMember(this.dataSource, roomId, user.id);
      added.push({ user: dto, role: 'member', joined_at: (member?.joined_at ?? new Date()).toISOString() });
      this.fanout.toRoom(roomId, 'member_added', { room_id: roomId, user: dto, role: 'member', added_by: addedBy });
    }
    return added;
  }

  /**
   * `DELETE /rooms/:id/members/:user_id` (owner or admin): removes a member. The owner may remove
   * admins and members, an admin only members; nobody removes the owner. Removing oneself is leaving.
   * The room (the removed user included) gets `member_removed` and a `member_removed` system line
   * (actor: the caller), then the removed user's connections stop receiving the room.
   * @throws AppError MEMBER_NOT_FOUND (404), FORBIDDEN, NOT_A_MEMBER, ROOM_NOT_FOUND.
   */
  async kick(roomId: string, userId: string, targetId: string): Promise<{ room_id: string; user_id: string; removed: true }> {
    if (targetId === userId) {
      await this.leave(roomId, userId);
      return { room_id: roomId, user_id: userId, removed: true };
    }
    const line = await this.dataSource.transaction(async (manager) => {
      const { my_role: role } = await this.access.lock(manager, roomId, userId, 'admin');
      const targetRole = await this.rooms.roleOf(manager, roomId, targetId);
      if (targetRole === null) throw new AppError('MEMBER_NOT_FOUND');
      if (targetRole === 'owner') throw new AppError('FORBIDDEN', 'The owner cannot be removed.');
      if (targetRole === 'admin' && role !== 'owner') throw new AppError('FORBIDDEN', 'Only the owner may remove an admin.');
      await this.rooms.removeMember(manager, roomId, targetId);
      return this.systemLines.record(manager, roomId, { event: 'member_removed', userId: targetId, actorId: userId });
    });
    this.fanout.toRoom(roomId, 'member_removed', { room_id: roomId, user_id: targetId, removed_by: userId });
    // The removed user sees their own removal (as in Element), then stops receiving the room.
    this.systemLines.announce([line], targetId);
    this.fanout.memberLeft(roomId, targetId);
    return { room_id: roomId, user_id: targetId, removed: true };
  }

  /**
   * `PATCH /rooms/:id/members/:user_id` (owner): sets a member's role. Role "owner" hands the room
   * over: the target becomes owner and the previous owner becomes admin (who may then leave). The
   * owner cannot change their own role any other way. Members get `room_updated` with the role changes.
   * @throws AppError MEMBER_NOT_FOUND (404), BUSINESS_RULE (422, owner demoting themselves), FORBIDDEN, NOT_A_MEMBER, ROOM_NOT_FOUND.
   */
  async setRole(roomId: string, userId: string, targetId: string, role: RoomRole): Promise<MemberDto> {
    const changes = await this.dataSource.transaction(async (manager) => {
      await this.access.lock(manager, roomId, userId, 'owner');
      const targetRole = await this.rooms.roleOf(manager, roomId, targetId);
      if (targetRole === null) throw new AppError('MEMBER_NOT_FOUND');
      if (targetId === userId) {
        if (role === 'owner') return [];
        throw new AppError('BUSINESS_RULE', 'The owner keeps the owner role until handing the room over (set another member\'s role to "owner").');
      }
      if (targetRole === role) return [];
      if (role === 'owner') {
        await this.rooms.setRole(manager, roomId, userId, 'admin');
        await this.rooms.setRole(manager, roomId, targetId, 'owner');
        await this.rooms.setOwner(manager, roomId, targetId);
        return [
          { user_id: targetId, role: 'owner' as const },
          { user_id: userId, role: 'admin' as const },
        ];
      }
      await this.rooms.setRole(manager, roomId, targetId, role);
      return [{ user_id: targetId, role }];
    });
    if (changes.length > 0) {
      const view = await this.viewOf(roomId, userId);
      this.fanout.toRoom(roomId, 'room_updated', this.updatedPayload(view, userId, changes));
    }
    const member = await this.rooms.findMember(this.dataSource, roomId, targetId);
    if (!member) throw new AppError('MEMBER_NOT_FOUND');
    return { user: await this.usersService.getPublic(targetId), role: member.role, joined_at: member.joined_at.toISOString() };
  }

  /** The shared part of a room for `room_updated` (no per-viewer fields). */
  private updatedPayload(view: RoomDto, userId: string, changes: RoomUpdatedPayload['role_changes']): RoomUpdatedPayload {
    return {
      room_id: view.id,
      name: view.name,
      description: view.description,
      owner_id: view.owner_id,
      member_count: view.member_count,
      updated_by: userId,
      role_changes: changes,
    };
  }

  /**
   * Account deletion: hands the user's rooms over inside the caller's transaction (see
   * RoomsRepository.handOverOwnedRooms). Records no system line: the deleted account stays a member
   * of its rooms (shown as "Deleted user", its messages kept), so nobody joined or left, and a
   * hand-over is a role change, which system lines do not record. @returns a function to call after commit, which tells each
   * room about its new owner.
   */
  async handOverOwnedRooms(manager: EntityManager, userId: string): Promise<() => Promise<void>> {
    const handed = await this.rooms.handOverOwnedRooms(manager, userId);
    return async () => {
      for (const { room_id: roomId, owner_id: ownerId } of handed) {
        const view = await this.viewOf(roomId, ownerId);
        this.fanout.toRoom(roomId, 'room_updated', this.updatedPayload(view, userId, [
          { user_id: ownerId, role: 'owner' },
          { user_id: userId, role: 'member' },
        ]));
      }
    };
  }

  /** `GET /rooms/:id/members` for anyone who can see the room. */
  async members(roomId: string, userId: string, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<MemberDto>> {
    await this.getVisible(roomId, userId);
    const after = cursor ? decodeKeysetCursor(cursor) : null;
    const rows = await this.rooms.findMembersPage(roomId, limit, after);
    const page = rows.slice(0, limit);
    const users = new Map((await this.users.findByIds(page.map((r) => r.user_id))).map((u) => [u.id, u]));
    const last = page[page.length - 1];
    return {
      items: page
        .filter((r) => users.has(r.user_id))
        .map((r) => ({ user: this.usersService.present(users.get(r.user_id)!), role: r.role, joined_at: r.joined_at.toISOString() })),
      next_cursor: rows.length > limit && last ? encodeCursor([last.joined_key, last.user_id]) : null,
    };
  }

  /** Ids of every member of a room (personalised broadcasts). */
  memberIds(roomId: string): Promise<string[]> {
    return this.rooms.memberIds(roomId);
  }

  /** Room ids of a user, for routing a newly authenticated socket. */
  roomIdsOfUser(userId: string): Promise<string[]> {
    return this.rooms.roomIdsOfUser(userId);
  }
}
