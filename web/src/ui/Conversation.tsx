// One open conversation: header with presence and room actions, member strip, the message log
// (older pages load on scroll, newer ones after a jump into the past; a "new messages" divider; a
// "jump to latest" button), typing line and composer.
import { Fragment, type JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, describeError } from '../api/http';
import type { Message } from '../api/types';
import { type Chat, displayName, roomTitle } from '../state/chat';
import { firstUnreadId } from '../state/unread';
import { Composer } from './Composer';
import { useChat } from './context';
import { confirmDialog } from './Dialog';
import { handoverDialog, membersDialog, roomSettingsDialog } from './dialogs/members';
import { searchDialog } from './dialogs/search';
import { formatTime } from './format';
import { Icon } from './icons';
import { LevelPicker } from './LevelPicker';
import { MessageItem, PendingItem } from './MessageItem';
import { go } from './Shell';

const NEAR_TOP_PX = 120;
const NEAR_BOTTOM_PX = 48;
/** Consecutive messages of one sender within this gap share one head. */
const GROUP_GAP_MS = 5 * 60_000;

function grouped(prev: Message | undefined, m: Message): boolean {
  // A system line stands alone and breaks a run of messages (it is no bubble to share a head with).
  if (!prev || prev.system || m.system) return false;
  return prev.sender.id === m.sender.id && !prev.deleted_at && !m.reply_to && Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_GAP_MS;
}

async function leave(chat: Chat, roomId: string): Promise<void> {
  const room = chat.room(roomId);
  if (!room) return;
  if (room.my_role === 'owner') {
    handoverDialog(chat, roomId);
    return;
  }
  if (!(await confirmDialog(`Leave ${roomTitle(room)}?`, 'Leave room', true))) return;
  try {
    await chat.leaveRoom(roomId);
  } catch (err) {
    chat.fail(err, 'Could not leave the room');
  }
}

function Header({ chat, roomId }: { chat: Chat; roomId: string }): JSX.Element {
  const room = chat.room(roomId);
  const back = (
    <button type="button" class="icon-button back" aria-label="Back to conversations" onClick={() => go(null)}>
      <Icon name="back" />
    </button>
  );
  if (!room)
    return (
      <header class="conv-header">
        {back}
        <div class="conv-heading">
          <h2 class="conv-title">Conversation</h2>
        </div>
      </header>
    );
  if (room.type === 'dm') {
    const peer = room.peer;
    const online = chat.isOnline(peer?.id);
    return (
      <header class="conv-header">
        {back}
        <div class="conv-heading">
          <h2 class="conv-title" dir="auto">
            {roomTitle(room)}
          </h2>
          <p class="conv-sub muted" data-online={String(online)}>
            <span class={`dot ${online ? 'online' : 'offline'}`} aria-hidden="true" />
            {peer?.deactivated ? ' Deactivated' : online ? ' Online' : peer?.last_seen_at ? ` Last seen ${formatTime(peer.last_seen_at)}` : ' Offline'}
            {peer?.status && !peer.deactivated ? ` · ${peer.status}` : ''}
          </p>
        </div>
        <div class="conv-actions">
          <LevelPicker chat={chat} room={room} />
          <button type="button" class="icon-button" aria-label="Search in this conversation" title="Search in this conversation" onClick={() => searchDialog(chat, roomId)}>
            <Icon name="search" />
          </button>
        </div>
      </header>
    );
  }
  const members = chat.members.value.get(roomId);
  const count = members?.size ?? room.member_count;
  const online = members ? [...members.keys()].filter((id) => chat.isOnline(id)).length : 0;
  const manager = room.my_role === 'owner' || room.my_role === 'admin';
  return (
    <header class="conv-header">
      {back}
      <div class="conv-heading">
        <h2 class="conv-title" dir="auto">
          {roomTitle(room)}
        </h2>
        <p class="conv-sub muted" dir="auto">
          {`${room.type === 'private' ? 'Private' : 'Public'} · ${count} member${count === 1 ? '' : 's'}${members ? ` · ${online} online` : ''}${room.my_role && room.my_role !== 'member' ? ` · you are ${room.my_role}` : ''}${room.description ? ` · ${room.description}` : ''}`}
        </p>
      </div>
      <div class="conv-actions">
        <LevelPicker chat={chat} room={room} />
        <button type="button" class="icon-button" aria-label="Search in this conversation" title="Search in this conversation" onClick={() => searchDialog(chat, roomId)}>
          <Icon name="search" />
        </button>
        <button type="button" class="button" onClick={() => membersDialog(chat, roomId)}>
          {manager ? 'Members & add' : 'Members'}
        </button>
        {manager ? (
          <button type="button" class="button" onClick={() => roomSettingsDialog(chat, roomId)}>
            Edit room
          </button>
        ) : null}
        <button type="button" class="button" onClick={() => void leave(chat, roomId)}>
          Leave
        </button>
      </div>
    </header>
  );
}

function MemberStrip({ chat, roomId }: { chat: Chat; roomId: string }): JSX.Element | null {
  const room = chat.room(roomId);
  const members = [...(chat.members.value.get(roomId)?.values() ?? [])];
  if (!room || room.type === 'dm' || members.length === 0) return null;
  members.sort((a, b) => Number(chat.isOnline(b.user.id)) - Number(chat.isOnline(a.user.id)) || displayName(a.user).localeCompare(displayName(b.user)));
  return (
    <ul class="member-strip" aria-label="Members">
      {members.slice(0, 30).map((m) => {
        const online = chat.isOnline(m.user.id);
        return (
          <li key={m.user.id} class="member" data-user-id={m.user.id} data-online={String(online)} data-role={m.role} title={`${displayName(m.user)} (${online ? 'online' : 'offline'})`}>
            <span class={`dot ${online ? 'online' : 'offline'}`} aria-hidden="true" />
            <span dir="auto">{m.user.id === chat.me?.id ? `${displayName(m.user)} (you)` : displayName(m.user)}</span>
            {m.role !== 'member' ? <span class="role-tag">{m.role}</span> : null}
            <span class="visually-hidden">{online ? ', online' : ', offline'}</span>
          </li>
        );
      })}
    </ul>
  );
}

function TypingLine({ chat, roomId }: { chat: Chat; roomId: string }): JSX.Element {
  const names = (chat.typing.value.get(roomId) ?? []).map((id) => chat.userName(roomId, id));
  const text = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  return (
    <p class="typing muted" aria-live="polite">
      {text}
    </p>
  );
}

export function Conversation({ roomId }: { roomId: string }): JSX.Element {
  const chat = useChat();
  const room = chat.room(roomId);
  const entry = chat.views.value.get(roomId);
  const conv = entry?.conv;
  const pending = entry?.pending ?? [];
  const messages = conv?.messages ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const atBottom = useRef(true);
  const before = useRef<{ height: number; top: number; firstId: string | null }>({ height: 0, top: 0, firstId: null });
  const [showJump, setShowJump] = useState(false);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  // The divider goes where the unread messages started when the room was opened; it stays put.
  const [unreadAtOpen] = useState(() => room?.unread_count ?? 0);
  const dividerId = useRef<string | null | undefined>(undefined);
  if (dividerId.current === undefined && conv?.loaded) dividerId.current = firstUnreadId(messages, unreadAtOpen, chat.me?.id);

  // Measured before the DOM changes (render runs before commit), used after it.
  const el = scroller.current;
  if (el) before.current = { height: el.scrollHeight, top: el.scrollTop, firstId: before.current.firstId };

  const report = () => {
    const s = scroller.current;
    if (!s) return;
    atBottom.current = s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
    setShowJump(!atBottom.current || Boolean(conv?.hasNewer));
    chat.setWatching(roomId, atBottom.current);
  };

  useLayoutEffect(() => {
    const s = scroller.current;
    if (!s) return;
    const firstId = messages[0]?.id ?? null;
    const prepended = before.current.firstId !== null && firstId !== before.current.firstId && messages.some((m) => m.id === before.current.firstId);
    if (prepended && !atBottom.current) s.scrollTop = before.current.top + (s.scrollHeight - before.current.height);
    else if (atBottom.current && !conv?.hasNewer) s.scrollTop = s.scrollHeight;
    before.current.firstId = firstId;
    report();
    // A short first page that does not fill the view: fetch more so scrolling up is possible.
    if (conv?.loaded && conv.hasOlder && !conv.loading && s.scrollHeight <= s.clientHeight + NEAR_TOP_PX) void chat.loadMore(roomId, 'older');
  }, [conv?.version, pending.length]);

  // First load with unread messages: show the divider instead of the bottom.
  useEffect(() => {
    if (!conv?.loaded || !dividerId.current) return;
    const target = scroller.current?.querySelector('.unread-divider');
    if (target) {
      target.scrollIntoView({ block: 'start' });
      report();
    }
  }, [conv?.loaded]);

  useEffect(() => {
    const onVisibility = () => report();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('focus', onVisibility);
    inputRef.current?.focus();
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('focus', onVisibility);
      chat.stopTyping(roomId);
      chat.setWatching(null, false);
    };
  }, [roomId]);

  // A search hit or reply target to scroll to and highlight.
  const focus = chat.focus.value;
  useEffect(() => {
    if (!focus || focus.roomId !== roomId) return;
    const li = scroller.current?.querySelector<HTMLElement>(`li[data-id="${focus.messageId}"]`);
    if (!li) return;
    atBottom.current = false;
    li.scrollIntoView({ block: 'center' });
    li.focus({ preventScroll: true });
    setHighlight(focus.messageId);
    chat.focus.value = null;
    const t = setTimeout(() => setHighlight(null), 2000);
    return () => clearTimeout(t);
  }, [focus, conv?.version]);

  const onScroll = () => {
    report();
    const s = scroller.current;
    if (!s || !conv) return;
    if (s.scrollTop < NEAR_TOP_PX && conv.hasOlder && !conv.loading) void chat.loadMore(roomId, 'older');
    if (conv.hasNewer && !conv.loading && s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_TOP_PX) void chat.loadMore(roomId, 'newer');
  };

  const jumpToLatest = async () => {
    if (conv?.hasNewer) await chat.loadLatest(roomId);
    atBottom.current = true;
    const s = scroller.current;
    if (s) s.scrollTop = s.scrollHeight;
    report();
  };

  const jump = (messageId: string, seq: number | null) => {
    const held = messages.find((m) => m.id === messageId);
    if (held) chat.focus.value = { roomId, messageId, nonce: Date.now() };
    else if (seq !== null) void chat.jumpTo(roomId, messageId, seq);
    else chat.toast('That message is further back in the history.', 'info');
  };

  /** Arrow keys, Home and End move between messages; Escape returns to the composer. */
  const onLogKey = (e: KeyboardEvent) => {
    if (!['ArrowUp', 'ArrowDown', 'Home', 'End', 'Escape'].includes(e.key)) return;
    const target = e.target as HTMLElement;
    if (target.closest('textarea, input, .picker')) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      inputRef.current?.focus();
      return;
    }
    const items = [...(scroller.current?.querySelectorAll<HTMLElement>('.message-list > li.msg') ?? [])];
    if (items.length === 0) return;
    const current = target.closest<HTMLElement>('.message-list > li.msg');
    let index = current ? items.indexOf(current) : items.length;
    if (e.key === 'ArrowUp') index = Math.max(0, index - 1);
    else if (e.key === 'ArrowDown') index = Math.min(items.length - 1, index + 1);
    else index = e.key === 'Home' ? 0 : items.length - 1;
    e.preventDefault();
    items[index].focus();
    items[index].scrollIntoView({ block: 'nearest' });
    if (index === 0 && conv?.hasOlder) void chat.loadMore(roomId, 'older');
  };

  const myLast = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].sender.id === chat.me?.id && !messages[i].deleted_at && !messages[i].system) return messages[i];
    return null;
  }, [messages]);
  const readers = myLast ? chat.readersOf(roomId, myLast.seq) : [];
  const receiptText = myLast && readers.length ? (room?.type === 'dm' ? 'Seen' : readers.length <= 3 ? `Seen by ${readers.map((id) => chat.userName(roomId, id)).join(', ')}` : `Seen by ${readers.length}`) : null;
  const canModerate = room?.my_role === 'owner' || room?.my_role === 'admin';

  let emptyText: JSX.Element | string | null = null;
  if (conv?.error && !conv.loaded) {
    const err = conv.error;
    emptyText = (
      <>
        <span>{describeError(err)} </span>
        {err instanceof ApiError && err.code === 'NOT_A_MEMBER' ? (
          <button
            type="button"
            class="button primary"
            onClick={() =>
              chat.joinRoom(roomId).catch((joinErr) => {
                chat.fail(joinErr, 'Could not join');
              })
            }
          >
            Join this room
          </button>
        ) : null}
      </>
    );
  } else if (!conv?.loaded) emptyText = 'Loading messages…';
  else if (messages.length === 0 && pending.length === 0) emptyText = 'No messages yet. Say hello!';

  return (
    <div class="conversation" data-room-id={roomId}>
      <Header chat={chat} roomId={roomId} />
      <MemberStrip chat={chat} roomId={roomId} />
      <div class="messages" role="log" aria-label="Messages (arrow keys move between messages, Escape returns to the composer)" tabIndex={0} ref={scroller} onScroll={onScroll} onKeyDown={onLogKey}>
        {conv?.hasOlder ? (
          <button type="button" class="button load-older" disabled={conv.loading} onClick={() => void chat.loadMore(roomId, 'older')}>
            {conv.loading ? 'Loading older messages…' : 'Load older messages'}
          </button>
        ) : null}
        {emptyText ? <p class="muted conv-empty">{emptyText}</p> : null}
        <ol class="message-list">
          {messages.map((m, i) => (
            <Fragment key={m.id}>
              {m.id === dividerId.current ? (
                <li key={`divider-${m.id}`} class="unread-divider" role="separator" aria-label="New messages">
                  <span>New messages</span>
                </li>
              ) : null}
              <MessageItem
                key={m.id}
                chat={chat}
                m={m}
                grouped={grouped(messages[i - 1], m) && m.id !== dividerId.current}
                receipt={m === myLast ? receiptText : null}
                canModerate={canModerate}
                editing={editing === m.id}
                highlighted={highlight === m.id}
                setEditing={setEditing}
                onReply={(target) => {
                  setReplyTo(target);
                  inputRef.current?.focus();
                }}
                onJump={jump}
                onMediaLoad={() => {
                  const s = scroller.current;
                  if (s && atBottom.current) s.scrollTop = s.scrollHeight;
                }}
                focusComposer={() => inputRef.current?.focus()}
              />
            </Fragment>
          ))}
          {conv?.hasNewer ? null : pending.map((p) => <PendingItem key={p.client_msg_id} chat={chat} p={p} />)}
        </ol>
        {conv?.hasNewer ? (
          <button type="button" class="button load-newer" disabled={conv.loading} onClick={() => void chat.loadMore(roomId, 'newer')}>
            {conv.loading ? 'Loading newer messages…' : 'Load newer messages'}
          </button>
        ) : null}
      </div>
      {showJump ? (
        <button type="button" class="button jump-latest" onClick={() => void jumpToLatest()}>
          <Icon name="down" size={16} /> Jump to latest
        </button>
      ) : null}
      <TypingLine chat={chat} roomId={roomId} />
      <Composer
        chat={chat}
        roomId={roomId}
        replyTo={replyTo}
        setReplyTo={setReplyTo}
        inputRef={inputRef}
        editLast={() => myLast && setEditing(myLast.id)}
        onSent={() => {
          void jumpToLatest();
        }}
      />
    </div>
  );
}
