// Admin → Rooms: every room with its size and last activity, searchable by name, and deletion of
// any room (after a confirmation naming it and its size).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { type AdminApi, type AdminRoom, type Pager } from '../../state/admin';
import { confirmDialog } from '../Dialog';
import { ActionButton } from '../dialogs/common';
import { Icon } from '../icons';
import { formatDateTime, PagerFooter, useDebounced, useLatest, usePager } from './common';

const TYPES: Record<AdminRoom['type'], string> = { public: 'Public room', private: 'Private room', dm: 'Direct message' };

function RoomRow({ api, list, room }: { api: AdminApi; list: () => Pager<AdminRoom>; room: AdminRoom }): JSX.Element {
  const name = room.name ?? TYPES[room.type];
  return (
    <li class="admin-row" data-room-id={room.id}>
      <span class="avatar" aria-hidden="true">
        <Icon name={room.type === 'private' ? 'lock' : room.type === 'dm' ? 'users' : 'hash'} />
      </span>
      <span class="result-main">
        <strong dir="auto">{name}</strong>
        <span class="muted">
          {TYPES[room.type]} · {room.member_count} member{room.member_count === 1 ? '' : 's'} · {room.message_count} message{room.message_count === 1 ? '' : 's'}
        </span>
        <span class="muted small">
          Last activity {formatDateTime(room.last_activity_at)} · Created {formatDateTime(room.created_at)}
        </span>
      </span>
      <span class="admin-actions">
        <ActionButton
          className="button danger"
          label="Delete"
          ariaLabel={`Delete room ${name}`}
          action={async () => {
            if (!(await confirmDialog(`Delete ${name} with its ${room.message_count} message${room.message_count === 1 ? '' : 's'} for its ${room.member_count} member${room.member_count === 1 ? '' : 's'}? This cannot be undone.`, 'Delete room', true))) return;
            await api.deleteRoom(room.id);
            list().remove((r) => r.id === room.id);
          }}
        />
      </span>
    </li>
  );
}

/** The Rooms view. */
export function RoomsTab({ api }: { api: AdminApi }): JSX.Element {
  const [typed, setTyped] = useState('');
  const query = useDebounced(typed);
  const pager = usePager<AdminRoom>((cursor) => api.rooms(query, cursor), [api, query]);
  const list = useLatest(pager);
  const items = pager.items.value;
  return (
    <>
      <div class="admin-toolbar">
        <input type="search" aria-label="Search rooms" placeholder="Search rooms by name" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      </div>
      <ul class="admin-list" aria-label="Rooms" aria-busy={pager.loading.value ? 'true' : 'false'}>
        {items.map((r) => (
          <RoomRow key={r.id} api={api} list={list} room={r} />
        ))}
        {pager.loaded.value && !items.length ? <li class="muted empty">{query ? 'No room matches.' : 'No rooms yet.'}</li> : null}
      </ul>
      <PagerFooter pager={pager} label="rooms" />
    </>
  );
}
