import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { decodeCursor, DEFAULT_LIMIT, encodeCursor, Page } from '../common/pagination/pagination';
import { toMessageDto } from '../messages/message.presenter';
import { FanoutService } from '../realtime/fanout.service';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { CreateRoomDto, MemberDto, RoomDto } from './dto/rooms.dto';
import { RoomRow, RoomsRepository } from './rooms.repository';

/** Renders a room row for a caller; unread_count and last_message are added by `rooms/me`. */
export function toRoomDto(row: RoomRow): RoomDto {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    description: row.description,
    owner_id: row.owner_id,
    member_count: Number(row.member_count),
    created_at: row.created_at.toISOString(),
    last_seq: Number(row.last_seq),
    my_role: row.my_role,
  };
}

/**
 * Rooms and membership: create, list, join, leave, and the access rules every room-scoped action
 * uses (a private room is invisible to outsiders; reading and sending need membership).
 */
@Injectable()
export class RoomsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly fanout: FanoutService,
  ) {}

  /** Creates a room with the caller as owner and subscribes the caller's live connections. */
  async create(userId: string, dto: CreateRoomDto): Promise<RoomDto> {
    const roomId = await this.dataSource.transaction(async (manager) => {
      const id = await this.rooms.insertRoom(manager, { type: dto.type, name: dto.name, description: dto.description ?? null, ownerId: userId });
      await this.rooms.addMember(manager, id, userId, 'owner');
      return id;
    });
    this.fanout.memberJoined(roomId, userId);
    return toRoomDto((await this.rooms.findRoomForUser(roomId, userId))!);
  }

  /**
   * A room the caller may see: any public room, or a private room/DM they belong to.
   * @throws AppError ROOM_NOT_FOUND for unknown rooms and for private rooms of others (404, not 403).
   */
  async getVisible(roomId: string, userId: string): Promise<RoomRow> {
    const room = await this.rooms.findRoomForUser(roomId, userId);
    if (!room || (room.type !== 'public' && room.my_role === null)) throw new AppError('ROOM_NOT_FOUND');
    return room;
  }

  /**
   * A room the caller is a member of (to read history or send).
   * @throws AppError ROOM_NOT_FOUND (unknown / invisible), NOT_A_MEMBER (403, public room not joined).
   */
  async getAsMember(roomId: string, userId: string): Promise<RoomRow> {
    const room = await this.getVisible(roomId, userId);
    if (room.my_role === null) throw new AppError('NOT_A_MEMBER');
    return room;
  }

  /** `GET /rooms/:id`. */
  async get(roomId: string, userId: string): Promise<RoomDto> {
    return toRoomDto(await this.getVisible(roomId, userId));
  }

  /** `GET /rooms`: public rooms, newest first. */
  async listPublic(userId: string, q: string | undefined, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<RoomDto>> {
    const after = cursor ? (decodeCursor(cursor, 2) as [string, string]) : null;
    const rows = await this.rooms.findPublicPage(userId, q?.trim() || undefined, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toRoomDto),
      next_cursor: rows.length > limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
    };
  }

  /** `GET /rooms/me`: the caller's rooms with unread counts and last messages, in one query. */
  async listMine(userId: string, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<RoomDto>> {
    const after = cursor ? (decodeCursor(cursor, 2) as [string, string]) : null;
    const rows = await this.rooms.findMyRooms(userId, limit, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        ...toRoomDto(row),
        unread_count: Number(row.unread_count),
        last_message: row.last_message ? toMessageDto(row.last_message) : null,
      })),
      next_cursor: rows.length > limit && last ? encodeCursor([last.last_activity_at.toISOString(), last.id]) : null,
    };
  }

  /**
   * Joins a public room (joining twice is fine). Other members get `user_joined`; every live
   * connection of the caller starts receiving the room's events.
   * @throws AppError ROOM_NOT_FOUND for unknown and private rooms (unless already a member).
   */
  async join(roomId: string, userId: string): Promise<RoomDto> {
    const room = await this.getVisible(roomId, userId);
    if (room.my_role !== null) return toRoomDto(room);
    if (room.type !== 'public') throw new AppError('ROOM_NOT_FOUND');
    const added = await this.dataSource.transaction((manager) => this.rooms.addMember(manager, roomId, userId, 'member'));
    if (added) {
      this.fanout.memberJoined(roomId, userId);
      const user = await this.usersService.getEntity(userId);
      this.fanout.toRoom(roomId, 'user_joined', { room_id: roomId, user: this.usersService.present(user) });
    }
    return toRoomDto((await this.rooms.findRoomForUser(roomId, userId))!);
  }

  /**
   * Leaves a room; the caller's connections stop receiving it at once and the others get `user_left`.
   * @throws AppError OWNER_CANNOT_LEAVE (422), NOT_A_MEMBER (403), ROOM_NOT_FOUND (404).
   */
  async leave(roomId: string, userId: string): Promise<{ room_id: string; left: true }> {
    const room = await this.getAsMember(roomId, userId);
    if (room.my_role === 'owner') throw new AppError('OWNER_CANNOT_LEAVE');
    const removed = await this.dataSource.transaction((manager) => this.rooms.removeMember(manager, roomId, userId));
    if (removed) {
      this.fanout.toRoom(roomId, 'user_left', { room_id: roomId, user_id: userId });
      this.fanout.memberLeft(roomId, userId);
    }
    return { room_id: roomId, left: true };
  }

  /** `GET /rooms/:id/members` for anyone who can see the room. */
  async members(roomId: string, userId: string, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<MemberDto>> {
    await this.getVisible(roomId, userId);
    const after = cursor ? (decodeCursor(cursor, 2) as [string, string]) : null;
    const rows = await this.rooms.findMembersPage(roomId, limit, after);
    const page = rows.slice(0, limit);
    const users = new Map((await this.users.findByIds(page.map((r) => r.user_id))).map((u) => [u.id, u]));
    const last = page[page.length - 1];
    return {
      items: page
        .filter((r) => users.has(r.user_id))
        .map((r) => ({ user: this.usersService.present(users.get(r.user_id)!), role: r.role, joined_at: r.joined_at.toISOString() })),
      next_cursor: rows.length > limit && last ? encodeCursor([last.joined_at.toISOString(), last.user_id]) : null,
    };
  }

  /** Room ids of a user, for routing a newly authenticated socket. */
  roomIdsOfUser(userId: string): Promise<string[]> {
    return this.rooms.roomIdsOfUser(userId);
  }
}
