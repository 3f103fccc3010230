import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BlocksService } from '../blocks/blocks.service';
import { AppError } from '../common/errors/app-error';
import { DEFAULT_LIMIT, Page } from '../common/pagination/pagination';
import { FanoutService } from '../realtime/fanout.service';
import { RoomDto } from '../rooms/dto/rooms.dto';
import { RoomsRepository } from '../rooms/rooms.repository';
import { RoomsService } from '../rooms/rooms.service';
import { UsersRepository } from '../users/users.repository';
import { DmRepository, dmKeyOf } from './dm.repository';

/** Result of opening a DM: the room as the caller sees it and whether this call created it. */
export interface OpenDmResult {
  room: RoomDto;
  created: boolean;
}

/**
 * Direct messages: one room of type `dm` per pair of users, found by its ordered-pair key. Both users
 * are plain members (a DM has no owner or admins, so it cannot be renamed, administered or deleted).
 */
@Injectable()
export class DmService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dms: DmRepository,
    private readonly rooms: RoomsRepository,
    private readonly roomsService: RoomsService,
    private readonly users: UsersRepository,
    private readonly fanout: FanoutService,
    private readonly blocks: BlocksService,
  ) {}

  /**
   * `POST /dm`: the DM room of the caller and the recipient, created when missing. Creation is one
   * INSERT ... ON CONFLICT on the unique pair key, so two concurrent requests (from either side) end
   * with one room. On creation both users' live connections start receiving it and the recipient
   * gets `dm_created`. Refused when either user blocked the other, also when their DM exists (it
   * stays readable through the room routes; sending in it is refused too).
   * @throws AppError DM_WITH_SELF (400), USER_NOT_FOUND (404, unknown or deleted recipient),
   *   BLOCKED (403, either side blocked the other).
   */
  async open(userId: string, recipientId: string): Promise<OpenDmResult> {
    if (recipientId.toLowerCase() === userId.toLowerCase()) throw new AppError('DM_WITH_SELF');
    const recipient = await this.users.findById(recipientId);
    if (!recipient || recipient.deletedAt) throw new AppError('USER_NOT_FOUND');
    await this.blocks.assertNotBlocked(userId, recipient.id);
    const key = dmKeyOf(userId, recipient.id);

    const createdId = await this.dataSource.transaction(async (manager) => {
      const id = await this.dms.insertDmRoom(manager, key);
      if (id) {
        await this.rooms.addMember(manager, id, userId, 'member');
        await this.rooms.addMember(manager, id, recipient.id, 'member');
      }
      return id;
    });
    if (createdId) {
      this.fanout.memberJoined(createdId, userId);
      this.fanout.memberJoined(createdId, recipient.id);
      this.fanout.toUser(recipient.id, 'dm_created', await this.roomsService.viewOf(createdId, recipient.id));
      return { room: await this.roomsService.viewOf(createdId, userId), created: true };
    }
    // Another request created it first; READ COMMITTED lets this statement see its commit.
    const existingId = await this.dms.findDmRoomId(key);
    if (!existingId) throw new AppError('CONFLICT', 'The conversation could not be opened; try again.');
    return { room: await this.roomsService.viewOf(existingId, userId), created: false };
  }

  /** `GET /dm`: the caller's DMs, most recent activity first, with peer, last_message and unread_count. */
  list(userId: string, limit = DEFAULT_LIMIT, cursor?: string): Promise<Page<RoomDto>> {
    return this.roomsService.listMine(userId, limit, cursor, true);
  }
}
