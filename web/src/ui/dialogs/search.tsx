// Message search (GET /messages/search) over all rooms or the open one: results with the room, the
// sender, the time and the matched words; a click opens the room at that message.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { SearchHit } from '../../api/types';
import { type Chat, displayName, roomTitle } from '../../state/chat';
import { Avatar } from '../Avatar';
import { openDialog } from '../Dialog';
import { formatTime, snippetParts } from '../format';
import { go } from '../Shell';
import { SearchList } from './common';

function SearchPanel({ chat, roomId, close }: { chat: Chat; roomId: string | null; close: () => void }): JSX.Element {
  const [scope, setScope] = useState<'all' | 'room'>(roomId ? 'room' : 'all');
  const open = (hit: SearchHit) => {
    close();
    go(hit.room_id);
    void chat.jumpTo(hit.room_id, hit.id, hit.seq);
  };
  return (
    <>
      {roomId ? (
        <div class="tabs" role="radiogroup" aria-label="Search where">
          <label class="tab scope">
            <input type="radio" name="scope" checked={scope === 'room'} onChange={() => setScope('room')} /> In {roomTitle(chat.room(roomId))}
          </label>
          <label class="tab scope">
            <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All conversations
          </label>
        </div>
      ) : null}
      <SearchList<SearchHit>
        key={scope}
        placeholder="Words to find"
        label="Search messages"
        search={async (q) => (q ? (await chat.search(q, scope === 'room' && roomId ? roomId : undefined)).items : [])}
        emptyText="Type words to find messages."
        row={(hit) => (
          <button type="button" class="result search-hit" data-message-id={hit.id} onClick={() => open(hit)} aria-label={`${displayName(hit.sender)} in ${roomTitle(chat.room(hit.room_id))}: ${hit.content ?? ''}`}>
            <Avatar user={hit.sender} small />
            <span class="result-main">
              <span class="muted hit-meta">
                <strong>{displayName(hit.sender)}</strong> in {roomTitle(chat.room(hit.room_id)) || 'a room'} · {formatTime(hit.created_at)}
              </span>
              <span class="hit-snippet" dir="auto">
                {snippetParts(hit.snippet).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
              </span>
            </span>
          </button>
        )}
      />
    </>
  );
}

/** Opens message search; `roomId` offers "in this conversation" as the default scope. */
export function searchDialog(chat: Chat, roomId: string | null): void {
  openDialog('Search messages', (close) => <SearchPanel chat={chat} roomId={roomId} close={close} />, { className: 'search' });
}
