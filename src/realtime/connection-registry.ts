import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { CloseCode } from './events';

/** How long a slow consumer gets to read its close frame before the socket is destroyed, in ms. */
export const SLOW_CONSUMER_TERMINATE_MS = 30_000;

/**
 * Where a connection stands: `pending` until an auth path starts (header at the upgrade, or the
 * first `auth` frame), `authenticating` while the token and rooms are checked, `authenticated` once
 * `auth_ok` has gone out. It only ever moves forward, so a socket has at most one user.
 */
export type AuthStage = 'pending' | 'authenticating' | 'authenticated';

/** What the gateway knows about one WebSocket connection; set up by ConnectionLifecycle only. */
export interface ConnectionState {
  /** Process-unique id of the connection. */
  id: number;
  /** Client key (IP, IPv6 /56) counted against WS_MAX_CONNECTIONS_PER_IP; null when not counted. */
  ip: string | null;
  auth: AuthStage;
  /** The one authentication attempt of this socket (resolves true when it succeeded). */
  authAttempt: Promise<boolean> | null;
  /** The `auth` frame that started the attempt (its ack answers it); null for header auth. */
  authFrame: object | null;
  /** Frames received while authenticating (bounded; see PRE_AUTH_MAX_FRAMES). */
  preAuthFrames: number;
  /** Set once, when authentication succeeds. */
  userId: string | null;
  sessionId: string | null;
  jti: string | null;
  openedAtMs: number;
  alive: boolean;
  /** Frames admitted and not answered yet (ack, error or nothing), so a close can wait for them. */
  inFlight: Set<object>;
  /** A close requested once every in-flight frame is answered (4429), or null. */
  closing: { code: number; reason: string } | null;
}

/**
 * Routing changes of one user recorded while their rooms and block list load (see
 * ConnectionRegistry.beginLoad): rooms joined or left, users blocked or unblocked.
 */
export interface MembershipJournal {
  readonly userId: string;
  refs: number;
  readonly changes: ['join' | 'leave' | 'block' | 'unblock', string][];
}

/** A `ws` socket with the gateway's state attached. */
export type ChatSocket = WebSocket & { chat: ConnectionState };

/**
 * In-memory routing table of this instance: the live connections of each user, the online members
 * of each room and the users each online user blocked, so a fan-out needs no database query.
 * Membership and blocks are loaded once per user when their first connection authenticates and
 * updated on every membership change and every block or unblock (backplane envelopes).
 */
@Injectable()
export class ConnectionRegistry {
  private readonly logger = new Logger(ConnectionRegistry.name);
  private readonly connectionsByUser = new Map<string, Set<ChatSocket>>();
  private readonly roomsByUser = new Map<string, Set<string>>();
  private readonly usersByRoom = new Map<string, Set<string>>();
  /** Online users who blocked someone → whom they blocked (only non-empty sets are kept). */
  private readonly blocksByUser = new Map<string, Set<string>>();
  /** Users whose rooms are being loaded, with the membership changes seen meanwhile. */
  private readonly loading = new Map<string, MembershipJournal>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Starts recording the routing changes of a user whose rooms and blocks are being loaded from the
   * database, so a join, leave, kick, room deletion, block or unblock that lands while the queries
   * run is replayed by {@link add} instead of being lost. Pair with {@link endLoad}.
   */
  beginLoad(userId: string): MembershipJournal {
    let journal = this.loading.get(userId);
    if (!journal) this.loading.set(userId, (journal = { userId, refs: 0, changes: [] }));
    journal.refs++;
    return journal;
  }

  /** Stops recording for one load begun with {@link beginLoad}. */
  endLoad(journal: MembershipJournal): void {
    if (--journal.refs > 0) return;
    if (this.loading.get(journal.userId) === journal) this.loading.delete(journal.userId);
  }

  /**
   * Registers an authenticated connection with the rooms its user belonged to and the users they had
   * blocked when those were loaded, plus the changes recorded since in `journal`.
   * @returns true when this is the user's first live connection on this instance.
   */
  add(socket: ChatSocket, roomIds: string[], blockedIds: string[], journal: MembershipJournal): boolean {
    const userId = socket.chat.userId!;
    let set = this.connectionsByUser.get(userId);
    const first = !set || set.size === 0;
    if (!set) this.connectionsByUser.set(userId, (set = new Set()));
    set.add(socket);
    if (first) {
      for (const roomId of roomIds) this.route(roomId, userId);
      for (const blockedId of blockedIds) this.setBlocked(userId, blockedId, true);
      for (const [op, id] of journal.changes) {
        if (op === 'join') this.route(id, userId);
        else if (op === 'leave') this.unroute(id, userId);
        else this.setBlocked(userId, id, op === 'block');
      }
    }
    return first;
  }

  /**
   * Removes a connection.
   * @returns the rooms the user was routed to when this was their last live connection here, else null.
   */
  remove(socket: ChatSocket): Set<string> | null {
    const userId = socket.chat.userId;
    if (!userId) return null;
    const set = this.connectionsByUser.get(userId);
    if (!set || !set.delete(socket)) return null;
    if (set.size > 0) return null;
    this.connectionsByUser.delete(userId);
    const rooms = this.roomsByUser.get(userId) ?? new Set<string>();
    for (const roomId of rooms) {
      const users = this.usersByRoom.get(roomId);
      users?.delete(userId);
      if (users?.size === 0) this.usersByRoom.delete(roomId);
    }
    this.roomsByUser.delete(userId);
    this.blocksByUser.delete(userId);
    return rooms;
  }

  /** Records a block or unblock of the user, if they are online here (or being loaded). */
  blockChanged(blockerId: string, blockedId: string, blocked: boolean): void {
    this.loading.get(blockerId)?.changes.push([blocked ? 'block' : 'unblock', blockedId]);
    if (this.connectionsByUser.has(blockerId)) this.setBlocked(blockerId, blockedId, blocked);
  }

  /** True when the online user `userId` has blocked `authorId` (one map lookup; false for offline users). */
  hasBlocked(userId: string, authorId: string): boolean {
    return this.blocksByUser.get(userId)?.has(authorId) === true;
  }

  private setBlocked(blockerId: string, blockedId: string, blocked: boolean): void {
    let set = this.blocksByUser.get(blockerId);
    if (blocked) {
      if (!set) this.blocksByUser.set(blockerId, (set = new Set()));
      set.add(blockedId);
    } else if (set) {
      set.delete(blockedId);
      if (set.size === 0) this.blocksByUser.delete(blockerId);
    }
  }

  /** Routes a room's events to the user from now on, if the user is online here (or being loaded). */
  addMembership(roomId: string, userId: string): void {
    this.loading.get(userId)?.changes.push(['join', roomId]);
    if (this.connectionsByUser.has(userId)) this.route(roomId, userId);
  }

  /** Stops routing a room's events to the user (left, kicked). */
  removeMembership(roomId: string, userId: string): void {
    this.loading.get(userId)?.changes.push(['leave', roomId]);
    this.unroute(roomId, userId);
  }

  /** Forgets a deleted room entirely. */
  removeRoom(roomId: string): void {
    for (const journal of this.loading.values()) journal.changes.push(['leave', roomId]);
    for (const userId of this.usersByRoom.get(roomId) ?? []) this.roomsByUser.get(userId)?.delete(roomId);
    this.usersByRoom.delete(roomId);
  }

  private route(roomId: string, userId: string): void {
    let rooms = this.roomsByUser.get(userId);
    if (!rooms) this.roomsByUser.set(userId, (rooms = new Set()));
    rooms.add(roomId);
    let users = this.usersByRoom.get(roomId);
    if (!users) this.usersByRoom.set(roomId, (users = new Set()));
    users.add(userId);
  }

  private unroute(roomId: string, userId: string): void {
    this.roomsByUser.get(userId)?.delete(roomId);
    const users = this.usersByRoom.get(roomId);
    if (!users) return;
    users.delete(userId);
    if (users.size === 0) this.usersByRoom.delete(roomId);
  }

  /** Live connections of one user on this instance, oldest first (a Set keeps insertion order). */
  connectionsOf(userId: string): ReadonlySet<ChatSocket> {
    return this.connectionsByUser.get(userId) ?? new Set();
  }

  /** Users with at least one live connection here. */
  connectedUsers(): IterableIterator<string> {
    return this.connectionsByUser.keys();
  }

  /** Online members of a room on this instance. */
  onlineMembersOf(roomId: string): ReadonlySet<string> {
    return this.usersByRoom.get(roomId) ?? new Set();
  }

  /** Rooms of an online user on this instance. */
  roomsOf(userId: string): ReadonlySet<string> {
    return this.roomsByUser.get(userId) ?? new Set();
  }

  /** True while the user has a live connection here. */
  isConnected(userId: string): boolean {
    return (this.connectionsByUser.get(userId)?.size ?? 0) > 0;
  }

  /** Every live authenticated connection (shutdown, heartbeat). */
  *all(): IterableIterator<ChatSocket> {
    for (const set of this.connectionsByUser.values()) yield* set;
  }

  /**
   * Sends an already serialized frame (text; a Buffer holds its UTF-8 bytes, so a frame going to many
   * sockets is encoded once, not once per socket). A connection whose unsent buffer has passed
   * WS_MAX_BUFFERED_BYTES is closed with 4008 instead, so one slow reader never holds memory or
   * slows the others.
   *
   * Frames sent to one socket in the same turn of the event loop (a group commit's acks and events,
   * a burst of fan-out) leave in one write: the socket is corked on its first frame and uncorked
   * once the current I/O phase is over (a fraction of a millisecond later), saving a system call per
   * frame.
   */
  send(socket: ChatSocket, data: string | Buffer): void {
    if (socket.readyState !== 1) return;
    const raw = rawSocket(socket);
    // Frames held by our cork are not backlog: hand them to the kernel before judging the reader,
    // and in any case once they add up to a full write.
    if (raw && raw.writableCorked > 0 && raw.writableLength >= CORK_FLUSH_BYTES) raw.uncork();
    if (socket.bufferedAmount > this.config.wsMaxBufferedBytes) {
      this.logger.warn(`closing slow consumer connection ${socket.chat.id} (${socket.bufferedAmount} bytes buffered)`);
      socket.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
      // The close frame queues behind the buffered data (no new data is added, so memory stays
      // bounded); a reader that never reads it is cut off after SLOW_CONSUMER_TERMINATE_MS.
      setTimeout(() => socket.terminate(), SLOW_CONSUMER_TERMINATE_MS).unref();
      return;
    }
    if (raw && raw.writableCorked === 0) {
      raw.cork();
      if (this.corked.push(raw) === 1) setImmediate(this.uncorkAll);
    }
    socket.send(data, TEXT_FRAME);
  }

  /** Sockets corked in this turn of the event loop (one may appear twice; uncork is then a no-op). */
  private readonly corked: Socket[] = [];

  private readonly uncorkAll = (): void => {
    for (const raw of this.corked.splice(0)) raw.uncork();
  };
}

/** Corked frames to one socket are written out once they reach this many bytes. */
const CORK_FLUSH_BYTES = 16 * 1024;

/** The TCP socket under a `ws` socket (private in `ws`); undefined means frames go out one by one. */
function rawSocket(socket: ChatSocket): Socket | undefined {
  return (socket as unknown as { _socket?: Socket })._socket;
}

/** Options of `ws.send` for our frames: always text, whether given as a string or UTF-8 bytes. */
const TEXT_FRAME = { binary: false } as const;
