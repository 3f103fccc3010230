// The composer: a draft per room kept across room switches and reloads, replies, attachments
// (picked or pasted), typing notices, and a clear warning instead of a silent cut when the text is
// longer than the server accepts.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/http';
import type { Message, Upload } from '../api/types';
import { type Chat, codePoints, displayName, MAX_MESSAGE_CHARS } from '../state/chat';
import { formatBytes } from './format';
import { Icon } from './icons';

interface UploadEntry {
  key: number;
  file: File;
  status: 'uploading' | 'done' | 'failed';
  result: Upload | null;
  error: string | null;
  preview: string | null;
}

let uploadKey = 0;

export interface ComposerProps {
  chat: Chat;
  roomId: string;
  replyTo: Message | null;
  setReplyTo: (m: Message | null) => void;
  /** ArrowUp in an empty composer: edit my last message. */
  editLast: () => void;
  onSent: () => void;
  inputRef: { current: HTMLTextAreaElement | null };
}

export function Composer({ chat, roomId, replyTo, setReplyTo, editLast, onSent, inputRef }: ComposerProps): JSX.Element {
  const [text, setText] = useState(() => chat.drafts.get(roomId));
  const [uploads, setUploads] = useState<UploadEntry[]>([]);
  const fileRef = useRef<HTMLInputElement>(null);
  const length = codePoints(text.trim());
  const tooLong = length > MAX_MESSAGE_CHARS;
  const uploading = uploads.some((u) => u.status === 'uploading');

  useEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);
  useEffect(() => () => uploads.forEach((u) => u.preview && URL.revokeObjectURL(u.preview)), []);

  const update = (value: string) => {
    setText(value);
    chat.drafts.set(roomId, value);
    if (value.trim()) chat.typingIn(roomId);
    else chat.stopTyping(roomId);
  };

  const addUpload = (file: File) => {
    const entry: UploadEntry = { key: ++uploadKey, file, status: 'uploading', result: null, error: null, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null };
    setUploads((list) => [...list, entry]);
    const settle = (patch: Partial<UploadEntry>) => setUploads((list) => list.map((u) => (u.key === entry.key ? { ...u, ...patch } : u)));
    chat.upload(file).then(
      (result) => settle({ status: 'done', result }),
      (err) => settle({ status: 'failed', error: describeError(err) }),
    );
  };

  const submit = () => {
    const content = text.trim();
    if (uploading) return chat.toast('Wait until the attachments finish uploading.', 'info');
    const attachments = uploads.filter((u) => u.status === 'done' && u.result).map((u) => u.result!);
    if (!content && attachments.length === 0) return;
    if (tooLong) return chat.toast(`This message is ${length.toLocaleString()} characters long; at most ${MAX_MESSAGE_CHARS.toLocaleString()} can be sent. Shorten it or split it into several messages.`, 'error');
    chat.send(roomId, content, replyTo, attachments);
    update('');
    setReplyTo(null);
    uploads.forEach((u) => u.preview && URL.revokeObjectURL(u.preview));
    setUploads([]);
    onSent();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {replyTo ? (
        <div class="reply-preview">
          <span>
            <strong>Replying to {replyTo.sender.id === chat.me?.id ? 'yourself' : displayName(replyTo.sender)}: </strong>
            <span dir="auto">{(replyTo.content ?? '').slice(0, 100)}</span>
          </span>
          <button
            type="button"
            class="icon-button"
            aria-label="Cancel reply"
            onClick={() => {
              setReplyTo(null);
              inputRef.current?.focus();
            }}
          >
            <Icon name="close" />
          </button>
        </div>
      ) : null}
      {uploads.length ? (
        <ul class="upload-list" aria-label="Attachments to send">
          {uploads.map((u) => (
            <li key={u.key} class={`upload ${u.status}`}>
              {u.preview ? <img src={u.preview} alt="" class="upload-thumb" /> : <Icon name="file" />}
              <span class="upload-name">
                {u.file.name} · {formatBytes(u.file.size)}
              </span>
              <span class={u.status === 'failed' ? 'form-error' : 'muted'} role={u.status === 'failed' ? 'alert' : undefined}>
                {u.status === 'uploading' ? 'Uploading…' : u.status === 'failed' ? u.error : 'Ready'}
              </span>
              <button
                type="button"
                class="icon-button"
                aria-label={`Remove ${u.file.name}`}
                onClick={() => {
                  if (u.preview) URL.revokeObjectURL(u.preview);
                  setUploads((list) => list.filter((x) => x.key !== u.key));
                }}
              >
                <Icon name="close" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {tooLong ? (
        <p class="form-error too-long" role="alert">
          This message is {length.toLocaleString()} characters long; at most {MAX_MESSAGE_CHARS.toLocaleString()} can be sent. Shorten it or split it into several messages.
        </p>
      ) : null}
      <div class="composer-row">
        <button type="button" class="icon-button attach" aria-label="Attach files" title="Attach files" onClick={() => fileRef.current?.click()}>
          <Icon name="attach" size={20} />
        </button>
        <input
          ref={fileRef}
          type="file"
          multiple
          hidden
          aria-hidden="true"
          tabIndex={-1}
          onChange={(e) => {
            const input = e.currentTarget;
            [...(input.files ?? [])].forEach(addUpload);
            input.value = '';
          }}
        />
        <textarea
          ref={inputRef}
          class="composer-input"
          rows={1}
          placeholder="Write a message…"
          aria-label="Message"
          dir="auto"
          value={text}
          aria-invalid={tooLong ? 'true' : undefined}
          onInput={(e) => update(e.currentTarget.value)}
          onBlur={() => chat.stopTyping(roomId)}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length) {
              e.preventDefault();
              files.forEach(addUpload);
              return;
            }
            const pasted = e.clipboardData?.getData('text') ?? '';
            if (codePoints(text) + codePoints(pasted) > MAX_MESSAGE_CHARS) chat.toast(`The pasted text makes this message longer than ${MAX_MESSAGE_CHARS.toLocaleString()} characters; shorten it before sending.`, 'info');
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            } else if (e.key === 'Escape' && replyTo) {
              setReplyTo(null);
            } else if (e.key === 'ArrowUp' && !text) {
              e.preventDefault();
              editLast();
            }
          }}
        />
        <button type="submit" class="button primary send" disabled={uploading || tooLong} aria-label="Send">
          <Icon name="send" />
          <span class="send-label">Send</span>
        </button>
      </div>
    </form>
  );
}
