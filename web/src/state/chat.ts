// The signed-in chat: rooms, members, conversations with their outbox and sync, presence and typing,
// read receipts and drafts, kept in signals the components read. Every server event is handled in
// `onFrame`, exactly in the shapes API.md and the server send.
import { batch, computed, signal } from '@preact/signals-core';
import { ApiError, describeError, Http } from '../api/http';
import type { ServerFrame, SyncResult } from '../api/frames';
import { Realtime, SocketError } from '../api/socket';
import type { BlockedUser, Me, Member, Message, Role, Room, Upload, User, UserSummary } from '../api/types';
import { changeSeq, Conversation, type ConversationView } from './conversation';
import { Outbox, type PendingMessage } from './outbox';
import { Session } from './session';
import { notifyIncoming } from '../notify';
import { roomAfterMessage, roomAfterRead } from './unread';

const HISTORY_PAGE = 50;
const TYPING_EXPIRES_MS = 6500;
const TYPING_RESEND_MS = 3000;
const SYNC_ROUNDS = 20;
/** Longest message, in code points (API.md). */
export const MAX_MESSAGE_CHARS = 4000;

/** A notice for the toast region. */
export interface Toast {
  id: number;
  text: string;
  kind: 'error' | 'info' | 'success';
}

/** Name shown for a user-like object. */
export function displayName(user: { display_name?: string | null; username?: string } | null | undefined): string {
  return user?.display_name || user?.username || 'Someone';
}

/** Name shown for a room (a DM is named after the other person). */
export function roomTitle(room: Room | undefined): string {
  if (!room) return '';
  if (room.type === 'dm') return displayName(room.peer);
  return room.name ?? 'Room';
}

/** A random id for client_msg_id (crypto.randomUUID needs a secure context; LAN http is not one). */
export function randomId(): string {
  try {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  } catch {}
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Length in code points, as the server counts. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Drafts per user and room in localStorage, so they survive room switches and reloads. */
export class Drafts {
  constructor(private readonly userId: string) {}
  private key(roomId: string): string {
    return `chat.draft.${this.userId}.${roomId}`;
  }
  get(roomId: string): string {
    return localStorage.getItem(this.key(roomId)) ?? '';
  }
  set(roomId: string, text: string): void {
    if (text) localStorage.setItem(this.key(roomId), text);
    else localStorage.removeItem(this.key(roomId));
  }
}

/** The whole signed-in state plus every operation the components call. */
export class Chat {
  readonly rooms = signal<ReadonlyMap<string, Room>>(new Map());
  readonly roomsLoaded = signal(false);
  readonly members = signal<ReadonlyMap<string, ReadonlyMap<string, Member>>>(new Map());
  /**
   * People met who are in no loaded member list (left, removed): system lines about them still
   * name them. Filled when a member is dropped, and by {@link lookUpUser}.
   */
  readonly formerMembers = signal<ReadonlyMap<string, User | UserSummary>>(new Map());
  readonly presence = signal<ReadonlyMap<string, boolean>>(new Map());
  /** Who is typing, per room (user ids). */
  readonly typing = signal<ReadonlyMap<string, readonly string[]>>(new Map());
  /** Read pointers of other members, per room. */
  readonly reads = signal<ReadonlyMap<string, ReadonlyMap<string, number>>>(new Map());
  readonly currentRoomId = signal<string | null>(null);
  /** Per opened room: its conversation snapshot and unsent messages. */
  readonly views = signal<ReadonlyMap<string, { conv: ConversationView; pending: PendingMessage[] }>>(new Map());
  readonly toasts = signal<Toast[]>([]);
  /** The people I blocked, by id; null until loaded (messages then go by their own `blocked`). */
  readonly blockedUsers = signal<ReadonlyMap<string, BlockedUser> | null>(null);
  /** A message to scroll to and highlight (after a search hit or a reply click). */
  readonly focus = signal<{ roomId: string; messageId: string; nonce: number } | null>(null);
  readonly sortedRooms = computed(() => {
    const activity = (r: Room) => Date.parse(r.last_message?.created_at ?? r.created_at) || 0;
    return [...this.rooms.value.values()].sort((a, b) => activity(b) - activity(a));
  });

  readonly rt: Realtime;
  readonly drafts: Drafts;
  private readonly convs = new Map<string, Conversation>();
  private readonly outbox: Outbox;
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly typingSent = new Map<string, number>();
  private readonly readTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lastMarkedRead = new Map<string, number>();
  private watching: { roomId: string | null; atBottom: boolean } = { roomId: null, atBottom: false };
  private toastId = 0;

  constructor(
    readonly session: Session,
    readonly http: Http,
  ) {
    const me = session.user.value;
    this.drafts = new Drafts(me?.id ?? 'anonymous');
    this.rt = new Realtime({ token: () => session.token(), refreshAfterRefusal: () => session.refreshAfterRefusal(), active: () => session.active() });
    this.rt.onFrame = (f) => this.onFrame(f);
    this.rt.onReady = () => void this.onReady();
    this.outbox = new Outbox({
      isOnline: () => this.rt.isOnline,
      send: (p) => {
        const payload: { room_id: string; client_msg_id: string; content?: string; reply_to_id?: string; attachment_ids?: string[] } = { room_id: p.room_id, client_msg_id: p.client_msg_id };
        if (p.content) payload.content = p.content;
        if (p.reply_to) payload.reply_to_id = p.reply_to.id;
        if (p.attachments.length) payload.attachment_ids = p.attachments.map((a) => a.id);
        return this.rt.request('send_message', payload);
      },
      delivered: (m) => this.acceptMessage(m, 'live'),
      changed: (roomId) => this.publish(roomId),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    });
    if (me) this.setPresence(me.id, true);
  }

  get me(): Me | null {
    return this.session.user.value;
  }

  // ---- lifecycle ------------------------------------------------------------------------------
  start(): void {
    this.rt.start();
    this.loadRooms().catch((err) => this.fail(err, 'Could not load your conversations'));
    this.loadBlocks().catch(() => undefined);
  }

  stop(): void {
    this.rt.stop();
    this.outbox.clear();
    for (const t of this.typingTimers.values()) clearTimeout(t);
    for (const t of this.readTimers.values()) clearTimeout(t);
  }

  /** After every (re)connect: refresh the room list, sync opened rooms, resend the outbox. */
  private async onReady(): Promise<void> {
    try {
      if (this.roomsLoaded.value) await this.loadRooms();
      await this.syncOpened();
    } catch (err) {
      if (!(err instanceof SocketError)) this.fail(err, 'Could not catch up after reconnecting');
    }
    this.outbox.flush();
  }

  // ---- toasts -----------------------------------------------------------------------------------
  toast(text: string, kind: Toast['kind'] = 'error'): void {
    const id = ++this.toastId;
    this.toasts.value = [...this.toasts.value.slice(-3), { id, text, kind }];
    setTimeout(() => this.dismissToast(id), kind === 'error' ? 8000 : 4000);
  }

  dismissToast(id: number): void {
    this.toasts.value = this.toasts.value.filter((t) => t.id !== id);
  }

  /** Shows an error in words; returns the sentence. */
  fail(err: unknown, prefix?: string): string {
    const text = prefix ? `${prefix}: ${describeError(err)}` : describeError(err);
    this.toast(text, 'error');
    return text;
  }

  // ---- rooms ------------------------------------------------------------------------------------
  async loadRooms(): Promise<void> {
    const items: Room[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.http.call('get', '/rooms/me', { query: { limit: 100, cursor } });
      items.push(...page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && items.length < 1000);
    const next = new Map<string, Room>();
    for (const room of items) {
      next.set(room.id, newerActivity(this.rooms.value.get(room.id), room));
      if (room.peer) this.setPresence(room.peer.id, room.peer.online);
    }
    // Rooms the user was in but no longer is (removed while offline) are forgotten; a room opened
    // by link without being a member keeps its conversation (it shows "Join this room").
    const gone = [...this.rooms.value.keys()].filter((id) => !next.has(id));
    batch(() => {
      this.rooms.value = next;
      this.roomsLoaded.value = true;
    });
    for (const id of gone) this.forgetRoom(id);
  }

  room(id: string | null): Room | undefined {
    return id ? this.rooms.value.get(id) : undefined;
  }

  private putRoom(room: Room): void {
    const next = new Map(this.rooms.value);
    next.set(room.id, room);
    this.rooms.value = next;
  }

  /** Adds or refreshes a room from a full Room object. */
  upsertRoom(room: Room): void {
    const old = this.rooms.value.get(room.id);
    const merged = old ? { ...old, ...room, last_message: room.last_message ?? old.last_message, unread_count: room.unread_count ?? old.unread_count, peer: room.peer ?? old.peer } : room;
    this.putRoom(newerActivity(old, merged));
    if (room.peer) this.setPresence(room.peer.id, room.peer.online);
  }

  private async fetchRoom(roomId: string): Promise<void> {
    try {
      this.upsertRoom(await this.http.call('get', '/rooms/{id}', { path: { id: roomId } }));
    } catch {}
  }

  /** Drops a room the user is no longer in; `why` is told to them. */
  private removeRoom(roomId: string, why: string | null): void {
    const room = this.rooms.value.get(roomId);
    if (!room) return;
    const next = new Map(this.rooms.value);
    next.delete(roomId);
    this.rooms.value = next;
    this.forgetRoom(roomId);
    if (why) this.toast(`${why}: ${roomTitle(room)}`, 'info');
    if (this.currentRoomId.value === roomId) location.hash = '';
  }

  private forgetRoom(roomId: string): void {
    this.convs.delete(roomId);
    const views = new Map(this.views.value);
    views.delete(roomId);
    this.views.value = views;
    const members = new Map(this.members.value);
    members.delete(roomId);
    this.members.value = members;
  }

  /** Makes `roomId` the open conversation (null closes it) and loads what it needs. */
  openRoom(roomId: string | null): void {
    if (this.currentRoomId.value === roomId) return;
    this.currentRoomId.value = roomId;
    if (!roomId) return;
    const conv = this.conv(roomId);
    if (!conv.loaded && !conv.loading) void this.loadLatest(roomId);
    this.loadMembers(roomId).catch(() => undefined);
  }

  async createRoom(body: { name: string; description?: string; type: 'public' | 'private' }): Promise<Room> {
    const room = await this.http.call('post', '/rooms', { body });
    this.upsertRoom(room);
    return room;
  }

  async joinRoom(roomId: string): Promise<Room> {
    const room = await this.http.call('post', '/rooms/{id}/join', { path: { id: roomId } });
    this.upsertRoom(room);
    const conv = this.conv(roomId);
    if (!conv.loaded) await this.loadLatest(roomId);
    this.loadMembers(roomId).catch(() => undefined);
    return room;
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.http.call('post', '/rooms/{id}/leave', { path: { id: roomId } });
    this.removeRoom(roomId, null);
  }

  async startDm(userId: string): Promise<Room> {
    const room = await this.http.call('post', '/dm', { body: { recipient_id: userId } });
    this.upsertRoom(room);
    return room;
  }

  // ---- room administration ----------------------------------------------------------------------
  async updateRoom(roomId: string, body: { name?: string; description?: string }): Promise<void> {
    this.upsertRoom(await this.http.call('patch', '/rooms/{id}', { path: { id: roomId }, body }));
  }

  async deleteRoom(roomId: string): Promise<void> {
    await this.http.call('delete', '/rooms/{id}', { path: { id: roomId } });
    this.removeRoom(roomId, null);
  }

  async addMembers(roomId: string, userIds: string[]): Promise<void> {
    await this.http.call('post', '/rooms/{id}/members', { path: { id: roomId }, body: { user_ids: userIds } });
    await this.loadMembers(roomId);
  }

  async kick(roomId: string, userId: string): Promise<void> {
    await this.http.call('delete', '/rooms/{id}/members/{user_id}', { path: { id: roomId, user_id: userId } });
    this.dropMember(roomId, userId);
  }

  /** Sets a member's role; `owner` hands the room over (the previous owner becomes admin). */
  async setRole(roomId: string, userId: string, role: Role): Promise<void> {
    await this.http.call('patch', '/rooms/{id}/members/{user_id}', { path: { id: roomId, user_id: userId }, body: { role } });
    await Promise.all([this.loadMembers(roomId), this.fetchRoom(roomId)]);
  }

  // ---- members and presence ---------------------------------------------------------------------
  async loadMembers(roomId: string): Promise<void> {
    const map = new Map<string, Member>();
    let cursor: string | undefined;
    do {
      const page = await this.http.call('get', '/rooms/{id}/members', { path: { id: roomId }, query: { limit: 100, cursor } });
      for (const m of page.items) map.set(m.user.id, m);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && map.size < 2000);
    const presence = new Map(this.presence.value);
    for (const m of map.values()) presence.set(m.user.id, m.user.online);
    if (this.me) presence.set(this.me.id, true);
    batch(() => {
      this.presence.value = presence;
      const all = new Map(this.members.value);
      all.set(roomId, map);
      this.members.value = all;
    });
  }

  private putMember(roomId: string, member: Member): void {
    const current = this.members.value.get(roomId);
    if (!current) return;
    const map = new Map(current);
    map.set(member.user.id, member);
    const all = new Map(this.members.value);
    all.set(roomId, map);
    this.members.value = all;
  }

  private dropMember(roomId: string, userId: string): void {
    const current = this.members.value.get(roomId);
    if (!current?.has(userId)) return;
    this.rememberUser(current.get(userId)!.user);
    const map = new Map(current);
    map.delete(userId);
    const all = new Map(this.members.value);
    all.set(roomId, map);
    this.members.value = all;
  }

  private setPresence(userId: string, online: boolean): void {
    if (this.presence.value.get(userId) === online) return;
    const next = new Map(this.presence.value);
    next.set(userId, online);
    this.presence.value = next;
  }

  isOnline(userId: string | null | undefined): boolean {
    return Boolean(userId) && this.presence.value.get(userId!) === true;
  }

  /** The freshest known profile of a user (members, DM peers), for names and avatars. */
  userById(roomId: string | null, userId: string | null | undefined): User | UserSummary | undefined {
    if (!userId) return undefined;
    if (roomId) {
      const m = this.members.value.get(roomId)?.get(userId);
      if (m) return m.user;
    }
    for (const members of this.members.value.values()) {
      const m = members.get(userId);
      if (m) return m.user;
    }
    for (const r of this.rooms.value.values()) if (r.peer?.id === userId) return r.peer;
    return this.formerMembers.value.get(userId);
  }

  private rememberUser(user: User | UserSummary): void {
    if (!user.id) return;
    const next = new Map(this.formerMembers.value);
    next.set(user.id, user);
    this.formerMembers.value = next;
  }

  private readonly lookedUp = new Set<string>();

  /**
   * Makes a user's name known when nothing loaded here has it (a system line about someone who
   * left before this page loaded): one GET /users/:id per user and page; failures leave "someone".
   */
  lookUpUser(userId: string): void {
    if (this.userById(null, userId) || this.lookedUp.has(userId)) return;
    this.lookedUp.add(userId);
    this.http.call('get', '/users/{id}', { path: { id: userId } }).then(
      (user) => this.rememberUser(user),
      () => undefined,
    );
  }

  /**
   * Asks for the names a system line mentions besides its sender (who is on the message): the
   * message log and the room list's preview both show such lines, and the people named may be in no
   * member list loaded here (someone added to a group this page has not opened, someone who left).
   */
  lookUpSystemLineNames(m: Message): void {
    if (!m.system) return;
    for (const id of [m.system.user_id, m.system.actor_id]) if (id && id !== m.sender.id) this.lookUpUser(id);
  }

  userName(roomId: string | null, userId: string | null | undefined): string {
    if (userId && userId === this.me?.id) return displayName(this.me);
    return displayName(this.userById(roomId, userId));
  }

  // ---- history ----------------------------------------------------------------------------------
  conv(roomId: string): Conversation {
    let conv = this.convs.get(roomId);
    if (!conv) {
      conv = new Conversation(roomId);
      this.convs.set(roomId, conv);
    }
    return conv;
  }

  /** Publishes a room's conversation snapshot and outbox to the views. */
  private publish(roomId: string): void {
    const conv = this.convs.get(roomId);
    if (!conv) return;
    const next = new Map(this.views.value);
    next.set(roomId, { conv: conv.view(), pending: this.outbox.of(roomId) });
    this.views.value = next;
  }

  /** Loads the newest page (again, after a jump into the past). */
  async loadLatest(roomId: string): Promise<void> {
    const conv = this.conv(roomId);
    conv.loading = true;
    this.publish(roomId);
    try {
      const counter = this.room(roomId)?.last_seq ?? 0;
      const page = await this.http.call('get', '/rooms/{id}/messages', { path: { id: roomId }, query: { limit: HISTORY_PAGE } });
      conv.loadPage(page.items, page.has_more, false, counter);
    } catch (err) {
      conv.error = err;
    } finally {
      conv.loading = false;
      this.publish(roomId);
    }
  }

  /** Loads the page before the oldest message held, or after the newest (after a jump). */
  async loadMore(roomId: string, direction: 'older' | 'newer'): Promise<void> {
    const conv = this.conv(roomId);
    if (!conv.loaded || conv.loading || (direction === 'older' ? !conv.hasOlder : !conv.hasNewer)) return;
    conv.loading = true;
    this.publish(roomId);
    try {
      const query = direction === 'older' ? { before: conv.minSeq, limit: HISTORY_PAGE } : { after: conv.maxSeq, limit: HISTORY_PAGE };
      const page = await this.http.call('get', '/rooms/{id}/messages', { path: { id: roomId }, query });
      conv.extend(page.items, direction, page.has_more);
    } catch (err) {
      this.fail(err, 'Could not load more messages');
    } finally {
      conv.loading = false;
      this.publish(roomId);
    }
  }

  /**
   * Opens a room at one message (a search hit or a reply): loads the history around its seq when it
   * is not held, then asks the view to scroll to it and highlight it.
   */
  async jumpTo(roomId: string, messageId: string, seq: number): Promise<void> {
    const conv = this.conv(roomId);
    if (!conv.get(messageId)) {
      conv.loading = true;
      this.publish(roomId);
      try {
        const half = Math.floor(HISTORY_PAGE / 2);
        const counter = this.room(roomId)?.last_seq ?? 0;
        const before = await this.http.call('get', '/rooms/{id}/messages', { path: { id: roomId }, query: { before: seq + 1, limit: half } });
        const after = await this.http.call('get', '/rooms/{id}/messages', { path: { id: roomId }, query: { after: seq, limit: half } });
        conv.loadPage([...before.items, ...after.items], before.has_more, after.has_more, counter);
      } catch (err) {
        conv.error = err;
      } finally {
        conv.loading = false;
        this.publish(roomId);
      }
    }
    this.focus.value = { roomId, messageId, nonce: Date.now() };
  }

  // ---- incoming messages ------------------------------------------------------------------------
  /** Applies a message from any source (ack, live event, sync) to its room and conversation. */
  acceptMessage(m: Message, source: 'live' | 'sync'): void {
    const mine = m.sender.id === this.me?.id;
    const conv = this.convs.get(m.room_id);
    let added = false;
    if (conv) {
      if (mine) this.outbox.settle(m.client_msg_id);
      added = conv.accept(m, source);
      if (m.sender.id) this.clearTyping(m.room_id, m.sender.id);
      this.publish(m.room_id);
    }
    const room = this.rooms.value.get(m.room_id);
    if (source === 'live' && !mine && room && m.seq > (room.last_seq ?? 0) && !this.isBlocked(m)) notifyIncoming(room, m, this.me?.id, roomTitle(room));
    // The live line about my own leave or removal arrives as I stop being a member: the room is gone,
    // not new (a sync may still hold an old one from before I joined again).
    const departsMe = source === 'live' && (m.system?.event === 'member_left' || m.system?.event === 'member_removed') && m.system.user_id === this.me?.id;
    if (room && departsMe) this.removeRoom(m.room_id, m.system?.event === 'member_removed' ? 'You were removed from' : null);
    else if (room) this.putRoom(roomAfterMessage(room, m, mine, this.isWatching(m.room_id), false, this.me?.id));
    else if (source === 'live' && !departsMe) void this.fetchRoom(m.room_id);
    if (added && this.isWatching(m.room_id)) this.scheduleRead(m.room_id);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'new_message':
      case 'edit_message':
      case 'delete_message':
        this.acceptMessage(frame.payload, 'live');
        break;
      case 'reaction': {
        const p = frame.payload;
        const conv = this.convs.get(p.room_id);
        if (!conv) break;
        // `me` in the event is for the receiving user; my own other devices see my change too.
        conv.react(p.message_id, p.reactions, p.updated_seq);
        this.publish(p.room_id);
        break;
      }
      case 'typing':
        this.onTyping(frame.payload.room_id, frame.payload.user_id);
        break;
      case 'stop_typing':
        this.clearTyping(frame.payload.room_id, frame.payload.user_id);
        break;
      case 'user_online':
        this.setPresence(frame.payload.user_id, true);
        break;
      case 'user_offline':
        this.setPresence(frame.payload.user_id, false);
        this.patchUser(frame.payload.user_id, { last_seen_at: frame.payload.last_seen_at, online: false });
        break;
      case 'messages_read': {
        const p = frame.payload;
        if (p.user_id === this.me?.id) {
          const room = this.rooms.value.get(p.room_id);
          if (room) this.putRoom(roomAfterRead(room, p.last_read_seq));
        } else {
          const all = new Map(this.reads.value);
          const map = new Map(all.get(p.room_id) ?? []);
          map.set(p.user_id, Math.max(map.get(p.user_id) ?? 0, p.last_read_seq));
          all.set(p.room_id, map);
          this.reads.value = all;
        }
        break;
      }
      case 'user_joined':
      case 'member_added': {
        const p = frame.payload;
        if (p.user.id === this.me?.id) {
          if (!this.rooms.value.has(p.room_id)) void this.fetchRoom(p.room_id);
          break;
        }
        this.putMember(p.room_id, { user: p.user, role: frame.type === 'member_added' ? frame.payload.role : 'member', joined_at: new Date().toISOString() });
        this.setPresence(p.user.id, p.user.online);
        this.bumpMemberCount(p.room_id, +1);
        break;
      }
      case 'user_left':
      case 'member_removed': {
        const p = frame.payload;
        if (p.user_id === this.me?.id) {
          this.removeRoom(p.room_id, frame.type === 'member_removed' ? 'You were removed from' : null);
          break;
        }
        this.dropMember(p.room_id, p.user_id);
        this.bumpMemberCount(p.room_id, -1);
        break;
      }
      case 'room_updated': {
        const p = frame.payload;
        const room = this.rooms.value.get(p.room_id);
        if (!room) break;
        let myRole = room.my_role;
        for (const change of p.role_changes) {
          if (change.user_id === this.me?.id) myRole = change.role;
          const member = this.members.value.get(p.room_id)?.get(change.user_id);
          if (member) this.putMember(p.room_id, { ...member, role: change.role });
        }
        this.putRoom({ ...room, name: p.name, description: p.description, owner_id: p.owner_id, member_count: p.member_count, my_role: myRole });
        break;
      }
      case 'room_deleted':
        this.removeRoom(frame.payload.room_id, 'This room was deleted');
        break;
      case 'dm_created':
        this.upsertRoom(frame.payload);
        break;
      case 'user_updated':
        this.patchUser(frame.payload.id, frame.payload);
        break;
      case 'sync_result':
        // Answers carry the request id and are taken by `syncOpened`; an unsolicited one is applied too.
        this.applySync(frame.payload);
        break;
      case 'error':
        if (frame.payload.code === 'RATE_LIMITED') this.toast(`You are sending too fast. Please wait ${Math.ceil((frame.payload.retry_after_ms ?? 1000) / 1000)} s.`);
        break;
      default:
        break;
    }
  }

  private bumpMemberCount(roomId: string, delta: number): void {
    const room = this.rooms.value.get(roomId);
    if (!room) return;
    const members = this.members.value.get(roomId);
    this.putRoom({ ...room, member_count: members ? members.size : Math.max(0, room.member_count + delta) });
  }

  /**
   * A user's profile changed (user_updated, or presence): every place that shows them is updated —
   * members, DM peers, message senders, and the signed-in user's own profile.
   */
  private patchUser(userId: string, patch: Partial<User>): void {
    batch(() => {
      if (userId === this.me?.id) this.session.setUser({ ...this.me, ...patch } as Me);
      const all = new Map(this.members.value);
      let membersChanged = false;
      for (const [roomId, map] of all) {
        const m = map.get(userId);
        if (!m) continue;
        const next = new Map(map);
        next.set(userId, { ...m, user: { ...m.user, ...patch } });
        all.set(roomId, next);
        membersChanged = true;
      }
      if (membersChanged) this.members.value = all;
      const summary = (s: UserSummary): UserSummary =>
        s.id === userId ? { ...s, display_name: patch.display_name ?? s.display_name, username: patch.username ?? s.username, avatar_url: patch.avatar_url !== undefined ? patch.avatar_url : s.avatar_url } : s;
      const rooms = new Map(this.rooms.value);
      let roomsChanged = false;
      for (const [id, r] of rooms) {
        if (r.peer?.id === userId || r.last_message?.sender.id === userId || r.owner?.id === userId) {
          rooms.set(id, {
            ...r,
            peer: r.peer?.id === userId ? { ...r.peer, ...patch } : r.peer,
            owner: r.owner ? summary(r.owner) : r.owner,
            last_message: r.last_message ? { ...r.last_message, sender: summary(r.last_message.sender) } : r.last_message,
          });
          roomsChanged = true;
        }
      }
      if (roomsChanged) this.rooms.value = rooms;
      if (patch.display_name !== undefined || patch.avatar_url !== undefined || patch.username !== undefined) {
        for (const [roomId, conv] of this.convs) {
          conv.mapMessages((m) => (m.sender.id === userId ? { ...m, sender: summary(m.sender) } : m));
          this.publish(roomId);
        }
      }
    });
  }

  // ---- sync after reconnect ---------------------------------------------------------------------
  /** Applies a sync answer; returns the rooms that have more to fetch. */
  applySync(result: SyncResult): string[] {
    const more: string[] = [];
    for (const answer of result.rooms) {
      if ('error' in answer) {
        if (answer.error.code === 'NOT_A_MEMBER' || answer.error.code === 'ROOM_NOT_FOUND') this.removeRoom(answer.room_id, null);
        continue;
      }
      for (const m of [...answer.messages].sort((a, b) => changeSeq(a) - changeSeq(b))) this.acceptMessage(m, 'sync');
      const conv = this.convs.get(answer.room_id);
      // The server says where the next sync starts: the last change returned, or the counter when complete.
      if (conv) conv.cursor.advanceTo(answer.last_seq);
      if (answer.has_more) more.push(answer.room_id);
    }
    return more;
  }

  /** Brings every opened conversation up to date with WebSocket `sync`, repeating while has_more. */
  private async syncOpened(): Promise<void> {
    let ids = [...this.convs.values()].filter((c) => c.loaded && this.rooms.value.has(c.roomId)).map((c) => c.roomId);
    for (let round = 0; round < SYNC_ROUNDS && ids.length > 0; round++) {
      const rooms: Record<string, number> = {};
      for (const id of ids) rooms[id] = this.conv(id).cursor.value;
      ids = this.applySync(await this.rt.request('sync', { rooms }));
    }
  }

  // ---- sending ----------------------------------------------------------------------------------
  /** Queues a message; it shows at once as pending and is sent when connected. */
  send(roomId: string, content: string, replyTo: Message | null, attachments: Upload[]): void {
    this.conv(roomId);
    this.outbox.add({
      client_msg_id: randomId(),
      room_id: roomId,
      content,
      reply_to: replyTo ? { id: replyTo.id, content: replyTo.content } : null,
      attachments,
      created_at: new Date().toISOString(),
    });
    this.stopTyping(roomId);
  }

  retryPending(clientMsgId: string): void {
    this.outbox.retry(clientMsgId);
  }

  discardPending(clientMsgId: string): void {
    this.outbox.discard(clientMsgId);
  }

  async editMessage(m: Message, content: string): Promise<void> {
    this.acceptMessage(await this.http.call('patch', '/messages/{id}', { path: { id: m.id }, body: { content } }), 'live');
  }

  async deleteMessage(m: Message): Promise<void> {
    this.acceptMessage(await this.http.call('delete', '/messages/{id}', { path: { id: m.id } }), 'live');
  }

  async toggleReaction(m: Message, emoji: string): Promise<void> {
    const had = m.reactions.some((r) => r.emoji === emoji && r.me);
    const path = { id: m.id, emoji };
    const updated = had ? await this.http.call('delete', '/messages/{id}/reactions/{emoji}', { path }) : await this.http.call('put', '/messages/{id}/reactions/{emoji}', { path });
    if (updated && typeof updated === 'object' && 'id' in updated) this.acceptMessage(updated as Message, 'live');
  }

  async upload(file: File): Promise<Upload> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.http.call('post', '/uploads', { form });
  }

  // ---- typing -----------------------------------------------------------------------------------
  typingIn(roomId: string): void {
    if (!this.rt.isOnline) return;
    const last = this.typingSent.get(roomId) ?? 0;
    if (Date.now() - last < TYPING_RESEND_MS) return;
    this.typingSent.set(roomId, Date.now());
    this.rt.request('typing', { room_id: roomId }).catch(() => undefined);
  }

  stopTyping(roomId: string): void {
    if (!this.typingSent.get(roomId)) return;
    this.typingSent.delete(roomId);
    this.rt.notify('stop_typing', { room_id: roomId });
  }

  private onTyping(roomId: string, userId: string): void {
    if (userId === this.me?.id) return;
    const key = `${roomId}:${userId}`;
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.set(key, setTimeout(() => this.clearTyping(roomId, userId), TYPING_EXPIRES_MS));
    const list = this.typing.value.get(roomId) ?? [];
    if (list.includes(userId)) return;
    const next = new Map(this.typing.value);
    next.set(roomId, [...list, userId]);
    this.typing.value = next;
  }

  private clearTyping(roomId: string, userId: string): void {
    const key = `${roomId}:${userId}`;
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.delete(key);
    const list = this.typing.value.get(roomId);
    if (!list?.includes(userId)) return;
    const next = new Map(this.typing.value);
    next.set(
      roomId,
      list.filter((id) => id !== userId),
    );
    this.typing.value = next;
  }

  // ---- read receipts ----------------------------------------------------------------------------
  /** The conversation view reports whether the person can see the newest message. */
  setWatching(roomId: string | null, atBottom: boolean): void {
    this.watching = { roomId, atBottom };
    if (roomId && atBottom) this.scheduleRead(roomId);
  }

  isWatching(roomId: string): boolean {
    const conv = this.convs.get(roomId);
    return this.currentRoomId.value === roomId && this.watching.roomId === roomId && this.watching.atBottom && !conv?.hasNewer && document.visibilityState === 'visible';
  }

  private scheduleRead(roomId: string): void {
    if (!this.isWatching(roomId)) return;
    const room = this.rooms.value.get(roomId);
    if (room?.unread_count || room?.mention_count) this.putRoom({ ...room, unread_count: 0, mention_count: 0 });
    clearTimeout(this.readTimers.get(roomId));
    this.readTimers.set(
      roomId,
      setTimeout(() => void this.markRead(roomId), 500),
    );
  }

  private async markRead(roomId: string): Promise<void> {
    const conv = this.convs.get(roomId);
    const seq = conv?.maxSeq ?? 0;
    if (!seq || seq <= (this.lastMarkedRead.get(roomId) ?? 0)) return;
    this.lastMarkedRead.set(roomId, seq);
    try {
      const res = await this.http.call('post', '/rooms/{id}/read', { path: { id: roomId }, body: { seq } });
      const room = this.rooms.value.get(roomId);
      if (room) this.putRoom(roomAfterRead(room, res.last_read_seq, this.isWatching(roomId) ? 0 : res.unread_count));
    } catch {
      this.lastMarkedRead.delete(roomId);
    }
  }

  /** Who (other than me) has read up to `seq` in a room. */
  readersOf(roomId: string, seq: number): string[] {
    const out: string[] = [];
    for (const [userId, last] of this.reads.value.get(roomId) ?? []) if (userId !== this.me?.id && last >= seq) out.push(userId);
    return out;
  }

  // ---- own account ------------------------------------------------------------------------------
  async updateProfile(body: { display_name?: string; status?: string | null; avatar_url?: string | null; bio?: string | null }): Promise<void> {
    const me = await this.http.call('patch', '/auth/me', { body });
    this.session.setUser(me);
    this.patchUser(me.id, me);
  }

  /** Uploads an image and makes it the avatar (an absolute URL on this server). */
  async setAvatar(file: File): Promise<void> {
    const upload = await this.upload(file);
    if (!upload.mime.startsWith('image/')) throw new ApiError(400, 'VALIDATION_FAILED', 'An avatar must be an image (PNG, JPEG, GIF or WebP).');
    await this.updateProfile({ avatar_url: new URL(upload.url, location.origin).href });
  }

  async changeUsername(username: string): Promise<void> {
    const me = await this.http.call('patch', '/auth/username', { body: { username } });
    this.session.setUser(me);
  }

  async changeEmail(email: string, password: string): Promise<void> {
    const me = await this.http.call('patch', '/auth/email', { body: { email, password } });
    this.session.setUser(me);
  }

  /** Logs out every other session (device); this one stays. @returns how many were ended */
  async logoutOthers(): Promise<number> {
    const page = await this.http.call('get', '/auth/sessions', {});
    const others = page.items.filter((s) => !s.current);
    await Promise.all(others.map((s) => this.http.call('delete', '/auth/sessions/{id}', { path: { id: s.id } })));
    return others.length;
  }

  async deleteAccount(password: string): Promise<void> {
    await this.http.call('delete', '/auth/me', { body: { password } });
    this.session.end('Your account was deleted.');
  }

  /** Message search over all rooms or one. */
  search(q: string, roomId?: string) {
    return this.http.call('get', '/messages/search', { query: { q, room_id: roomId, limit: 30 } });
  }

  /** People by a substring of their name; with no words, the directory (GET /users). */
  async findPeople(q: string): Promise<User[]> {
    if (!q) return (await this.http.call('get', '/users', { query: { limit: 50 } })).items;
    return (await this.http.call('get', '/users/search', { query: { q, limit: 20 } })).items;
  }

  // ---- blocks -----------------------------------------------------------------------------------
  /** Loads my block list (GET /auth/blocks). */
  async loadBlocks(): Promise<BlockedUser[]> {
    const { items } = await this.http.call('get', '/auth/blocks', {});
    this.blockedUsers.value = new Map(items.map((u) => [u.id, u]));
    return items;
  }

  /** Whether I blocked this user (false until the block list is loaded). */
  hasBlocked(userId: string | null | undefined): boolean {
    return Boolean(userId && this.blockedUsers.value?.has(userId));
  }

  /**
   * Whether a message is from someone I blocked, so it shows collapsed: the block list once loaded
   * (a block or unblock made here applies to messages already on screen), else the server's mark.
   * System lines (joins, renames) are never collapsed.
   */
  isBlocked(m: Message): boolean {
    if (m.type === 'system') return false;
    const list = this.blockedUsers.value;
    return list && m.sender.id ? list.has(m.sender.id) : m.blocked === true;
  }

  /** Blocks a user: their messages collapse, they no longer reach me live, and DMs between us are refused. */
  async block(userId: string): Promise<void> {
    await this.http.call('put', '/auth/blocks/{user_id}', { path: { user_id: userId } });
    await this.loadBlocks();
  }

  /** Unblocks a user. */
  async unblock(userId: string): Promise<void> {
    await this.http.call('delete', '/auth/blocks/{user_id}', { path: { user_id: userId } });
    await this.loadBlocks();
  }

  browseRooms(q: string) {
    return this.http.call('get', '/rooms', { query: { q, limit: 50 } });
  }
}

/**
 * `fresh` with the activity (last_seq, last message, unread and mention counts) of `old` when `old`
 * has seen a later seq: answers to GET /rooms/:id and /rooms/me can arrive after a live message
 * newer than what they describe, and a room's activity never moves backwards.
 */
function newerActivity(old: Room | undefined, fresh: Room): Room {
  if (!old || (old.last_seq ?? 0) <= (fresh.last_seq ?? 0)) return fresh;
  return { ...fresh, last_seq: old.last_seq, last_message: old.last_message, unread_count: old.unread_count, mention_count: old.mention_count };
}
