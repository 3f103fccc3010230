import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { FanoutService } from '../realtime/fanout.service';
import { BlockListDto, BlockStateDto } from './dto/blocks.dto';
import { BlocksRepository, MAX_BLOCKS_PER_USER } from './blocks.repository';

/**
 * User blocks: a user's block list and the rules built on it. A block stops direct contact (no DM
 * is opened and nothing is sent in an existing DM between the two, either way), keeps the blocked
 * user's messages and typing from reaching the blocker live or by push, and marks their messages
 * `blocked: true` in the blocker's reads. Each change is announced over the backplane so every
 * instance updates the live block set of the blocker's connections (see ConnectionRegistry).
 */
@Injectable()
export class BlocksService {
  constructor(
    private readonly blocks: BlocksRepository,
    private readonly fanout: FanoutService,
  ) {}

  /** `GET /auth/blocks`: everyone the caller blocked, most recent first (at most 1,000). */
  async list(userId: string): Promise<BlockListDto> {
    const rows = await this.blocks.listBlocked(userId);
    return {
      items: rows.map((r) => ({
        id: r.id,
        username: r.username,
        display_name: r.display_name,
        avatar_url: r.avatar_url,
        deactivated: r.deactivated,
        blocked_at: r.blocked_at.toISOString(),
      })),
    };
  }

  /**
   * `PUT /auth/blocks/:user_id`: blocks a user; repeating it changes nothing and answers the same.
   * @throws AppError VALIDATION_FAILED (400, yourself), USER_NOT_FOUND (404, unknown or deleted
   *   account), BUSINESS_RULE (422, already 1,000 users blocked).
   */
  async block(userId: string, targetId: string): Promise<BlockStateDto> {
    if (userId === targetId) throw new AppError('VALIDATION_FAILED', 'You cannot block yourself.', [{ field: 'user_id', problem: 'must not be yourself' }]);
    const outcome = await this.blocks.insert(userId, targetId);
    if (outcome === 'no_user') throw new AppError('USER_NOT_FOUND');
    if (outcome === 'limit_reached') throw new AppError('BUSINESS_RULE', `At most ${MAX_BLOCKS_PER_USER} users can be blocked; unblock someone first.`);
    // Announced on repeats too: idempotent, and it heals an instance that missed the first one.
    this.fanout.blockChanged(userId, targetId, true);
    return { user_id: targetId, blocked: true };
  }

  /**
   * `DELETE /auth/blocks/:user_id`: unblocks a user; unblocking someone not blocked answers the same.
   * @throws AppError VALIDATION_FAILED (400, yourself), USER_NOT_FOUND (404, no such account).
   */
  async unblock(userId: string, targetId: string): Promise<BlockStateDto> {
    if (userId === targetId) throw new AppError('VALIDATION_FAILED', 'You cannot block yourself.', [{ field: 'user_id', problem: 'must not be yourself' }]);
    const outcome = await this.blocks.delete(userId, targetId);
    if (outcome === 'no_user') throw new AppError('USER_NOT_FOUND');
    this.fanout.blockChanged(userId, targetId, false);
    return { user_id: targetId, blocked: false };
  }

  /**
   * Refuses direct contact between two users when either blocked the other.
   * @param q a transaction's manager when the check must hold under a lock the caller took
   * @throws AppError BLOCKED (403).
   */
  async assertNotBlocked(a: string, b: string, q?: EntityManager): Promise<void> {
    if (await this.blocks.eitherBlocked(a, b, q)) throw new AppError('BLOCKED');
  }

  /**
   * Whether a send in this DM is refused because its users blocked one another (either way); the
   * send pipeline answers it as the `blocked` outcome (403 BLOCKED).
   * @param q the send's transaction, holding the room lock
   */
  dmBlocked(roomId: string, q?: EntityManager): Promise<boolean> {
    return this.blocks.dmRoomBlocked(roomId, q);
  }

  /** Ids of everyone the user blocked: the live block set loaded when a connection authenticates. */
  blockedIdsOf(userId: string): Promise<string[]> {
    return this.blocks.blockedIdsOf(userId);
  }

  /** The `blocker:blocked` pairs among the users and senders of a push decision (one statement). */
  blockedPairs(blockerIds: string[], senderIds: string[]): Promise<Set<string>> {
    return this.blocks.blockedPairs(blockerIds, senderIds);
  }
}
