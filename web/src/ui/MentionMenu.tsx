// `@` autocomplete for a textarea over the room's members (logic in state/mention-complete.ts):
// ArrowUp/ArrowDown move, Enter or Tab picks, Escape closes; a click picks too.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { Chat } from '../state/chat';
import { applyMention, type MentionCandidate, mentionCandidates, type MentionQuery, mentionQuery, moveSelection } from '../state/mention-complete';

export interface MentionComplete {
  /** Call after every input and caret move. */
  refresh: () => void;
  /** Call first in the textarea's keydown; true when the key was used by the menu. */
  onKeyDown: (e: KeyboardEvent) => boolean;
  /** The open menu, or null. */
  menu: JSX.Element | null;
}

/** Autocomplete state for the composer of `roomId`; `setText` receives the completed text. */
export function useMentionComplete(chat: Chat, roomId: string, inputRef: { current: HTMLTextAreaElement | null }, setText: (value: string) => void): MentionComplete {
  const [query, setQuery] = useState<MentionQuery | null>(null);
  const [index, setIndex] = useState(0);
  const members = chat.members.value.get(roomId);
  const options: MentionCandidate[] = query && members ? mentionCandidates([...members.values()].map((m) => m.user), query.query, chat.me?.id) : [];
  const open = query !== null && options.length > 0;

  const refresh = () => {
    const el = inputRef.current;
    const next = el && el.selectionStart === el.selectionEnd ? mentionQuery(el.value, el.selectionStart) : null;
    if (next?.start !== query?.start || next?.query !== query?.query) setIndex(0);
    setQuery(next);
  };
  const pick = (user: MentionCandidate) => {
    const el = inputRef.current;
    if (!el || !query) return;
    const done = applyMention(el.value, query, el.selectionStart, user.username);
    // Text and caret go into the field now, not on the next frame: keys typed meanwhile (a fast
    // typist, a busy or hidden tab whose frames come late) must land after the mention, not before it.
    el.value = done.text;
    el.focus();
    el.setSelectionRange(done.caret, done.caret);
    setText(done.text);
    setQuery(null);
  };
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      setIndex(moveSelection(index, e.key === 'ArrowDown' ? 1 : -1, options.length));
    } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.isComposing) {
      pick(options[Math.min(index, options.length - 1)]);
    } else if (e.key === 'Escape') {
      setQuery(null);
    } else {
      return false;
    }
    e.preventDefault();
    e.stopPropagation();
    return true;
  };
  const menu = open ? (
    <ul class="mention-menu" role="listbox" aria-label="Mention someone" id="mention-menu">
      {options.map((u, i) => (
        <li
          key={u.id}
          role="option"
          aria-selected={i === index ? 'true' : 'false'}
          onMouseDown={(e) => {
            e.preventDefault();
            pick(u);
          }}
        >
          <strong>@{u.username}</strong>
          {u.display_name ? <span class="muted"> {u.display_name}</span> : null}
        </li>
      ))}
    </ul>
  ) : null;
  return { refresh, onKeyDown, menu };
}
