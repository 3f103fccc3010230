// One open conversation: header with presence, the message log (keyed rendering so scrolling,
// focus and inline edits survive updates; older pages load on scroll), typing line and composer.
import { describeError } from '../api.js';
import { formatBytes, formatTime, h, initials, replace } from '../dom.js';
import { displayName, roomTitle } from '../store.js';
import { confirmDialog, membersDialog, openDialog } from './dialogs.js';
import { showToast } from './toast.js';

const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'];
const NEAR_TOP_PX = 120;
const NEAR_BOTTOM_PX = 48;

/** Object URLs of fetched uploads, by URL (uploads need the bearer token, so <img src> cannot fetch them). */
const blobUrls = new Map();
function uploadUrl(api, url) {
  if (!blobUrls.has(url)) {
    const p = api.blob(url).then((b) => URL.createObjectURL(b));
    p.catch(() => blobUrls.delete(url));
    blobUrls.set(url, p);
  }
  return blobUrls.get(url);
}

export class ConversationView {
  constructor(container, store, roomId, onBack) {
    this.store = store;
    this.roomId = roomId;
    this.els = new Map();
    this.firstKey = null;
    this.replyTo = null;
    this.uploads = [];
    this.unsubscribe = [];

    this.title = h('h2', { class: 'conv-title' });
    this.subtitle = h('p', { class: 'conv-sub muted' });
    this.actions = h('div', { class: 'conv-actions' });
    this.memberStrip = h('ul', { class: 'member-strip', 'aria-label': 'Members' });
    this.olderButton = h('button', { type: 'button', class: 'button load-older', text: 'Load older messages', hidden: true, onclick: () => this.loadOlder() });
    this.list = h('ol', { class: 'message-list' });
    this.empty = h('p', { class: 'muted conv-empty', text: 'Loading messages…' });
    this.scroller = h(
      'div',
      { class: 'messages', role: 'log', 'aria-label': 'Messages (arrow keys move between messages, Escape returns to the composer)', tabindex: '0' },
      this.olderButton,
      this.empty,
      this.list,
    );
    this.typingLine = h('p', { class: 'typing muted', 'aria-live': 'polite' });
    this.composer = this.buildComposer();

    this.root = h(
      'div',
      { class: 'conversation', dataset: { roomId } },
      h(
        'header',
        { class: 'conv-header' },
        h('button', { type: 'button', class: 'icon-button back', 'aria-label': 'Back to conversations', text: '←', onclick: onBack }),
        h('div', { class: 'conv-heading' }, this.title, this.subtitle),
        this.actions,
      ),
      this.memberStrip,
      this.scroller,
      this.typingLine,
      this.composer,
    );
    replace(container, this.root);

    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.scroller.addEventListener('keydown', (e) => this.onLogKey(e));
    this.onVisibility = () => this.reportWatching();
    document.addEventListener('visibilitychange', this.onVisibility);
    window.addEventListener('focus', this.onVisibility);
    this.unsubscribe.push(
      store.on('conv', (id) => id === roomId && this.render()),
      store.on('rooms', () => this.renderHeader()),
      store.on('members', (id) => id === roomId && (this.renderHeader(), this.renderMembers())),
      store.on('presence', () => (this.renderHeader(), this.renderMembers())),
      store.on('typing', (id) => id === roomId && this.renderTyping()),
    );
    this.renderHeader();
    this.renderMembers();
    this.render();
    this.renderTyping();
    this.textarea.focus();
  }

  destroy() {
    this.unsubscribe.forEach((u) => u());
    document.removeEventListener('visibilitychange', this.onVisibility);
    window.removeEventListener('focus', this.onVisibility);
    this.store.stopTyping(this.roomId);
    this.store.setWatching(null, false);
    for (const u of this.uploads) if (u.preview) URL.revokeObjectURL(u.preview);
  }

  get room() {
    return this.store.rooms.get(this.roomId);
  }

  // ---- header and members -------------------------------------------------------------------
  renderHeader() {
    const room = this.room;
    this.title.textContent = room ? roomTitle(room) : 'Conversation';
    if (!room) {
      this.subtitle.textContent = '';
      replace(this.actions);
      return;
    }
    if (room.type === 'dm') {
      const peer = room.peer;
      const online = peer && this.store.isOnline(peer.id);
      replace(this.subtitle, h('span', { class: `dot ${online ? 'online' : 'offline'}`, 'aria-hidden': 'true' }), online ? ' Online' : peer?.last_seen_at ? ` Last seen ${formatTime(peer.last_seen_at)}` : ' Offline');
      this.subtitle.dataset.online = String(Boolean(online));
      replace(this.actions);
      return;
    }
    const members = this.store.members.get(this.roomId);
    const count = members?.size ?? room.member_count ?? 0;
    const online = members ? [...members.keys()].filter((id) => this.store.isOnline(id)).length : 0;
    this.subtitle.textContent = `${room.type === 'private' ? 'Private' : 'Public'} · ${count} member${count === 1 ? '' : 's'}${members ? ` · ${online} online` : ''}${room.description ? ` · ${room.description}` : ''}`;
    replace(
      this.actions,
      h('button', { type: 'button', class: 'button', text: room.my_role === 'owner' || room.my_role === 'admin' ? 'Members & add' : 'Members', onclick: () => membersDialog(this.store, this.roomId) }),
      h('button', {
        type: 'button',
        class: 'button',
        text: 'Leave',
        onclick: async () => {
          if (!(await confirmDialog(`Leave ${roomTitle(room)}?`, 'Leave room', true))) return;
          try {
            await this.store.leaveRoom(this.roomId);
          } catch (err) {
            this.store.fail(err, 'Could not leave the room');
          }
        },
      }),
    );
  }

  renderMembers() {
    const room = this.room;
    const members = [...(this.store.members.get(this.roomId)?.values() ?? [])];
    this.memberStrip.hidden = !room || room.type === 'dm' || members.length === 0;
    if (this.memberStrip.hidden) return;
    members.sort((a, b) => Number(this.store.isOnline(b.user.id)) - Number(this.store.isOnline(a.user.id)) || displayName(a.user).localeCompare(displayName(b.user)));
    replace(
      this.memberStrip,
      members.slice(0, 30).map((m) => {
        const online = this.store.isOnline(m.user.id);
        return h(
          'li',
          { class: 'member', dataset: { userId: m.user.id, online: String(online) }, title: `${displayName(m.user)} (${online ? 'online' : 'offline'})` },
          h('span', { class: `dot ${online ? 'online' : 'offline'}`, 'aria-hidden': 'true' }),
          h('span', { text: m.user.id === this.store.me?.id ? `${displayName(m.user)} (you)` : displayName(m.user) }),
          h('span', { class: 'visually-hidden', text: online ? ', online' : ', offline' }),
        );
      }),
    );
  }

  renderTyping() {
    const names = this.store.typingNames(this.roomId);
    this.typingLine.textContent =
      names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : 'Several people are typing…';
  }

  // ---- message log ----------------------------------------------------------------------------
  isAtBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  reportWatching() {
    this.store.setWatching(this.roomId, this.isAtBottom());
  }

  onScroll() {
    this.reportWatching();
    if (this.scroller.scrollTop < NEAR_TOP_PX) this.loadOlder();
  }

  /** Arrow keys, Home and End move between messages; Tab then reaches the focused one's actions. */
  onLogKey(e) {
    if (!['ArrowUp', 'ArrowDown', 'Home', 'End', 'Escape'].includes(e.key)) return;
    if (e.target.closest('textarea, input, .picker')) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      this.textarea.focus();
      return;
    }
    const items = [...this.list.children];
    if (items.length === 0) return;
    const current = e.target.closest('.message-list > li');
    let index = current ? items.indexOf(current) : items.length;
    if (e.key === 'ArrowUp') index = Math.max(0, index - 1);
    else if (e.key === 'ArrowDown') index = Math.min(items.length - 1, index + 1);
    else index = e.key === 'Home' ? 0 : items.length - 1;
    e.preventDefault();
    items[index].focus();
    items[index].scrollIntoView({ block: 'nearest' });
    if (index === 0) this.loadOlder();
  }

  async loadOlder() {
    const conv = this.store.convs.get(this.roomId);
    if (!conv?.hasMore || conv.loadingOlder) return;
    try {
      await this.store.loadOlder(this.roomId);
    } catch (err) {
      this.store.fail(err, 'Could not load older messages');
    }
  }

  render() {
    const store = this.store;
    const conv = store.conv(this.roomId);
    const wasAtBottom = this.isAtBottom() || !this.rendered;
    const prevHeight = this.scroller.scrollHeight;
    const prevTop = this.scroller.scrollTop;

    const messages = conv.list();
    const receiptSeq = this.receiptTarget(messages);
    const items = [
      ...messages.map((m) => ({ key: m.id, msg: m, receipt: m.seq === receiptSeq ? store.readersOf(this.roomId, m.seq) : null })),
      ...[...conv.pending.values()].map((p) => ({ key: `pending:${p.client_msg_id}`, pending: p })),
    ];
    const keep = new Set();
    let prev = null;
    for (const item of items) {
      keep.add(item.key);
      const sig = this.signature(item);
      let el = this.els.get(item.key);
      if (!el || (el.dataset.sig !== sig && !el.classList.contains('editing'))) {
        const fresh = this.renderItem(item);
        fresh.dataset.sig = sig;
        if (el) {
          const hadFocus = el.contains(document.activeElement);
          el.replaceWith(fresh);
          if (hadFocus) fresh.focus({ preventScroll: true });
        }
        el = fresh;
        this.els.set(item.key, el);
      }
      const want = prev ? prev.nextSibling : this.list.firstChild;
      if (want !== el) this.list.insertBefore(el, want);
      prev = el;
    }
    for (const [key, el] of this.els) {
      if (!keep.has(key)) {
        el.remove();
        this.els.delete(key);
      }
    }

    this.olderButton.hidden = !conv.hasMore;
    this.olderButton.disabled = conv.loadingOlder;
    this.olderButton.textContent = conv.loadingOlder ? 'Loading older messages…' : 'Load older messages';
    this.empty.hidden = items.length > 0 && conv.loaded;
    if (conv.error && !conv.loaded) this.renderLoadError(conv.error);
    else this.empty.textContent = conv.loaded ? 'No messages yet. Say hello!' : 'Loading messages…';

    const firstKey = items[0]?.key ?? null;
    const prepended = this.firstKey !== null && firstKey !== this.firstKey && this.els.has(this.firstKey);
    if (prepended && !wasAtBottom) this.scroller.scrollTop = prevTop + (this.scroller.scrollHeight - prevHeight);
    else if (wasAtBottom) this.scroller.scrollTop = this.scroller.scrollHeight;
    this.firstKey = firstKey;
    if (conv.loaded) this.rendered = true;
    this.reportWatching();
    // A short first page that does not fill the view: fetch more so scrolling up is possible.
    if (conv.loaded && conv.hasMore && !conv.loadingOlder && this.scroller.scrollHeight <= this.scroller.clientHeight + NEAR_TOP_PX) this.loadOlder();
  }

  /** Why the conversation could not be opened, with a way in when joining is allowed. */
  renderLoadError(err) {
    const join =
      err.code === 'NOT_A_MEMBER'
        ? h('button', {
            type: 'button',
            class: 'button primary',
            text: 'Join this room',
            onclick: async () => {
              try {
                await this.store.joinRoom(this.roomId);
                this.store.convs.delete(this.roomId);
                this.store.openRoom(this.roomId);
                this.render();
              } catch (joinErr) {
                this.store.fail(joinErr, 'Could not join');
              }
            },
          })
        : null;
    replace(this.empty, h('span', { text: `${describeError(err)} ` }), join);
  }

  /** The seq of my newest message, where "Seen by" is shown. */
  receiptTarget(messages) {
    for (let i = messages.length - 1; i >= 0; i--) if (messages[i].sender?.id === this.store.me?.id && !messages[i].deleted_at) return messages[i].seq;
    return null;
  }

  signature(item) {
    if (item.pending) return `p|${item.pending.status}|${item.pending.error ?? ''}`;
    const m = item.msg;
    return JSON.stringify([m.content, m.edited_at, m.deleted_at, m.reactions, m.attachments?.length, item.receipt]);
  }

  renderItem(item) {
    return item.pending ? this.renderPending(item.pending) : this.renderMessage(item.msg, item.receipt);
  }

  renderMessage(m, receipt) {
    const store = this.store;
    const mine = m.sender?.id === store.me?.id;
    const deleted = Boolean(m.deleted_at);
    const role = this.room?.my_role;
    const li = h('li', { class: `msg${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}`, tabindex: '-1', dataset: { id: m.id, seq: String(m.seq) } });
    li.append(
      h(
        'div',
        { class: 'msg-head' },
        h('span', { class: 'avatar small', 'aria-hidden': 'true', text: initials(displayName(m.sender)) }),
        h('span', { class: 'msg-author', text: mine ? 'You' : displayName(m.sender) }),
        h('time', { datetime: m.created_at, title: new Date(m.created_at).toLocaleString(), text: formatTime(m.created_at) }),
        m.edited_at && !deleted ? h('span', { class: 'muted edited', text: '(edited)' }) : null,
      ),
    );
    if (m.reply_to && !deleted) {
      const target = store.convs.get(this.roomId)?.messages.get(m.reply_to.id);
      li.append(
        h(
          'button',
          { type: 'button', class: 'msg-reply', 'aria-label': 'Go to the message this replies to', onclick: () => this.jumpTo(m.reply_to.id) },
          h('strong', { text: `↪ ${target ? displayName(target.sender) : store.userName(this.roomId, m.reply_to.sender_id)}: ` }),
          h('span', { text: m.reply_to.content_preview ?? 'deleted message' }),
        ),
      );
    }
    li.append(h('div', { class: 'msg-body', text: deleted ? 'This message was deleted.' : (m.content ?? '') }));
    if (!deleted && m.attachments?.length) li.append(this.renderAttachments(m.attachments));
    if (!deleted && m.reactions?.length) {
      li.append(
        h(
          'div',
          { class: 'msg-reactions' },
          m.reactions.map((r) =>
            h('button', {
              type: 'button',
              class: 'reaction',
              'aria-pressed': String(Boolean(r.me)),
              'aria-label': `${r.emoji} ${r.count}${r.me ? ', including you' : ''}`,
              text: `${r.emoji} ${r.count}`,
              onclick: () => this.react(m, r.emoji),
            }),
          ),
        ),
      );
    }
    if (receipt && receipt.length) {
      const names = receipt.map((id) => store.userName(this.roomId, id));
      const text = this.room?.type === 'dm' ? 'Seen' : names.length <= 3 ? `Seen by ${names.join(', ')}` : `Seen by ${names.length}`;
      li.append(h('p', { class: 'msg-status receipt muted', text }));
    }
    if (!deleted) {
      const tools = h('div', { class: 'msg-actions', role: 'toolbar', 'aria-label': 'Message actions' });
      tools.append(h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Reply', title: 'Reply', text: '↩', onclick: () => this.startReply(m) }));
      tools.append(h('button', { type: 'button', class: 'icon-button', 'aria-label': 'React', title: 'React', 'aria-expanded': 'false', text: '☺', onclick: (e) => this.togglePicker(li, m, e.currentTarget) }));
      if (mine) tools.append(h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Edit message', title: 'Edit', text: '✎', onclick: () => this.startEdit(li, m) }));
      if (mine || role === 'owner' || role === 'admin') tools.append(h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Delete message', title: 'Delete', text: '🗑', onclick: () => this.remove(m) }));
      li.append(tools);
    }
    return li;
  }

  renderPending(p) {
    const status =
      p.status === 'failed'
        ? h(
            'p',
            { class: 'msg-status failed', role: 'alert' },
            `Not sent: ${p.error ?? 'the server refused it'} `,
            h('button', { type: 'button', class: 'link', text: 'Retry', onclick: () => this.store.retryPending(this.roomId, p.client_msg_id) }),
            ' · ',
            h('button', { type: 'button', class: 'link', text: 'Discard', onclick: () => this.store.discardPending(this.roomId, p.client_msg_id) }),
          )
        : h('p', { class: 'msg-status muted', text: p.error ?? (p.status === 'sending' ? 'Sending…' : 'Waiting for the connection…') });
    return h(
      'li',
      { class: `msg mine pending${p.status === 'failed' ? ' failed' : ''}`, tabindex: '-1', dataset: { clientMsgId: p.client_msg_id } },
      h('div', { class: 'msg-head' }, h('span', { class: 'avatar small', 'aria-hidden': 'true', text: initials(displayName(this.store.me)) }), h('span', { class: 'msg-author', text: 'You' })),
      p.reply_to ? h('div', { class: 'msg-reply' }, h('span', { text: `↪ ${p.reply_to.content ?? ''}`.slice(0, 100) })) : null,
      h('div', { class: 'msg-body', text: p.content ?? '' }),
      p.attachments.length ? h('ul', { class: 'msg-attachments' }, p.attachments.map((a) => h('li', { class: 'file', text: `📎 ${a.name}` }))) : null,
      status,
    );
  }

  renderAttachments(attachments) {
    return h(
      'ul',
      { class: 'msg-attachments' },
      attachments.map((a) => {
        if (String(a.mime).startsWith('image/')) {
          const img = h('img', { alt: a.name, class: 'attachment-image', loading: 'lazy' });
          uploadUrl(this.store.api, a.url).then(
            (src) => {
              const keep = this.isAtBottom();
              img.src = src;
              img.addEventListener('load', () => keep && (this.scroller.scrollTop = this.scroller.scrollHeight), { once: true });
            },
            () => img.replaceWith(h('span', { class: 'muted', text: `Image unavailable: ${a.name}` })),
          );
          return h('li', {}, h('button', { type: 'button', class: 'image-button', 'aria-label': `Open image ${a.name}`, onclick: () => this.viewImage(a) }, img));
        }
        if (String(a.mime).startsWith('audio/')) {
          const audio = h('audio', { controls: true, preload: 'none', 'aria-label': a.name });
          uploadUrl(this.store.api, a.url).then((src) => (audio.src = src), () => undefined);
          return h('li', { class: 'audio' }, audio, h('span', { class: 'muted', text: ` ${a.name}` }));
        }
        return h('li', {}, h('button', { type: 'button', class: 'file', onclick: () => this.download(a), text: `📄 ${a.name} · ${formatBytes(a.size ?? 0)}` }));
      }),
    );
  }

  viewImage(a) {
    openDialog(a.name, () => {
      const img = h('img', { alt: a.name, class: 'image-full' });
      uploadUrl(this.store.api, a.url).then((src) => (img.src = src), (err) => img.replaceWith(h('p', { class: 'form-error', text: describeError(err) })));
      return img;
    });
  }

  async download(a) {
    try {
      const src = await uploadUrl(this.store.api, a.url);
      const link = h('a', { href: src, download: a.name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (err) {
      this.store.fail(err, `Could not download ${a.name}`);
    }
  }

  jumpTo(messageId) {
    const el = this.els.get(messageId);
    if (!el) return showToast('That message is further back in the history.', 'info');
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
    el.classList.add('flash');
    setTimeout(() => el.classList.remove('flash'), 1500);
  }

  // ---- message actions ------------------------------------------------------------------------
  async react(m, emoji) {
    try {
      await this.store.toggleReaction(this.store.convs.get(this.roomId)?.messages.get(m.id) ?? m, emoji);
    } catch (err) {
      this.store.fail(err, 'Could not react');
    }
  }

  togglePicker(li, m, button) {
    const open = li.querySelector('.picker');
    if (open) {
      open.remove();
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    const picker = h(
      'div',
      { class: 'picker', role: 'group', 'aria-label': 'Pick a reaction' },
      QUICK_REACTIONS.map((emoji) =>
        h('button', {
          type: 'button',
          class: 'icon-button',
          'aria-label': `React with ${emoji}`,
          text: emoji,
          onclick: () => {
            picker.remove();
            this.react(m, emoji);
          },
        }),
      ),
    );
    picker.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        picker.remove();
        button.focus();
      }
    });
    li.append(picker);
    button.setAttribute('aria-expanded', 'true');
    picker.querySelector('button').focus();
  }

  startEdit(li, m) {
    if (li.classList.contains('editing')) return;
    li.classList.add('editing');
    const body = li.querySelector('.msg-body');
    const input = h('textarea', { class: 'edit-input', 'aria-label': 'Edit message', rows: 2, value: m.content ?? '' });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const finish = () => {
      li.classList.remove('editing');
      li.dataset.sig = '';
      this.render();
    };
    const save = async () => {
      const content = input.value.trim();
      if (!content) return (error.textContent = 'A message cannot be empty; delete it instead.'), (error.hidden = false);
      if (content === m.content) return finish();
      try {
        await this.store.editMessage(m, content);
        finish();
        this.textarea.focus();
      } catch (err) {
        error.textContent = describeError(err);
        error.hidden = false;
      }
    };
    const form = h(
      'form',
      { class: 'edit-form' },
      input,
      error,
      h('div', { class: 'edit-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save' }), h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: finish }), h('span', { class: 'muted hint', text: 'Enter to save, Esc to cancel' })),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save();
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        save();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        finish();
        this.textarea.focus();
      }
    });
    body.replaceWith(form);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  async remove(m) {
    if (!(await confirmDialog('Delete this message for everyone?', 'Delete', true))) return;
    try {
      await this.store.deleteMessage(m);
    } catch (err) {
      this.store.fail(err, 'Could not delete the message');
    }
  }

  startReply(m) {
    this.replyTo = m;
    this.renderReply();
    this.textarea.focus();
  }

  // ---- composer -------------------------------------------------------------------------------
  buildComposer() {
    this.textarea = h('textarea', { class: 'composer-input', rows: 1, placeholder: 'Write a message…', 'aria-label': 'Message', maxLength: 4000 });
    this.fileInput = h('input', { type: 'file', multiple: true, hidden: true, 'aria-hidden': 'true', tabindex: '-1' });
    this.replyBox = h('div', { class: 'reply-preview', hidden: true });
    this.uploadList = h('ul', { class: 'upload-list', 'aria-label': 'Attachments to send' });
    this.sendButton = h('button', { type: 'submit', class: 'button primary send', text: 'Send' });
    const form = h(
      'form',
      { class: 'composer' },
      this.replyBox,
      this.uploadList,
      h(
        'div',
        { class: 'composer-row' },
        h('button', { type: 'button', class: 'icon-button attach', 'aria-label': 'Attach files', title: 'Attach files', text: '📎', onclick: () => this.fileInput.click() }),
        this.fileInput,
        this.textarea,
        this.sendButton,
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'Escape' && this.replyTo) {
        this.replyTo = null;
        this.renderReply();
      } else if (e.key === 'ArrowUp' && !this.textarea.value) {
        const conv = this.store.convs.get(this.roomId);
        const last = conv?.list().filter((m) => m.sender?.id === this.store.me?.id && !m.deleted_at).pop();
        const li = last && this.els.get(last.id);
        if (li) {
          e.preventDefault();
          this.startEdit(li, last);
        }
      }
    });
    this.textarea.addEventListener('input', () => {
      this.autosize();
      if (this.textarea.value.trim()) this.store.typingIn(this.roomId);
      else this.store.stopTyping(this.roomId);
    });
    this.textarea.addEventListener('blur', () => this.store.stopTyping(this.roomId));
    this.textarea.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        files.forEach((f) => this.addUpload(f));
      }
    });
    this.fileInput.addEventListener('change', () => {
      [...this.fileInput.files].forEach((f) => this.addUpload(f));
      this.fileInput.value = '';
    });
    return form;
  }

  autosize() {
    this.textarea.style.height = 'auto';
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight, 160)}px`;
  }

  renderReply() {
    const m = this.replyTo;
    this.replyBox.hidden = !m;
    if (!m) return replace(this.replyBox);
    replace(
      this.replyBox,
      h('span', {}, h('strong', { text: `Replying to ${m.sender?.id === this.store.me?.id ? 'yourself' : displayName(m.sender)}: ` }), h('span', { text: (m.content ?? '').slice(0, 100) })),
      h('button', {
        type: 'button',
        class: 'icon-button',
        'aria-label': 'Cancel reply',
        text: '×',
        onclick: () => {
          this.replyTo = null;
          this.renderReply();
          this.textarea.focus();
        },
      }),
    );
  }

  addUpload(file) {
    const entry = { file, status: 'uploading', result: null, error: null, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null };
    this.uploads.push(entry);
    this.renderUploads();
    this.store.upload(file).then(
      (result) => {
        entry.status = 'done';
        entry.result = result;
        this.renderUploads();
      },
      (err) => {
        entry.status = 'failed';
        entry.error = describeError(err);
        this.renderUploads();
      },
    );
  }

  renderUploads() {
    replace(
      this.uploadList,
      this.uploads.map((u) =>
        h(
          'li',
          { class: `upload ${u.status}` },
          u.preview ? h('img', { src: u.preview, alt: '', class: 'upload-thumb' }) : h('span', { class: 'upload-icon', 'aria-hidden': 'true', text: '📄' }),
          h('span', { class: 'upload-name', text: `${u.file.name} · ${formatBytes(u.file.size)}` }),
          h('span', { class: u.status === 'failed' ? 'form-error' : 'muted', role: u.status === 'failed' ? 'alert' : null, text: u.status === 'uploading' ? 'Uploading…' : u.status === 'failed' ? u.error : 'Ready' }),
          h('button', {
            type: 'button',
            class: 'icon-button',
            'aria-label': `Remove ${u.file.name}`,
            text: '×',
            onclick: () => {
              this.uploads = this.uploads.filter((x) => x !== u);
              if (u.preview) URL.revokeObjectURL(u.preview);
              this.renderUploads();
            },
          }),
        ),
      ),
    );
    this.sendButton.disabled = this.uploads.some((u) => u.status === 'uploading');
  }

  submit() {
    const content = this.textarea.value.trim();
    if (this.uploads.some((u) => u.status === 'uploading')) return showToast('Wait until the attachments finish uploading.', 'info');
    const attachments = this.uploads.filter((u) => u.status === 'done').map((u) => u.result);
    if (!content && attachments.length === 0) return;
    if (content.length > 4000) return showToast('A message can be at most 4000 characters.', 'error');
    this.store.send(this.roomId, { content, replyTo: this.replyTo, attachments });
    this.textarea.value = '';
    this.autosize();
    this.replyTo = null;
    this.renderReply();
    for (const u of this.uploads) if (u.preview) URL.revokeObjectURL(u.preview);
    this.uploads = [];
    this.renderUploads();
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
