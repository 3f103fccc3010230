// The signed-in layout: the conversation list on the left, the open conversation (or, for server
// admins, the admin panel at #/admin) on the right (one at a time below 720 px), the connection
// banner, toasts, and the #/room/<id> address of the open room (so Back and reload work).
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Room } from '../api/types';
import { previewText } from '../../../src/shared/markdown-text';
import { type Chat, displayName, roomTitle } from '../state/chat';
import { totalUnread } from '../state/unread';
import { describeSystemLine } from '../system-line';
import { badgeLabel, RoomBadges } from './RoomBadges';
import { AdminPanel, type AdminView, adminViewFromHash } from './admin/AdminPanel';
import { Avatar } from './Avatar';
import { ChatContext } from './context';
import { Conversation } from './Conversation';
import { DialogHost } from './Dialog';
import { browseRoomsDialog, createRoomDialog, newDmDialog } from './dialogs/rooms';
import { searchDialog } from './dialogs/search';
import { settingsDialog } from './dialogs/settings';
import { formatTime } from './format';
import { Icon } from './icons';
import { toggleTheme } from './theme';

const BANNER: Record<string, string> = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'You are offline. Messages you write will be sent when the connection is back.',
  blocked: 'The live connection was refused by the server, so new messages cannot arrive. Ask the server administrator to check its allowed origins.',
};

/** Opens a room through the address bar. */
export function go(roomId: string | null): void {
  const hash = roomId ? `#/room/${roomId}` : '';
  if (location.hash !== hash) location.hash = hash;
}

function roomFromHash(): string | null {
  const match = /^#\/room\/([0-9a-fA-F-]{36})$/.exec(location.hash);
  return match ? match[1].toLowerCase() : null;
}

function Banner({ chat }: { chat: Chat }): JSX.Element {
  const state = chat.rt.state.value;
  const limited = chat.session.notice.value?.kind === 'limited' ? chat.session.notice.value.text : null;
  // "connecting" on first load is only worth showing if it takes a while.
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (state !== 'connecting') return setLate(false);
    const t = setTimeout(() => setLate(true), 1500);
    return () => clearTimeout(t);
  }, [state]);
  const text = limited ?? (state === 'connecting' && !late ? null : (BANNER[state] ?? null));
  return (
    <div id="banner" class="banner" role="status" aria-live="polite" data-state={limited ? 'limited' : state} hidden={!text}>
      {text}
    </div>
  );
}

function Toasts({ chat }: { chat: Chat }): JSX.Element {
  return (
    <div class="toasts">
      {chat.toasts.value.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span class="toast-text">{t.text}</span>
          <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => chat.dismissToast(t.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}

function RoomItem({ chat, room, current }: { chat: Chat; room: Room; current: boolean }): JSX.Element {
  const me = chat.me;
  const last = room.last_message;
  // Plain text of the markdown on one line (the element ellipsises it); lexed again only when the text changes.
  const text = useMemo(() => previewText(last?.content), [last?.content]);
  // The preview names people this page may not know yet (someone added to a group never opened here).
  useEffect(() => {
    if (last) chat.lookUpSystemLineNames(last);
  }, [last?.id]);
  let preview = '';
  if (last?.system) {
    // A system line is a sentence of its own ("Bob added Carol"), not "Bob: …".
    preview = describeSystemLine(last.system, last.sender.id, displayName(last.sender), me?.id, (id) => chat.userName(room.id, id));
  } else if (last) {
    const who = last.sender.id === me?.id ? 'You' : displayName(last.sender);
    const body = last.deleted_at ? 'Message deleted' : chat.isBlocked(last) ? 'Message from a blocked user' : text || (last.attachments.length ? 'Attachment' : '');
    preview = room.type === 'dm' && who !== 'You' ? body : `${who}: ${body}`;
  }
  const unread = room.unread_count ?? 0;
  const peerOnline = room.type === 'dm' && room.peer ? chat.isOnline(room.peer.id) : undefined;
  const title = roomTitle(room);
  return (
    <li>
      <a
        href={`#/room/${room.id}`}
        class={`room-item${unread ? ' has-unread' : ''}`}
        aria-current={current ? 'page' : undefined}
        data-room-id={room.id}
        aria-label={`${title}${badgeLabel(room)}${peerOnline ? ', online' : ''}`}
      >
        {room.type === 'dm' ? (
          <Avatar user={room.peer} online={peerOnline} />
        ) : (
          <span class="avatar" aria-hidden="true">
            <Icon name={room.type === 'private' ? 'lock' : 'hash'} />
          </span>
        )}
        <span class="room-main">
          <span class="room-name" dir="auto">
            {title}
          </span>
          <span class="room-last" dir="auto">
            {preview}
          </span>
        </span>
        <span class="room-meta">
          {last ? <time>{formatTime(last.created_at)}</time> : null}
          <RoomBadges room={room} />
        </span>
      </a>
    </li>
  );
}

function Sidebar({ chat, adminOpen }: { chat: Chat; adminOpen: boolean }): JSX.Element {
  const me = chat.me;
  const rooms = chat.sortedRooms.value;
  const current = chat.currentRoomId.value;
  const groups = rooms.filter((r) => r.type !== 'dm');
  const dms = rooms.filter((r) => r.type === 'dm');
  const online = chat.rt.state.value === 'online';
  return (
    <aside class="sidebar" aria-label="Conversations">
      <header class="sidebar-header">
        <div class="me">
          <Avatar user={me} online={online} />
          <span class="me-text">
            <strong class="me-name" dir="auto">
              {displayName(me)}
            </strong>
            <span class="muted me-status" dir="auto">
              {me?.status || `@${me?.username ?? ''}`}
            </span>
          </span>
        </div>
        <button type="button" class="icon-button" aria-label="Search messages" title="Search messages" onClick={() => searchDialog(chat, null)}>
          <Icon name="search" />
        </button>
        <button type="button" class="icon-button" aria-label="Switch light or dark theme" title="Theme" onClick={toggleTheme}>
          <Icon name="theme" />
        </button>
        {me?.is_admin ? (
          <a href="#/admin" class="icon-button" aria-label="Server administration" title="Server administration" aria-current={adminOpen ? 'page' : undefined}>
            <Icon name="shield" />
          </a>
        ) : null}
        <button type="button" class="icon-button" aria-label="Settings" title="Settings" onClick={() => settingsDialog(chat)}>
          <Icon name="settings" />
        </button>
      </header>
      <div class="side-actions">
        <button type="button" class="button side-action" onClick={() => createRoomDialog(chat)}>
          New room
        </button>
        <button type="button" class="button side-action" onClick={() => browseRoomsDialog(chat)}>
          Browse rooms
        </button>
        <button type="button" class="button side-action" onClick={() => newDmDialog(chat)}>
          New message
        </button>
      </div>
      <nav class="room-nav" aria-label="Your conversations">
        <h2 class="list-title">Rooms</h2>
        <ul class="room-list" aria-label="Rooms">
          {groups.length ? groups.map((r) => <RoomItem key={r.id} chat={chat} room={r} current={r.id === current} />) : <li class="muted empty">{chat.roomsLoaded.value ? 'No rooms yet. Create one or browse public rooms.' : 'Loading…'}</li>}
        </ul>
        <h2 class="list-title">Direct messages</h2>
        <ul class="room-list" aria-label="Direct messages">
          {dms.length ? dms.map((r) => <RoomItem key={r.id} chat={chat} room={r} current={r.id === current} />) : <li class="muted empty">No direct messages yet.</li>}
        </ul>
      </nav>
    </aside>
  );
}

export function Shell({ chat }: { chat: Chat }): JSX.Element {
  const current = chat.currentRoomId.value;
  const [adminView, setAdminView] = useState<AdminView | null>(null);
  useEffect(() => {
    const onHash = () => {
      const view = adminViewFromHash(location.hash);
      setAdminView(view);
      chat.openRoom(view ? null : roomFromHash());
    };
    window.addEventListener('hashchange', onHash);
    onHash();
    return () => {
      window.removeEventListener('hashchange', onHash);
      if (location.hash) history.replaceState(null, '', location.pathname);
    };
  }, [chat]);
  const unread = totalUnread(chat.rooms.value.values());
  useEffect(() => {
    document.title = unread ? `(${unread}) Chat` : 'Chat';
  }, [unread]);

  return (
    <ChatContext.Provider value={chat}>
      <Banner chat={chat} />
      <div class="shell" data-pane={current || adminView ? 'room' : 'list'}>
        <Sidebar chat={chat} adminOpen={adminView !== null} />
        <section class="main" aria-label={adminView ? 'Server administration' : 'Conversation'}>
          {adminView ? (
            <AdminPanel chat={chat} view={adminView} />
          ) : current ? (
            <Conversation key={current} roomId={current} />
          ) : (
            <div class="empty-state">
              <h2>Pick a conversation</h2>
              <p class="muted">Choose a room or a person on the left, or start something new.</p>
            </div>
          )}
        </section>
      </div>
      <Toasts chat={chat} />
      <DialogHost />
    </ChatContext.Provider>
  );
}
