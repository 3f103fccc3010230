import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Server } from 'ws';
import { TokenService } from '../auth/token.service';
import { BlocksService } from '../blocks/blocks.service';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { RoomsService } from '../rooms/rooms.service';
import { RevocationBus, RevocationEvent } from '../token-blacklist/revocation-bus';
import type { User } from '../users/user.types';
import { UsersService } from '../users/users.service';
import { ChatSocket, ConnectionRegistry } from './connection-registry';
import { CloseCode, encodeFrame } from './events';
import { PresenceService } from './presence.service';
import { clientKey, RequestOrigin } from './request-origin';
import { TypingService } from './typing.service';
import { WsDrain } from './ws-drain';
import type { ClientFrame } from './ws-frame';

/** Protocol ping interval; a peer that misses two in a row (60 s of silence) is dropped. */
export const WS_HEARTBEAT_MS = 30_000;
/**
 * Most frames a connection may send while its authentication runs (pipelined after a header or an
 * `auth` frame); they wait for the outcome. Beyond this the connection is closed with 4401, so a
 * client cannot pile up work or error frames before it is known.
 */
export const PRE_AUTH_MAX_FRAMES = 32;
/** Longest token accepted in an `auth` frame, in characters (same bound as WsAuthDto). */
const MAX_TOKEN_LENGTH = 4096;
/** How long a close requested with {@link ConnectionLifecycle.closeWhenAnswered} waits at most, in ms. */
const CLOSE_AFTER_ANSWERS_MAX_MS = 5_000;

const OPEN = 1;
const CLOSED = 3;

let nextConnectionId = 1;

/**
 * The life of every WebSocket connection, in one place: admission at the upgrade (Origin, token in
 * the URL, per-IP cap, draining), the two auth paths (header, first `auth` frame) with their timeout,
 * admission of each frame according to the socket's auth stage, the heartbeat, the per-user
 * connection cap, closing on revocation, closing after pending answers (4429), and drain at shutdown.
 *
 * Auth state lives on the socket (`socket.chat`) and only moves forward: pending → authenticating →
 * authenticated. The stage changes synchronously when an auth path starts, so a second `auth` frame,
 * concurrent or later, is refused and can never switch the socket's user; revocation, presence and
 * routing all read the one `chat.userId`.
 */
@Injectable()
export class ConnectionLifecycle implements OnModuleDestroy {
  private readonly logger = new Logger(ConnectionLifecycle.name);
  private readonly origin: RequestOrigin;
  private server: Server | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly authTimers = new WeakMap<ChatSocket, NodeJS.Timeout>();
  /** Counted live connections per client IP (WS_MAX_CONNECTIONS_PER_IP). */
  private readonly connectionsByIp = new Map<string, number>();
  private readonly unsubscribeRevocations: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ConnectionRegistry,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly rooms: RoomsService,
    private readonly blocks: BlocksService,
    private readonly presence: PresenceService,
    private readonly typingIndicators: TypingService,
    private readonly drain: WsDrain,
    revocations: RevocationBus,
  ) {
    this.origin = new RequestOrigin(config.trustProxy);
    this.unsubscribeRevocations = revocations.subscribe((event) => this.closeRevoked(event));
  }

  /** Starts the heartbeat: protocol pings every WS_HEARTBEAT_MS, silent peers terminated. */
  attach(server: Server): void {
    this.server = server;
    this.heartbeat = setInterval(() => {
      for (const client of server.clients as Set<ChatSocket>) {
        if (!client.chat) continue;
        if (!client.chat.alive) {
          client.terminate();
          continue;
        }
        client.chat.alive = false;
        client.ping();
      }
    }, WS_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * A new connection: refused while draining (1001), for a foreign Origin (4403), a token in the URL
   * (4401) or past the per-IP cap (1013); otherwise authenticated by its `Authorization: Bearer`
   * header at once, or asked for first-message auth within WS_AUTH_TIMEOUT_MS.
   */
  open(client: ChatSocket, request: IncomingMessage): void {
    client.chat = {
      id: nextConnectionId++,
      ip: null,
      auth: 'pending',
      authAttempt: null,
      authFrame: null,
      preAuthFrames: 0,
      userId: null,
      sessionId: null,
      jti: null,
      openedAtMs: Date.now(),
      alive: true,
      inFlight: new Set(),
      closing: null,
    };
    // A frame marks the peer alive too (WsDispatcher.dispatch).
    client.on('pong', () => (client.chat.alive = true));
    if (this.drain.draining) {
      this.closeWith(client, CloseCode.GOING_AWAY, 'server shutting down');
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.origin.originAllowed(origin, request, this.config.allowedOrigins)) {
      this.closeWith(client, CloseCode.FORBIDDEN_ORIGIN, 'origin not allowed');
      return;
    }
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    if (query.has('token') || query.has('access_token') || query.has('jwt')) {
      this.closeWith(client, CloseCode.UNAUTHORIZED, 'tokens in the URL are refused');
      return;
    }
    const ip = clientKey(this.origin.clientIp(request));
    const count = this.connectionsByIp.get(ip) ?? 0;
    if (count >= this.config.wsMaxConnectionsPerIp) {
      this.closeWith(client, CloseCode.TRY_AGAIN_LATER, 'too many connections from this address');
      return;
    }
    this.connectionsByIp.set(ip, count + 1);
    client.chat.ip = ip;

    const timer = setTimeout(() => {
      if (client.chat.auth !== 'authenticated') this.closeWith(client, CloseCode.UNAUTHORIZED, 'authentication timeout');
    }, this.config.wsAuthTimeoutMs);
    timer.unref();
    this.authTimers.set(client, timer);

    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) {
        this.closeWith(client, CloseCode.UNAUTHORIZED, 'invalid token');
        return;
      }
      this.startAuth(client, match[1], null);
      return;
    }
    this.registry.send(client, encodeFrame('auth_required'));
  }

  /** A closed connection leaves the routing table, its IP count and (as last one) presence. */
  closed(client: ChatSocket): void {
    const timer = this.authTimers.get(client);
    if (timer) clearTimeout(timer);
    if (!client.chat) return;
    const ip = client.chat.ip;
    if (ip !== null) {
      client.chat.ip = null;
      const left = (this.connectionsByIp.get(ip) ?? 1) - 1;
      if (left > 0) this.connectionsByIp.set(ip, left);
      else this.connectionsByIp.delete(ip);
    }
    const userId = client.chat.userId;
    if (!userId) return;
    const rooms = this.registry.remove(client);
    if (rooms) {
      this.typingIndicators.stopAll(userId, rooms);
      this.presence.disconnected(userId, rooms);
    }
  }

  /**
   * Decides, synchronously as the frame arrives (the first gateway guard), whether it may be handled:
   * - authenticated: yes;
   * - pending: only a well-formed `auth` frame (`{"token": "<string>"}`), which starts the socket's one
   *   authentication; anything else closes 4401 at once (API.md);
   * - authenticating: a second `auth` is refused with an error frame; other frames wait for the outcome,
   *   at most PRE_AUTH_MAX_FRAMES of them (then 4401);
   * - closed, closing, or waiting to close: no (and no answer).
   * An admitted frame counts as in flight until {@link answered}.
   * @throws AppError BAD_REQUEST for an `auth` frame while authenticating.
   */
  admit(client: ChatSocket, frame: ClientFrame): boolean | Promise<boolean> {
    const chat = client.chat;
    if (client.readyState !== OPEN || chat.closing) return false;
    switch (chat.auth) {
      case 'authenticated':
        chat.inFlight.add(frame);
        return true;
      case 'pending': {
        const token = wellFormedAuthToken(frame);
        if (token === null) {
          this.closeWith(client, CloseCode.UNAUTHORIZED, frame.type === 'auth' ? 'invalid auth frame' : 'authentication required');
          return false;
        }
        chat.inFlight.add(frame);
        this.startAuth(client, token, frame);
        return true;
      }
      case 'authenticating': {
        if (++chat.preAuthFrames > PRE_AUTH_MAX_FRAMES) {
          this.closeWith(client, CloseCode.UNAUTHORIZED, 'too many frames before authentication');
          return false;
        }
        chat.inFlight.add(frame);
        if (frame.type === 'auth') throw new AppError('BAD_REQUEST', 'This connection is already authenticating; a socket authenticates once.');
        return chat.authAttempt!.then((ok) => ok && client.readyState === OPEN && !chat.closing);
      }
    }
  }

  /**
   * The answer to an `auth` frame, for its ack: the user it authenticated, or undefined when the
   * authentication failed (the socket is closing with 4401).
   * @throws AppError BAD_REQUEST when the socket was already authenticated before this frame.
   */
  async authFrameResult(client: ChatSocket, frame: object): Promise<{ user_id: string } | undefined> {
    if (client.chat.authFrame !== frame) throw new AppError('BAD_REQUEST', 'This connection is already authenticated; a socket authenticates once.');
    const ok = await client.chat.authAttempt;
    return ok && client.chat.userId ? { user_id: client.chat.userId } : undefined;
  }

  /** A frame admitted by {@link admit} has been answered; a close waiting for it may now go out. */
  answered(client: ChatSocket, frame: object): void {
    const chat = client.chat;
    if (!chat?.inFlight.delete(frame)) return;
    if (chat.closing && chat.inFlight.size === 0) this.closeNow(client);
  }

  /**
   * Closes the connection once every frame already admitted has been answered (their acks and errors
   * leave before the close frame), and admits no new frame meanwhile; after
   * CLOSE_AFTER_ANSWERS_MAX_MS it closes anyway.
   */
  closeWhenAnswered(client: ChatSocket, code: number, reason: string): void {
    const chat = client.chat;
    if (chat.closing || client.readyState !== OPEN) return;
    chat.closing = { code, reason };
    if (chat.inFlight.size === 0) {
      this.closeNow(client);
      return;
    }
    setTimeout(() => this.closeNow(client), CLOSE_AFTER_ANSWERS_MAX_MS).unref();
  }

  /**
   * Shutdown: refuse new connections and frames, wait (up to 5 s) for frames in flight so their
   * messages are committed and acked, then close every connection with 1001.
   */
  async shutdown(): Promise<void> {
    this.drain.draining = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.drain.idle(5000);
    const clients = [...((this.server?.clients ?? new Set()) as Set<ChatSocket>)];
    for (const client of clients) this.closeWith(client, CloseCode.GOING_AWAY, 'server shutting down');
    await this.presence.flush();
    // Give the close frames a moment to leave; terminate whatever is still open.
    await new Promise((r) => setTimeout(r, 100));
    for (const client of clients) if (client.readyState !== CLOSED) client.terminate();
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.unsubscribeRevocations();
  }

  /**
   * Starts the closing handshake and stops handling the socket's frames: whatever the client still
   * sends (a flood of 20,000 frames, say) is parsed by `ws` to find the close frame and dropped, with
   * no gateway work and no answer.
   */
  private closeWith(client: ChatSocket, code: number, reason: string): void {
    client.close(code, reason);
    client.removeAllListeners('message');
  }

  private closeNow(client: ChatSocket): void {
    const closing = client.chat.closing;
    if (closing && client.readyState === OPEN) this.closeWith(client, closing.code, closing.reason);
  }

  /**
   * The socket's one authentication: marks it `authenticating` now (synchronously), then verifies the
   * token, loads the user's rooms and registers the socket; any failure closes it with 4401.
   */
  private startAuth(client: ChatSocket, token: string, frame: object | null): void {
    const chat = client.chat;
    if (chat.auth !== 'pending') throw new Error('a socket authenticates once');
    chat.auth = 'authenticating';
    chat.authFrame = frame;
    chat.authAttempt = this.authenticate(client, token).then(
      (ok) => ok,
      () => {
        this.closeWith(client, CloseCode.UNAUTHORIZED, 'invalid token');
        return false;
      },
    );
  }

  /**
   * Verifies the token, loads the user (for `auth_ok`) and, unless the user already has a live
   * connection here, their rooms and block list into the routing table, sends `auth_ok` and enforces
   * the per-user cap. Membership and block changes landing while those load are journaled by the
   * registry, so a kick (or a block) in that gap is not lost.
   * @returns false when the socket closed meanwhile. @throws on a bad, revoked or deleted user's token.
   */
  private async authenticate(client: ChatSocket, token: string): Promise<boolean> {
    const principal = this.tokens.verifyAccessToken(token);
    const userId = principal.userId;
    const journal = this.registry.beginLoad(userId);
    let user: User;
    let first: boolean;
    try {
      // A user already online here is routed already (the registry keeps their rooms and blocks up
      // to date), so their further connections cost no routing query; the user row and the routing
      // load run side by side.
      const routing = this.registry.isConnected(userId) ? null : this.loadRouting(userId);
      [user] = await Promise.all([this.users.getEntity(userId), routing]);
      if (user.deletedAt) throw new AppError('TOKEN_REVOKED');
      let loaded = await routing;
      // Every other connection closed while the user loaded: this one is the first after all.
      if (loaded === null && !this.registry.isConnected(userId)) loaded = await this.loadRouting(userId);
      if (client.readyState !== OPEN) return false;
      // Revoked while the rooms were loading: refuse rather than register a dead token's socket.
      if (this.tokens.isRevoked(principal)) throw new AppError('TOKEN_REVOKED');
      const chat = client.chat;
      chat.userId = userId;
      chat.sessionId = principal.sessionId;
      chat.jti = principal.jti;
      chat.auth = 'authenticated';
      first = this.registry.add(client, loaded?.roomIds ?? [], loaded?.blockedIds ?? [], journal);
    } finally {
      this.registry.endLoad(journal);
    }
    const timer = this.authTimers.get(client);
    if (timer) clearTimeout(timer);
    this.registry.send(client, encodeFrame('auth_ok', { user: this.users.present(user, true) }));
    if (first) void this.presence.connected(userId);
    // Beyond the per-user cap, the oldest connections (the Set keeps them in order) make way for the new one.
    const connections = this.registry.connectionsOf(userId);
    let excess = connections.size - this.config.wsMaxConnectionsPerUser;
    for (const old of connections) {
      if (excess-- <= 0) break;
      this.closeWith(old, CloseCode.REPLACED, 'too many connections for this user');
    }
    return true;
  }

  /** The rooms and block list that route a user's events, from the database (two indexed reads). */
  private async loadRouting(userId: string): Promise<{ roomIds: string[]; blockedIds: string[] }> {
    const [roomIds, blockedIds] = await Promise.all([this.rooms.roomIdsOfUser(userId), this.blocks.blockedIdsOf(userId)]);
    return { roomIds, blockedIds };
  }

  /** Closes, with 4401, every live connection authenticated with a revoked token or session. */
  private closeRevoked(event: RevocationEvent): void {
    const candidates = event.userId ? this.registry.connectionsOf(event.userId) : this.registry.all();
    for (const client of [...candidates]) {
      const hit = event.kind === 'jti' ? client.chat.jti === event.id : client.chat.sessionId === event.id;
      if (hit) this.closeWith(client, CloseCode.UNAUTHORIZED, 'token has been revoked');
    }
  }
}

/** The token of a well-formed `auth` frame (payload exactly `{"token": "<1..4096 chars>"}`), else null. */
function wellFormedAuthToken(frame: ClientFrame): string | null {
  if (frame.type !== 'auth' || frame.problem !== undefined) return null;
  const keys = Object.keys(frame.payload);
  const token = frame.payload.token;
  if (keys.length !== 1 || typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  return token;
}
