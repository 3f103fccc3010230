// The signed-in layout: the conversation list on the left, the open conversation on the right (one
// at a time below 720 px), the connection banner, and the #/room/<id> address of the open room.
import { formatTime, h, initials, replace } from '../dom.js';
import { displayName, roomTitle } from '../store.js';
import { toggleTheme } from '../theme.js';
import { ConversationView } from './conversation.js';
import { browseRoomsDialog, createRoomDialog, newDmDialog, settingsDialog } from './dialogs.js';

const BANNER = {
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'You are offline. Messages you write will be sent when the connection is back.',
};

/** Builds the signed-in screen into `root` and keeps it in step with the store. */
export class ChatShell {
  constructor(root, store) {
    this.root = root;
    this.store = store;
    this.view = null;
    this.unsubscribe = [];

    this.meBox = h('div', { class: 'me' });
    this.roomList = h('ul', { class: 'room-list', 'aria-label': 'Rooms' });
    this.dmList = h('ul', { class: 'room-list', 'aria-label': 'Direct messages' });
    this.main = h('section', { class: 'main', 'aria-label': 'Conversation' });
    const action = (label, onclick, key) => h('button', { type: 'button', class: 'button side-action', text: label, onclick, 'aria-keyshortcuts': key });
    this.sidebar = h(
      'aside',
      { class: 'sidebar', 'aria-label': 'Conversations' },
      h(
        'header',
        { class: 'sidebar-header' },
        this.meBox,
        h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Switch light or dark theme', title: 'Theme', text: '◐', onclick: toggleTheme }),
        h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Settings', title: 'Settings', text: '⚙', onclick: () => settingsDialog(store) }),
      ),
      h(
        'div',
        { class: 'side-actions' },
        action('New room', () => createRoomDialog(store, (id) => this.go(id))),
        action('Browse rooms', () => browseRoomsDialog(store, (id) => this.go(id))),
        action('New message', () => newDmDialog(store, (id) => this.go(id))),
      ),
      h('nav', { class: 'room-nav', 'aria-label': 'Your conversations' }, h('h2', { class: 'list-title', text: 'Rooms' }), this.roomList, h('h2', { class: 'list-title', text: 'Direct messages' }), this.dmList),
    );
    this.shell = h('div', { class: 'shell', dataset: { pane: 'list' } }, this.sidebar, this.main);
    replace(root, this.shell);
    this.banner = document.getElementById('banner');

    this.unsubscribe.push(
      store.on('rooms', () => this.renderRooms()),
      store.on('presence', () => this.renderRooms()),
      store.on('me', () => this.renderMe()),
      store.on('current', (id) => this.showRoom(id)),
      store.on('connection', (s) => this.renderBanner(s)),
    );
    this.onHash = () => this.fromHash();
    window.addEventListener('hashchange', this.onHash);
    this.renderMe();
    this.renderRooms();
    this.showRoom(null);
    this.fromHash();
  }

  destroy() {
    this.unsubscribe.forEach((u) => u());
    window.removeEventListener('hashchange', this.onHash);
    this.view?.destroy();
    clearTimeout(this.bannerTimer);
    this.banner.hidden = true;
    if (location.hash) history.replaceState(null, '', location.pathname);
  }

  /** Opens a room through the address bar, so Back and reload work. */
  go(roomId) {
    const hash = roomId ? `#/room/${roomId}` : '';
    if (location.hash !== hash) location.hash = hash;
    else this.fromHash();
  }

  fromHash() {
    const match = /^#\/room\/([0-9a-fA-F-]{36})$/.exec(location.hash);
    const id = match ? match[1].toLowerCase() : null;
    if (id !== this.store.currentRoomId) this.store.openRoom(id);
  }

  renderMe() {
    const me = this.store.me;
    if (!me) return;
    replace(
      this.meBox,
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(displayName(me)), h('span', { class: `dot ${this.store.rt.isOnline ? 'online' : 'offline'}` })),
      h('span', { class: 'me-text' }, h('strong', { class: 'me-name', text: displayName(me) }), h('span', { class: 'muted me-status', text: me.status || `@${me.username}` })),
    );
  }

  renderBanner({ state, detail }) {
    const text = state === 'blocked' ? detail : BANNER[state];
    // "connecting" on first load is only worth showing if it takes a while (timer not restarted by retries).
    if (state === 'connecting' && text) {
      this.bannerTimer ??= setTimeout(() => this.renderBannerNow(state, text), 1500);
    } else {
      clearTimeout(this.bannerTimer);
      this.bannerTimer = null;
      if (text) this.renderBannerNow(state, text);
      else {
        this.banner.hidden = true;
        this.banner.dataset.state = state;
      }
    }
    this.renderMe();
  }

  renderBannerNow(state, text) {
    this.banner.textContent = text;
    this.banner.dataset.state = state;
    this.banner.hidden = false;
  }

  renderRooms() {
    const rooms = this.store.sortedRooms();
    const item = (room) => {
      const current = room.id === this.store.currentRoomId;
      const last = room.last_message;
      let preview = '';
      if (last) {
        const who = last.sender?.id === this.store.me?.id ? 'You' : displayName(last.sender);
        const body = last.deleted_at ? 'Message deleted' : last.content || (last.attachments?.length ? '📎 Attachment' : '');
        preview = room.type === 'dm' && who !== 'You' ? body : `${who}: ${body}`;
      }
      const unread = room.unread_count ?? 0;
      const peerOnline = room.type === 'dm' && room.peer ? this.store.isOnline(room.peer.id) : undefined;
      return h(
        'li',
        {},
        h(
          'a',
          {
            href: `#/room/${room.id}`,
            class: `room-item${unread ? ' has-unread' : ''}`,
            'aria-current': current ? 'page' : null,
            dataset: { roomId: room.id },
            'aria-label': `${roomTitle(room)}${unread ? `, ${unread} unread` : ''}${peerOnline ? ', online' : ''}`,
          },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, room.type === 'dm' ? initials(roomTitle(room)) : room.type === 'private' ? '🔒' : '#', peerOnline === undefined ? null : h('span', { class: `dot ${peerOnline ? 'online' : 'offline'}` })),
          h('span', { class: 'room-main' }, h('span', { class: 'room-name', text: roomTitle(room) }), h('span', { class: 'room-last', text: preview })),
          h('span', { class: 'room-meta' }, last ? h('time', { text: formatTime(last.created_at) }) : null, unread ? h('span', { class: 'badge', 'aria-hidden': 'true', text: unread > 99 ? '99+' : String(unread) }) : null),
        ),
      );
    };
    const groups = rooms.filter((r) => r.type !== 'dm');
    const dms = rooms.filter((r) => r.type === 'dm');
    replace(this.roomList, groups.length ? groups.map(item) : h('li', { class: 'muted empty', text: 'No rooms yet. Create one or browse public rooms.' }));
    replace(this.dmList, dms.length ? dms.map(item) : h('li', { class: 'muted empty', text: 'No direct messages yet.' }));
    const unreadTotal = rooms.reduce((n, r) => n + (r.unread_count ?? 0), 0);
    document.title = unreadTotal ? `(${unreadTotal}) Chat` : 'Chat';
  }

  showRoom(roomId) {
    if (this.view?.roomId === roomId && roomId) return;
    this.view?.destroy();
    this.view = null;
    this.shell.dataset.pane = roomId ? 'room' : 'list';
    this.renderRooms();
    if (!roomId) {
      replace(this.main, h('div', { class: 'empty-state' }, h('h2', { text: 'Pick a conversation' }), h('p', { class: 'muted', text: 'Choose a room or a person on the left, or start something new.' })));
      return;
    }
    this.view = new ConversationView(this.main, this.store, roomId, () => this.go(null));
  }
}
