// Chat state and the rules that keep it convergent: messages keyed by id and ordered by seq, an
// outbox of unacknowledged sends keyed by client_msg_id (resent after every reconnect; the server
// deduplicates them), and `sync` from the last seq up to which it holds every change, so nothing is
// shown twice and nothing is missing.

import { ApiError, describeError } from './api.js';
import { randomId } from './dom.js';
import { SocketError } from './socket.js';

const HISTORY_PAGE = 50;
const TYPING_EXPIRES_MS = 6500;
const TYPING_RESEND_MS = 3000;

/** Name shown for a user-like object. */
export function displayName(user) {
  return user?.display_name || user?.username || 'Someone';
}

/** Name shown for a room (a DM is named after the other person). */
export function roomTitle(room) {
  if (!room) return '';
  if (room.type === 'dm') return displayName(room.peer) || 'Direct message';
  return room.name ?? 'Room';
}

function seqOf(msg) {
  return Math.max(Number(msg.seq) || 0, Number(msg.updated_seq) || 0);
}

function isMessage(p) {
  return p && typeof p === 'object' && typeof p.id === 'string' && typeof p.room_id === 'string' && p.seq !== undefined;
}

/** Per-conversation state (only for rooms whose history has been opened). */
class Conversation {
  constructor(roomId) {
    this.roomId = roomId;
    this.messages = new Map();
    this.pending = new Map();
    this.hasMore = false;
    this.loaded = false;
    this.loading = null;
    this.loadingOlder = false;
    this.cursor = 0; // highest seq or updated_seq seen: where sync starts
    this.maxSeq = 0; // highest message seq held
    this.lastMarkedRead = 0;
    this.error = null; // why the first page could not be loaded
  }

  get minSeq() {
    let min = Infinity;
    for (const m of this.messages.values()) min = Math.min(min, m.seq);
    return min === Infinity ? 0 : min;
  }

  /** Messages in seq order, then the unsent ones in the order they were written. */
  list() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** The application state plus every operation the views call. */
export class Store {
  constructor(api, realtime) {
    this.api = api;
    this.rt = realtime;
    this.me = null;
    this.rooms = new Map();
    this.convs = new Map();
    this.presence = new Map();
    this.members = new Map();
    this.reads = new Map();
    this.typing = new Map();
    this.typingSent = new Map();
    this.missing = new Set();
    this.currentRoomId = null;
    this.watching = { roomId: null, atBottom: true };
    this.listeners = new Map();
    this.readTimers = new Map();
    this.flushTimer = null;
    this.syncWaiter = null;
    this.roomsLoaded = false;

    realtime.on('frame', (f) => this.onFrame(f));
    realtime.on('ready', (p) => this.onReady(p));
    realtime.on('state', (s) => this.emit('connection', s));
  }

  // ---- events -------------------------------------------------------------------------------
  on(topic, fn) {
    if (!this.listeners.has(topic)) this.listeners.set(topic, new Set());
    this.listeners.get(topic).add(fn);
    return () => this.listeners.get(topic)?.delete(fn);
  }

  emit(topic, value) {
    for (const fn of this.listeners.get(topic) ?? []) {
      try {
        fn(value);
      } catch (err) {
        console.error(err);
      }
    }
  }

  toast(text, kind = 'error') {
    this.emit('toast', { text, kind });
  }

  /** Shows an error in words; returns the sentence. */
  fail(err, prefix) {
    const text = prefix ? `${prefix}: ${describeError(err)}` : describeError(err);
    this.toast(text, 'error');
    return text;
  }

  // ---- session ------------------------------------------------------------------------------
  async start(user) {
    this.me = user;
    this.presence.set(user.id, true);
    this.emit('me', user);
    this.rt.start();
    await this.loadRooms().catch((err) => this.fail(err, 'Could not load your conversations'));
  }

  stop() {
    this.rt.stop();
    this.me = null;
    this.rooms.clear();
    this.convs.clear();
    this.members.clear();
    this.reads.clear();
    for (const map of this.typing.values()) for (const t of map.values()) clearTimeout(t.timer);
    this.typing.clear();
    this.typingSent.clear();
    this.presence.clear();
    this.currentRoomId = null;
    this.roomsLoaded = false;
  }

  /** After every (re)connect: refresh the room list, sync opened rooms, resend the outbox. */
  async onReady(payload) {
    if (payload?.user && this.me && payload.user.id === this.me.id) {
      this.me = { ...this.me, ...payload.user };
      this.emit('me', this.me);
    }
    try {
      if (this.roomsLoaded) await this.loadRooms();
      await this.syncOpened();
    } catch (err) {
      if (!(err instanceof SocketError)) this.fail(err, 'Could not catch up after reconnecting');
    }
    this.flushOutbox();
  }

  // ---- rooms --------------------------------------------------------------------------------
  async loadRooms() {
    const items = await this.api.all('/rooms/me');
    const seen = new Set();
    for (const room of items) {
      seen.add(room.id);
      this.upsertRoom(room, false);
    }
    for (const id of [...this.rooms.keys()]) if (!seen.has(id)) this.rooms.delete(id);
    this.roomsLoaded = true;
    this.emit('rooms');
  }

  upsertRoom(room, notify = true) {
    if (!room?.id) return null;
    const old = this.rooms.get(room.id);
    const merged = { ...old, ...room };
    // A partial update (room_updated without these fields) must not wipe what we know.
    if (old && room.last_message === undefined) merged.last_message = old.last_message;
    if (old && room.unread_count === undefined) merged.unread_count = old.unread_count;
    if (old && !room.peer && old.peer) merged.peer = old.peer;
    // Answers can arrive out of order: never move a room's activity backwards.
    if (old && Number(room.last_seq ?? 0) < Number(old.last_seq ?? 0)) {
      merged.last_seq = old.last_seq;
      merged.last_message = old.last_message;
      merged.unread_count = old.unread_count;
    }
    if (merged.peer?.id && typeof merged.peer.online === 'boolean' && !this.presence.has(merged.peer.id)) {
      this.presence.set(merged.peer.id, merged.peer.online);
    }
    this.rooms.set(room.id, merged);
    if (this.currentRoomId === room.id && this.watching.roomId === room.id && this.watching.atBottom && document.visibilityState === 'visible') {
      merged.unread_count = 0;
    }
    if (notify) this.emit('rooms');
    return merged;
  }

  removeRoom(roomId, why) {
    const room = this.rooms.get(roomId);
    this.rooms.delete(roomId);
    this.convs.delete(roomId);
    this.members.delete(roomId);
    if (room && why) this.toast(`${why}: ${roomTitle(room)}`, 'info');
    if (this.currentRoomId === roomId) this.openRoom(null);
    this.emit('rooms');
  }

  /** Rooms and DMs, most recent activity first. */
  sortedRooms() {
    const activity = (r) => Date.parse(r.last_message?.created_at ?? r.created_at ?? 0) || 0;
    return [...this.rooms.values()].sort((a, b) => activity(b) - activity(a));
  }

  /** Makes `roomId` the open conversation (null closes it) and loads what it needs. */
  openRoom(roomId) {
    this.currentRoomId = roomId;
    this.emit('current', roomId);
    if (!roomId) return;
    this.loadLatest(roomId).catch((err) => {
      // Shown inside the conversation (with a Join button when that is the way in).
      this.conv(roomId).error = err;
      this.emit('conv', roomId);
    });
    this.loadMembers(roomId).catch(() => undefined);
  }

  async createRoom(fields) {
    const room = await this.api.request('POST', '/rooms', { body: fields });
    this.upsertRoom(room);
    return room;
  }

  async joinRoom(roomId) {
    const room = await this.api.request('POST', `/rooms/${roomId}/join`);
    this.upsertRoom(room);
    return room;
  }

  async leaveRoom(roomId) {
    await this.api.request('POST', `/rooms/${roomId}/leave`);
    this.removeRoom(roomId, null);
  }

  async startDm(userId) {
    const room = await this.api.request('POST', '/dm', { body: { recipient_id: userId } });
    this.upsertRoom(room);
    return room;
  }

  async addMembers(roomId, userIds) {
    const res = await this.api.request('POST', `/rooms/${roomId}/members`, { body: { user_ids: userIds } });
    await this.loadMembers(roomId).catch(() => undefined);
    return res;
  }

  searchUsers(q) {
    return this.api.request('GET', '/users/search', { query: { q, limit: 20 } });
  }

  browseRooms(q) {
    return this.api.request('GET', '/rooms', { query: { q, limit: 50 } });
  }

  // ---- members and presence -----------------------------------------------------------------
  async loadMembers(roomId) {
    const items = await this.api.all(`/rooms/${roomId}/members`);
    const map = new Map();
    for (const m of items) {
      const user = m.user ?? m;
      map.set(user.id, { user, role: m.role ?? 'member' });
      if (typeof user.online === 'boolean') this.presence.set(user.id, user.online);
      if (typeof m.last_read_seq === 'number') this.readsOf(roomId).set(user.id, m.last_read_seq);
    }
    if (this.me) this.presence.set(this.me.id, true);
    this.members.set(roomId, map);
    this.emit('members', roomId);
    this.emit('presence');
  }

  isOnline(userId) {
    return this.presence.get(userId) === true;
  }

  readsOf(roomId) {
    if (!this.reads.has(roomId)) this.reads.set(roomId, new Map());
    return this.reads.get(roomId);
  }

  userName(roomId, userId) {
    const member = this.members.get(roomId)?.get(userId);
    if (member) return displayName(member.user);
    const room = this.rooms.get(roomId);
    if (room?.peer?.id === userId) return displayName(room.peer);
    const conv = this.convs.get(roomId);
    for (const m of conv?.messages.values() ?? []) if (m.sender?.id === userId) return displayName(m.sender);
    return 'Someone';
  }

  // ---- history ------------------------------------------------------------------------------
  conv(roomId) {
    if (!this.convs.has(roomId)) this.convs.set(roomId, new Conversation(roomId));
    return this.convs.get(roomId);
  }

  loadLatest(roomId) {
    const conv = this.conv(roomId);
    if (conv.loaded) {
      this.emit('conv', roomId);
      return Promise.resolve();
    }
    conv.loading ??= (async () => {
      try {
        const page = await this.api.request('GET', `/rooms/${roomId}/messages`, { query: { limit: HISTORY_PAGE } });
        conv.hasMore = Boolean(page?.has_more);
        conv.loaded = true;
        conv.error = null;
        for (const m of page?.items ?? []) this.acceptMessage(m, 'history');
        const room = this.rooms.get(roomId);
        if (room?.last_seq) conv.cursor = Math.max(conv.cursor, Number(room.last_seq) || 0);
        this.emit('conv', roomId);
      } finally {
        conv.loading = null;
      }
    })();
    return conv.loading;
  }

  /** Loads the page before the oldest message held. @returns number of messages added. */
  async loadOlder(roomId) {
    const conv = this.conv(roomId);
    if (!conv.loaded || !conv.hasMore || conv.loadingOlder) return 0;
    conv.loadingOlder = true;
    this.emit('conv', roomId);
    try {
      const page = await this.api.request('GET', `/rooms/${roomId}/messages`, { query: { before: conv.minSeq, limit: HISTORY_PAGE } });
      const items = page?.items ?? [];
      conv.hasMore = Boolean(page?.has_more) && items.length > 0;
      for (const m of items) this.acceptMessage(m, 'older');
      return items.length;
    } finally {
      conv.loadingOlder = false;
      this.emit('conv', roomId);
    }
  }

  // ---- incoming messages --------------------------------------------------------------------
  /**
   * Applies a message from any source (history, ack, live event, sync). Known ids are replaced only
   * by a version at least as new; unknown ones are inserted unless they are older than the held
   * window (paging will bring those), which keeps the view free of gaps.
   */
  acceptMessage(msg, source) {
    if (!isMessage(msg)) return;
    msg = { ...msg, seq: Number(msg.seq), updated_seq: msg.updated_seq === undefined ? undefined : Number(msg.updated_seq) };
    const room = this.rooms.get(msg.room_id);
    const conv = this.convs.get(msg.room_id);
    const mine = msg.sender?.id && msg.sender.id === this.me?.id;
    let isNew = false;

    if (conv) {
      if (mine && msg.client_msg_id) conv.pending.delete(msg.client_msg_id);
      const old = conv.messages.get(msg.id);
      if (old) {
        const newer = (msg.updated_seq ?? 0) >= (old.updated_seq ?? 0) || msg.deleted_at || (msg.edited_at && !old.edited_at);
        if (newer) conv.messages.set(msg.id, msg);
      } else if (source === 'older' || source === 'history' || !conv.loaded || !conv.hasMore || msg.seq > conv.minSeq || conv.messages.size === 0) {
        if (!msg.deleted_at) {
          conv.messages.set(msg.id, msg);
          isNew = true;
        }
      }
      // The sync cursor must mean "every change up to here is held". A live event moves it only when
      // it is the very next change: one arriving after a gap (frames lost with a dropped connection)
      // must not hide the gap from the next sync.
      if (source === 'sync' || source === 'history') conv.cursor = Math.max(conv.cursor, seqOf(msg));
      else if (source === 'live' && seqOf(msg) === conv.cursor + 1) conv.cursor = seqOf(msg);
      conv.maxSeq = Math.max(conv.maxSeq, msg.seq);
      if (msg.sender?.id) this.clearTyping(msg.room_id, msg.sender.id);
    }

    if (room) {
      const lastSeq = Number(room.last_seq) || 0;
      const brandNew = msg.seq > lastSeq && !msg.deleted_at && !msg.edited_at && source !== 'older' && source !== 'history';
      if (msg.seq >= lastSeq || room.last_message?.id === msg.id || !room.last_message) {
        if (source !== 'older') room.last_message = msg;
      }
      room.last_seq = Math.max(lastSeq, msg.seq);
      if (brandNew && !mine && !this.isWatching(msg.room_id)) room.unread_count = (room.unread_count ?? 0) + 1;
      this.emit('rooms');
    } else if (source === 'live' && !this.rooms.has(msg.room_id)) {
      // A message from a room we do not know yet (added meanwhile): fetch it.
      this.fetchRoom(msg.room_id);
    }
    if (conv) {
      this.emit('conv', msg.room_id);
      if (isNew && this.isWatching(msg.room_id)) this.scheduleRead(msg.room_id);
    }
  }

  async fetchRoom(roomId) {
    try {
      this.upsertRoom(await this.api.request('GET', `/rooms/${roomId}`));
    } catch {}
  }

  /** Patches a message that is only known by id (events that carry a partial payload). */
  patchMessage(roomId, messageId, patch) {
    const conv = this.convs.get(roomId);
    const old = conv?.messages.get(messageId);
    if (!old) return;
    this.acceptMessage({ ...old, ...patch, updated_seq: patch.updated_seq ?? old.updated_seq }, 'live');
  }

  applyReaction(p) {
    if (isMessage(p)) return this.acceptMessage(p, 'live');
    const inner = p?.message;
    if (isMessage(inner)) return this.acceptMessage(inner, 'live');
    const messageId = p?.message_id ?? p?.id;
    let conv = p?.room_id ? this.convs.get(p.room_id) : null;
    if (!conv) for (const c of this.convs.values()) if (c.messages.has(messageId)) conv = c;
    const msg = conv?.messages.get(messageId);
    if (!msg) return;
    const mineEvent = p.user_id && p.user_id === this.me?.id;
    let reactions = (msg.reactions ?? []).map((r) => ({ ...r }));
    if (Array.isArray(p.reactions)) {
      const meBefore = new Set(reactions.filter((r) => r.me).map((r) => r.emoji));
      reactions = p.reactions.map((r) => ({ ...r, me: mineEvent && p.emoji === r.emoji ? this.reactionAdded(p) : r.me ?? meBefore.has(r.emoji) }));
    } else if (p.emoji) {
      const added = this.reactionAdded(p);
      let r = reactions.find((x) => x.emoji === p.emoji);
      if (!r) {
        r = { emoji: p.emoji, count: 0, me: false };
        reactions.push(r);
      }
      if (typeof p.count === 'number') r.count = p.count;
      else if (!(mineEvent && r.me === added)) r.count += added ? 1 : -1;
      if (mineEvent) r.me = added;
      reactions = reactions.filter((x) => x.count > 0);
    }
    conv.messages.set(msg.id, { ...msg, reactions, updated_seq: p.updated_seq !== undefined ? Number(p.updated_seq) : msg.updated_seq });
    if (p.updated_seq !== undefined) conv.cursor = Math.max(conv.cursor, Number(p.updated_seq));
    this.emit('conv', conv.roomId);
  }

  reactionAdded(p) {
    if (typeof p.added === 'boolean') return p.added;
    const op = String(p.action ?? p.op ?? p.kind ?? p.change ?? 'added').toLowerCase();
    return !/remove|delete|off/.test(op);
  }

  // ---- realtime frames ----------------------------------------------------------------------
  onFrame(frame) {
    const p = frame.payload ?? {};
    switch (frame.type) {
      case 'new_message':
        this.acceptMessage(p.message ?? p, 'live');
        break;
      case 'edit_message':
      case 'delete_message': {
        const msg = p.message ?? p;
        if (isMessage(msg)) this.acceptMessage(msg, 'live');
        else if (p.message_id && p.room_id) {
          const patch = frame.type === 'delete_message' ? { content: null, attachments: [], deleted_at: p.deleted_at ?? new Date().toISOString() } : { content: p.content, edited_at: p.edited_at ?? new Date().toISOString() };
          this.patchMessage(p.room_id, p.message_id, { ...patch, updated_seq: p.updated_seq });
        }
        break;
      }
      case 'reaction':
        this.applyReaction(p);
        break;
      case 'typing':
        this.onTyping(p.room_id, p.user_id, p.user);
        break;
      case 'stop_typing':
        this.clearTyping(p.room_id, p.user_id);
        break;
      case 'user_online':
      case 'user_offline': {
        const id = p.user_id ?? p.user?.id;
        if (id) {
          this.presence.set(id, frame.type === 'user_online');
          this.emit('presence');
        }
        break;
      }
      case 'messages_read':
        if (p.user_id === this.me?.id) {
          const room = this.rooms.get(p.room_id);
          if (room) {
            room.unread_count = typeof p.unread_count === 'number' ? p.unread_count : 0;
            this.emit('rooms');
          }
        } else if (p.room_id && p.user_id) {
          const reads = this.readsOf(p.room_id);
          reads.set(p.user_id, Math.max(reads.get(p.user_id) ?? 0, Number(p.last_read_seq ?? p.seq) || 0));
          this.emit('conv', p.room_id);
        }
        break;
      case 'user_joined':
      case 'member_added': {
        const user = p.user ?? (p.user_id ? { id: p.user_id } : null);
        if (!user || !p.room_id) break;
        if (user.id === this.me?.id) {
          if (!this.rooms.has(p.room_id)) this.fetchRoom(p.room_id);
          break;
        }
        const members = this.members.get(p.room_id);
        if (members) members.set(user.id, { user, role: p.role ?? 'member' });
        if (typeof user.online === 'boolean') this.presence.set(user.id, user.online);
        const room = this.rooms.get(p.room_id);
        if (room && members) room.member_count = members.size;
        this.emit('members', p.room_id);
        this.emit('rooms');
        break;
      }
      case 'user_left':
      case 'member_removed': {
        if (p.user_id === this.me?.id) {
          this.removeRoom(p.room_id, frame.type === 'member_removed' ? 'You were removed from' : null);
          break;
        }
        const members = this.members.get(p.room_id);
        members?.delete(p.user_id);
        const room = this.rooms.get(p.room_id);
        if (room && members) room.member_count = members.size;
        this.emit('members', p.room_id);
        this.emit('rooms');
        break;
      }
      case 'room_updated': {
        const room = p.room ?? p;
        const id = room.id ?? room.room_id;
        if (id && this.rooms.has(id)) this.upsertRoom({ ...room, id });
        break;
      }
      case 'room_deleted':
        this.removeRoom(p.room_id ?? p.id, 'This room was deleted');
        break;
      case 'dm_created': {
        const room = p.room ?? p;
        if (room?.id) this.upsertRoom(room.type ? room : { ...room, type: 'dm' });
        break;
      }
      case 'sync_result':
        this.applySync(p);
        if (this.syncWaiter) this.syncWaiter(p);
        break;
      case 'error':
        if (p.code === 'RATE_LIMITED') this.toast(`You are sending too fast. Please wait ${Math.ceil((p.retry_after_ms ?? 1000) / 1000)} s.`);
        break;
      default:
        break;
    }
  }

  // ---- sync after reconnect -----------------------------------------------------------------
  normalizeSync(p) {
    const rooms = p?.rooms ?? p?.items ?? p;
    if (Array.isArray(rooms)) {
      return rooms.map((r) => ({ roomId: r.room_id ?? r.id, items: r.items ?? r.messages ?? [], hasMore: Boolean(r.has_more), lastSeq: r.last_seq, error: r.error }));
    }
    if (rooms && typeof rooms === 'object') {
      return Object.entries(rooms).map(([roomId, r]) =>
        Array.isArray(r) ? { roomId, items: r, hasMore: false } : { roomId, items: r?.items ?? r?.messages ?? [], hasMore: Boolean(r?.has_more) },
      );
    }
    return [];
  }

  applySync(p) {
    const result = this.normalizeSync(p);
    for (const { roomId, items, lastSeq } of result) {
      for (const m of [...items].sort((a, b) => seqOf(a) - seqOf(b))) this.acceptMessage(m, 'sync');
      // The server says where the next sync should start (the room's counter when complete).
      const conv = this.convs.get(roomId);
      if (conv && typeof lastSeq === 'number') conv.cursor = Math.max(conv.cursor, lastSeq);
    }
    return result;
  }

  /** Brings every opened conversation up to date: WebSocket `sync`, or REST paging where missing. */
  async syncOpened() {
    let rooms = {};
    for (const conv of this.convs.values()) if (conv.loaded && this.rooms.has(conv.roomId)) rooms[conv.roomId] = conv.cursor;
    for (let round = 0; round < 20 && Object.keys(rooms).length > 0; round++) {
      if (this.missing.has('sync')) return this.syncByHistory(Object.keys(rooms));
      let answer;
      try {
        answer = await this.syncRequest(rooms);
      } catch (err) {
        if (err instanceof SocketError && ['UNKNOWN_TYPE', 'BAD_REQUEST', 'TIMEOUT', 'VALIDATION_FAILED'].includes(err.code)) {
          this.missing.add('sync');
          continue;
        }
        throw err;
      }
      const result = answer.applied ? this.normalizeSync(answer.payload) : this.applySync(answer.payload);
      const next = {};
      for (const r of result) if (r.hasMore && this.convs.has(r.roomId)) next[r.roomId] = this.convs.get(r.roomId).cursor;
      rooms = next;
    }
  }

  /**
   * Sends `sync` and resolves with `{payload, applied}`: its ack payload, or the `sync_result` frame
   * (already applied by onFrame), whichever carries the data.
   */
  syncRequest(rooms) {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (fn, v) => {
        if (done) return;
        done = true;
        this.syncWaiter = null;
        fn(v);
      };
      this.syncWaiter = (payload) => finish(resolve, { payload, applied: true });
      this.rt.request('sync', { rooms }).then(
        (ack) => {
          // An ack that only confirms (the data comes as sync_result) waits a little for that frame.
          if (ack && (ack.rooms !== undefined || Array.isArray(ack) || this.normalizeSync(ack).some((r) => r.items.length > 0 || r.hasMore))) finish(resolve, { payload: ack, applied: false });
          else setTimeout(() => finish(resolve, { payload: ack ?? {}, applied: false }), 3000);
        },
        (err) => finish(reject, err),
      );
    });
  }

  async syncByHistory(roomIds) {
    for (const roomId of roomIds) {
      const conv = this.convs.get(roomId);
      if (!conv) continue;
      for (let i = 0; i < 20; i++) {
        const page = await this.api.request('GET', `/rooms/${roomId}/messages`, { query: { after: conv.maxSeq, limit: 100 } });
        for (const m of page?.items ?? []) this.acceptMessage(m, 'sync');
        if (!page?.has_more || !(page?.items ?? []).length) break;
      }
    }
  }

  // ---- sending ------------------------------------------------------------------------------
  /** Queues a message and sends it when connected; shown at once as pending. */
  send(roomId, { content, replyTo, attachments }) {
    const conv = this.conv(roomId);
    const pending = {
      client_msg_id: randomId(),
      room_id: roomId,
      content: content || undefined,
      reply_to: replyTo ?? null,
      attachments: attachments ?? [],
      status: 'queued',
      error: null,
      created_at: new Date().toISOString(),
    };
    conv.pending.set(pending.client_msg_id, pending);
    this.stopTyping(roomId);
    this.emit('conv', roomId);
    this.sendPending(pending);
  }

  async sendPending(p) {
    const conv = this.convs.get(p.room_id);
    if (!conv?.pending.has(p.client_msg_id) || p.status === 'sending') return;
    if (!this.rt.isOnline) {
      p.status = 'queued';
      this.emit('conv', p.room_id);
      return;
    }
    p.status = 'sending';
    p.error = null;
    this.emit('conv', p.room_id);
    const payload = { room_id: p.room_id, client_msg_id: p.client_msg_id };
    if (p.content) payload.content = p.content;
    if (p.reply_to) payload.reply_to_id = p.reply_to.id;
    if (p.attachments.length) payload.attachment_ids = p.attachments.map((a) => a.id);
    try {
      const msg = await this.rt.request('send_message', payload);
      this.acceptMessage(msg, 'live');
      conv.pending.delete(p.client_msg_id);
    } catch (err) {
      if (!(err instanceof SocketError) || ['NOT_CONNECTED', 'CONNECTION_LOST', 'TIMEOUT'].includes(err.code)) {
        p.status = 'queued';
        if (err?.code === 'TIMEOUT') this.scheduleFlush(3000);
      } else if (err.code === 'RATE_LIMITED') {
        p.status = 'queued';
        const waitMs = err.retryAfterMs ?? 1000;
        p.error = `Sending too fast; retrying in ${Math.ceil(waitMs / 1000)} s.`;
        this.scheduleFlush(waitMs);
      } else {
        p.status = 'failed';
        p.error = err.message;
      }
    }
    this.emit('conv', p.room_id);
  }

  scheduleFlush(ms) {
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.flushOutbox(), ms);
  }

  flushOutbox() {
    for (const conv of this.convs.values()) for (const p of conv.pending.values()) if (p.status === 'queued') this.sendPending(p);
  }

  retryPending(roomId, cmid) {
    const p = this.convs.get(roomId)?.pending.get(cmid);
    if (!p) return;
    p.status = 'queued';
    this.sendPending(p);
  }

  discardPending(roomId, cmid) {
    this.convs.get(roomId)?.pending.delete(cmid);
    this.emit('conv', roomId);
  }

  async editMessage(msg, content) {
    const updated = await this.api.request('PATCH', `/messages/${msg.id}`, { body: { content } });
    this.acceptMessage(updated?.id ? updated : { ...msg, content, edited_at: new Date().toISOString() }, 'live');
  }

  async deleteMessage(msg) {
    const tomb = await this.api.request('DELETE', `/messages/${msg.id}`);
    this.acceptMessage(isMessage(tomb) ? tomb : { ...msg, content: null, attachments: [], deleted_at: new Date().toISOString() }, 'live');
  }

  async toggleReaction(msg, emoji) {
    const had = (msg.reactions ?? []).some((r) => r.emoji === emoji && r.me);
    const res = await this.api.request(had ? 'DELETE' : 'PUT', `/messages/${msg.id}/reactions/${encodeURIComponent(emoji)}`);
    if (isMessage(res) || isMessage(res?.message)) this.applyReaction(res);
    else if (Array.isArray(res?.reactions)) {
      const conv = this.convs.get(msg.room_id);
      const cur = conv?.messages.get(msg.id);
      if (cur) {
        conv.messages.set(msg.id, { ...cur, reactions: res.reactions.map((r) => ({ ...r, me: r.me ?? (r.emoji === emoji ? !had : cur.reactions?.find((x) => x.emoji === r.emoji)?.me ?? false) })) });
        this.emit('conv', msg.room_id);
      }
    } else this.applyReaction({ message_id: msg.id, room_id: msg.room_id, emoji, user_id: this.me.id, added: !had });
  }

  async upload(file) {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.api.request('POST', '/uploads', { form });
  }

  // ---- typing -------------------------------------------------------------------------------
  typingIn(roomId) {
    if (this.missing.has('typing') || !this.rt.isOnline) return;
    const last = this.typingSent.get(roomId) ?? 0;
    if (Date.now() - last < TYPING_RESEND_MS) return;
    this.typingSent.set(roomId, Date.now());
    this.rt.request('typing', { room_id: roomId }).catch((err) => {
      if (err?.code === 'UNKNOWN_TYPE') this.missing.add('typing');
    });
  }

  stopTyping(roomId) {
    if (!this.typingSent.get(roomId)) return;
    this.typingSent.delete(roomId);
    if (!this.missing.has('typing')) this.rt.send('stop_typing', { room_id: roomId });
  }

  onTyping(roomId, userId, user) {
    if (!roomId || !userId || userId === this.me?.id) return;
    if (!this.typing.has(roomId)) this.typing.set(roomId, new Map());
    const map = this.typing.get(roomId);
    clearTimeout(map.get(userId)?.timer);
    const name = user ? displayName(user) : this.userName(roomId, userId);
    map.set(userId, { name, timer: setTimeout(() => this.clearTyping(roomId, userId), TYPING_EXPIRES_MS) });
    this.emit('typing', roomId);
  }

  clearTyping(roomId, userId) {
    const map = this.typing.get(roomId);
    const entry = map?.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    map.delete(userId);
    this.emit('typing', roomId);
  }

  typingNames(roomId) {
    return [...(this.typing.get(roomId)?.values() ?? [])].map((t) => t.name);
  }

  // ---- read receipts ------------------------------------------------------------------------
  /** The conversation view reports whether the person can see the newest message. */
  setWatching(roomId, atBottom) {
    this.watching = { roomId, atBottom };
    if (roomId && atBottom) this.scheduleRead(roomId);
  }

  isWatching(roomId) {
    return this.currentRoomId === roomId && this.watching.roomId === roomId && this.watching.atBottom && document.visibilityState === 'visible';
  }

  scheduleRead(roomId) {
    if (!this.isWatching(roomId)) return;
    const room = this.rooms.get(roomId);
    if (room && room.unread_count) {
      room.unread_count = 0;
      this.emit('rooms');
    }
    clearTimeout(this.readTimers.get(roomId));
    this.readTimers.set(roomId, setTimeout(() => this.markRead(roomId), 600));
  }

  async markRead(roomId) {
    const conv = this.convs.get(roomId);
    if (!conv || this.missing.has('read')) return;
    const seq = conv.maxSeq;
    if (!seq || seq <= conv.lastMarkedRead) return;
    conv.lastMarkedRead = seq;
    try {
      const res = await this.api.request('POST', `/rooms/${roomId}/read`, { body: { seq } });
      const room = this.rooms.get(roomId);
      if (room && typeof res?.unread_count === 'number') {
        room.unread_count = this.isWatching(roomId) ? 0 : res.unread_count;
        this.emit('rooms');
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'ROUTE_NOT_FOUND') this.missing.add('read');
      else conv.lastMarkedRead = 0;
    }
  }

  /** Who (other than me) has read up to `seq` in a room. */
  readersOf(roomId, seq) {
    const out = [];
    for (const [userId, last] of this.reads.get(roomId) ?? []) if (userId !== this.me?.id && last >= seq) out.push(userId);
    return out;
  }

  // ---- own account --------------------------------------------------------------------------
  async updateProfile(fields) {
    const me = await this.api.request('PATCH', '/auth/me', { body: fields });
    this.me = { ...this.me, ...me };
    this.api.user = this.me;
    this.emit('me', this.me);
    return me;
  }
}
