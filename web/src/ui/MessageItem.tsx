// One message in the log: head (avatar, author, time; hidden when grouped with the previous one),
// reply quote, body (dir="auto" so right-to-left text reads right), attachments, reactions, receipt,
// the action toolbar, and inline editing. System lines (joins, leaves, renames) are a centred line.
// A message from someone I blocked is collapsed to one line with "show" (its content is there;
// nothing of it is rendered until asked).
import type { JSX } from 'preact';
import { memo } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/http';
import type { Attachment, Message } from '../api/types';
import { type Chat, displayName } from '../state/chat';
import type { PendingMessage } from '../state/outbox';
import { mentionsMe } from '../state/unread';
import { describeSystemLine, type SystemLine } from '../system-line';
import { Avatar, uploadBlobUrl, useUploadSrc } from './Avatar';
import { confirmDialog, openDialog } from './Dialog';
import { profileDialog } from './dialogs/profile';
import { reportDialog } from './dialogs/report';
import { formatBytes, formatTime } from './format';
import { Icon } from './icons';
import { MessageBody } from './MessageBody';

/** Reactions offered by the picker (emoji are content here, not icons). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];

function ImageAttachment({ chat, a, onLoad }: { chat: Chat; a: Attachment; onLoad: () => void }): JSX.Element {
  const src = useUploadSrc(a.url);
  const view = () =>
    openDialog(a.name, () => <FullImage chat={chat} a={a} />);
  return (
    <li>
      <button type="button" class="image-button" aria-label={`Open image ${a.name}`} onClick={view}>
        <img alt={a.name} class="attachment-image" src={src ?? undefined} onLoad={onLoad} />
      </button>
    </li>
  );
}

function FullImage({ chat, a }: { chat: Chat; a: Attachment }): JSX.Element {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    uploadBlobUrl(chat.http, a.url).then(setSrc, setError);
  }, [a.url]);
  if (error) return <p class="form-error">{describeError(error)}</p>;
  return <img alt={a.name} class="image-full" src={src ?? undefined} />;
}

function AudioAttachment({ a }: { a: Attachment }): JSX.Element {
  const src = useUploadSrc(a.url);
  return (
    <li class="audio">
      <audio controls preload="none" aria-label={a.name} src={src ?? undefined} />
      <span class="muted"> {a.name}</span>
    </li>
  );
}

async function download(chat: Chat, a: Attachment): Promise<void> {
  try {
    const src = await uploadBlobUrl(chat.http, a.url);
    const link = document.createElement('a');
    link.href = src;
    link.download = a.name;
    document.body.append(link);
    link.click();
    link.remove();
  } catch (err) {
    chat.fail(err, `Could not download ${a.name}`);
  }
}

function Attachments({ chat, items, onMediaLoad }: { chat: Chat; items: Attachment[]; onMediaLoad: () => void }): JSX.Element {
  return (
    <ul class="msg-attachments">
      {items.map((a) => {
        if (a.mime.startsWith('image/')) return <ImageAttachment key={a.id} chat={chat} a={a} onLoad={onMediaLoad} />;
        if (a.mime.startsWith('audio/')) return <AudioAttachment key={a.id} a={a} />;
        return (
          <li key={a.id}>
            <button type="button" class="file" onClick={() => void download(chat, a)}>
              <Icon name="file" size={16} /> {a.name} · {formatBytes(a.size)}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

interface Props {
  chat: Chat;
  m: Message;
  grouped: boolean;
  receipt: string | null;
  canModerate: boolean;
  editing: boolean;
  highlighted: boolean;
  setEditing: (id: string | null) => void;
  onReply: (m: Message) => void;
  onJump: (id: string, seq: number | null) => void;
  onMediaLoad: () => void;
  focusComposer: () => void;
}

/**
 * A system line (join, leave, removal, rename): one centred, muted sentence in this client's words
 * (system-line.ts), no bubble, and nothing to act on (no reply, reactions, edit or delete).
 */
function SystemLineItem({ chat, m, highlighted }: { chat: Chat; m: Message & { system: SystemLine }; highlighted: boolean }): JSX.Element {
  // Someone who left before this page loaded is in no member list: ask for their name once.
  useEffect(() => chat.lookUpSystemLineNames(m), [m.id]);
  const text = describeSystemLine(m.system, m.sender.id, displayName(m.sender), chat.me?.id, (id) => chat.userName(m.room_id, id));
  return (
    <li class={`msg system-line${highlighted ? ' flash' : ''}`} tabIndex={-1} data-id={m.id} data-seq={String(m.seq)} data-event={m.system.event}>
      <span dir="auto">{text}</span>{' '}
      <time dateTime={m.created_at} title={new Date(m.created_at).toLocaleString()}>
        {formatTime(m.created_at)}
      </time>
    </li>
  );
}

function MessageItemInner(props: Props): JSX.Element {
  const { m } = props;
  // A message's type never changes, so each item keeps one of the two components (and its hooks) for life.
  return m.system ? <SystemLineItem chat={props.chat} m={{ ...m, system: m.system }} highlighted={props.highlighted} /> : <UserMessageItem {...props} />;
}

/** A message someone wrote: the bubble with its head, body, attachments, reactions and actions. */
function UserMessageItem({ chat, m, grouped, receipt, canModerate, editing, highlighted, setEditing, onReply, onJump, onMediaLoad, focusComposer }: Props): JSX.Element {
  const mine = m.sender.id === chat.me?.id;
  const deleted = Boolean(m.deleted_at);
  const [revealed, setRevealed] = useState(false);
  const collapsed = !deleted && !mine && !revealed && chat.isBlocked(m);
  const [picker, setPicker] = useState(false);
  // The toolbar shows on hover too, but it joins the Tab order only while focus is inside this message:
  // otherwise a pointer resting on a message would put its buttons between the composer and the log.
  const [focusInside, setFocusInside] = useState(false);
  const actionTab = focusInside ? 0 : -1;
  const pickerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (picker) pickerRef.current?.querySelector('button')?.focus();
  }, [picker]);

  const react = async (emoji: string) => {
    setPicker(false);
    try {
      await chat.toggleReaction(m, emoji);
    } catch (err) {
      chat.fail(err, 'Could not react');
    }
  };
  const remove = async () => {
    if (!(await confirmDialog('Delete this message for everyone?', 'Delete', true))) return;
    try {
      await chat.deleteMessage(m);
    } catch (err) {
      chat.fail(err, 'Could not delete the message');
    }
  };

  const roomId = m.room_id;
  const replyAuthor = m.reply_to ? (m.reply_to.sender_id === chat.me?.id ? 'You' : chat.userName(roomId, m.reply_to.sender_id)) : '';
  return (
    <li
      class={`msg${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}${collapsed ? ' blocked' : ''}${grouped ? ' grouped' : ''}${editing ? ' editing' : ''}${highlighted ? ' flash' : ''}${!mine && !deleted && !collapsed && mentionsMe(m, chat.me?.id) ? ' mentions-me' : ''}`}
      tabIndex={-1}
      data-id={m.id}
      data-seq={String(m.seq)}
      onFocusCapture={() => setFocusInside(true)}
      onBlurCapture={(e) => setFocusInside(e.currentTarget.contains(e.relatedTarget as Node | null))}
    >
      <div class="msg-head">
        {grouped ? null : <Avatar user={m.sender} small />}
        {grouped ? null : mine || !m.sender.id ? (
          <span class="msg-author">{mine ? 'You' : displayName(m.sender)}</span>
        ) : (
          // Not a tab stop: Tab moves between the log and the composer, and the toolbar's Profile button
          // serves the keyboard (the log is walked with the arrow keys).
          <button type="button" class="msg-author link-plain" tabIndex={-1} aria-label={`Profile of ${displayName(m.sender)}`} onClick={() => profileDialog(chat, m.sender.id!)}>
            {displayName(m.sender)}
          </button>
        )}
        <time dateTime={m.created_at} title={new Date(m.created_at).toLocaleString()}>
          {formatTime(m.created_at)}
        </time>
        {m.edited_at && !deleted ? <span class="muted edited">(edited)</span> : null}
      </div>
      {collapsed ? (
        <div class="msg-body blocked-note">
          Message from a blocked user ·{' '}
          <button type="button" class="link" onClick={() => setRevealed(true)}>
            show
          </button>
        </div>
      ) : null}
      {m.reply_to && !deleted && !collapsed ? (
        <button type="button" class="msg-reply" aria-label="Go to the message this replies to" onClick={() => onJump(m.reply_to!.id, null)}>
          <strong>
            <Icon name="reply" size={14} /> {replyAuthor}:{' '}
          </strong>
          <span dir="auto">{m.reply_to.content_preview ?? 'deleted message'}</span>
        </button>
      ) : null}
      {collapsed ? null : editing ? (
        <EditForm
          chat={chat}
          m={m}
          done={(refocus) => {
            setEditing(null);
            if (refocus) focusComposer();
          }}
        />
      ) : (
        deleted ? (
          <div class="msg-body" dir="auto">
            This message was deleted.
          </div>
        ) : (
          <MessageBody content={m.content ?? ''} />
        )
      )}
      {!deleted && !collapsed && m.attachments.length ? <Attachments chat={chat} items={m.attachments} onMediaLoad={onMediaLoad} /> : null}
      {!deleted && !collapsed && m.reactions.length ? (
        <div class="msg-reactions">
          {m.reactions.map((r) => (
            <button key={r.emoji} type="button" class="reaction" aria-pressed={r.me ? 'true' : 'false'} aria-label={`${r.emoji} ${r.count}${r.me ? ', including you' : ''}`} onClick={() => void react(r.emoji)}>
              {r.emoji} {r.count}
            </button>
          ))}
        </div>
      ) : null}
      {picker ? (
        <div
          class="picker"
          role="group"
          aria-label="Pick a reaction"
          ref={pickerRef}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setPicker(false);
          }}
        >
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} type="button" class="icon-button" aria-label={`React with ${emoji}`} onClick={() => void react(emoji)}>
              {emoji}
            </button>
          ))}
        </div>
      ) : null}
      {receipt ? <p class="msg-status receipt muted">{receipt}</p> : null}
      {!deleted && !collapsed ? (
        <div class="msg-actions" role="toolbar" aria-label="Message actions">
          <button type="button" class="icon-button" tabIndex={actionTab} aria-label="Reply" title="Reply" onClick={() => onReply(m)}>
            <Icon name="reply" />
          </button>
          <button type="button" class="icon-button" tabIndex={actionTab} aria-label="React" title="React" aria-expanded={picker ? 'true' : 'false'} onClick={() => setPicker(!picker)}>
            <Icon name="react" />
          </button>
          {!mine && m.sender.id ? (
            <button type="button" class="icon-button" tabIndex={actionTab} aria-label={`View profile of ${displayName(m.sender)}`} title="Profile" onClick={() => profileDialog(chat, m.sender.id!)}>
              <Icon name="user" />
            </button>
          ) : null}
          {!mine && m.sender.id ? (
            <button type="button" class="icon-button" tabIndex={actionTab} aria-label="Report message" title="Report" onClick={() => reportDialog(chat, m)}>
              <Icon name="flag" />
            </button>
          ) : null}
          {mine ? (
            <button type="button" class="icon-button" tabIndex={actionTab} aria-label="Edit message" title="Edit" onClick={() => setEditing(m.id)}>
              <Icon name="edit" />
            </button>
          ) : null}
          {mine || canModerate ? (
            <button type="button" class="icon-button" tabIndex={actionTab} aria-label="Delete message" title="Delete" onClick={() => void remove()}>
              <Icon name="trash" />
            </button>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

/** Re-renders only when its own message or flags change. */
export const MessageItem = memo(MessageItemInner, (a, b) => a.m === b.m && a.grouped === b.grouped && a.receipt === b.receipt && a.canModerate === b.canModerate && a.editing === b.editing && a.highlighted === b.highlighted);

function EditForm({ chat, m, done }: { chat: Chat; m: Message; done: (refocus: boolean) => void }): JSX.Element {
  const [text, setText] = useState(m.content ?? '');
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = async () => {
    const content = text.trim();
    if (!content) return setError('A message cannot be empty; delete it instead.');
    if (content === m.content) return done(true);
    try {
      await chat.editMessage(m, content);
      done(true);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <form
      class="edit-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <textarea
        ref={ref}
        class="edit-input"
        aria-label="Edit message"
        rows={2}
        dir="auto"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            done(true);
          }
        }}
      />
      <p class="form-error" role="alert" hidden={!error}>
        {error}
      </p>
      <div class="edit-actions">
        <button type="submit" class="button primary">
          Save
        </button>
        <button type="button" class="button" onClick={() => done(true)}>
          Cancel
        </button>
        <span class="muted hint">Enter to save, Esc to cancel</span>
      </div>
    </form>
  );
}

/** An unsent message: waiting, sending, or failed with Retry / Discard. */
export function PendingItem({ chat, p }: { chat: Chat; p: PendingMessage }): JSX.Element {
  return (
    <li class={`msg mine pending${p.status === 'failed' ? ' failed' : ''}`} tabIndex={-1} data-client-msg-id={p.client_msg_id}>
      <div class="msg-head">
        <Avatar user={chat.me} small />
        <span class="msg-author">You</span>
      </div>
      {p.reply_to ? (
        <div class="msg-reply">
          <span dir="auto">{(p.reply_to.content ?? '').slice(0, 100)}</span>
        </div>
      ) : null}
      <div class="msg-body" dir="auto">
        {p.content}
      </div>
      {p.attachments.length ? (
        <ul class="msg-attachments">
          {p.attachments.map((a) => (
            <li key={a.id} class="file">
              <Icon name="attach" size={14} /> {a.name}
            </li>
          ))}
        </ul>
      ) : null}
      {p.status === 'failed' ? (
        <p class="msg-status failed" role="alert">
          Not sent: {p.error ?? 'the server refused it'}{' '}
          <button type="button" class="link" onClick={() => chat.retryPending(p.client_msg_id)}>
            Retry
          </button>
          {' · '}
          <button type="button" class="link" onClick={() => chat.discardPending(p.client_msg_id)}>
            Discard
          </button>
        </p>
      ) : (
        <p class="msg-status muted">{p.error ?? (p.status === 'sending' ? 'Sending…' : 'Waiting for the connection…')}</p>
      )}
    </li>
  );
}
