// Modal dialogs on the native <dialog> element (focus trap and Escape for free).
import { describeError } from '../api.js';
import { debounce, formatTime, h, initials, replace } from '../dom.js';
import { displayName, roomTitle } from '../store.js';
import { setTheme, themeChoice } from '../theme.js';

/**
 * Opens a modal titled `title`; `build(close)` returns its content. Removed from the page when closed.
 * @returns {{dialog: HTMLDialogElement, close: () => void}}
 */
export function openDialog(title, build, { className = '' } = {}) {
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const dialog = h('dialog', { class: `dialog ${className}`, 'aria-labelledby': titleId });
  const close = () => dialog.close();
  dialog.append(
    h('header', { class: 'dialog-header' }, h('h2', { id: titleId, text: title }), h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', text: '×', onclick: close })),
    h('div', { class: 'dialog-body' }, build(close)),
  );
  dialog.addEventListener('close', () => dialog.remove());
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) close();
  });
  document.body.append(dialog);
  dialog.showModal();
  const first = dialog.querySelector('[autofocus], .dialog-body input, .dialog-body textarea, .dialog-body select, .dialog-body button');
  first?.focus();
  return { dialog, close };
}

/** Asks a yes/no question. @returns Promise<boolean> */
export function confirmDialog(question, confirmLabel = 'OK', danger = false) {
  return new Promise((resolve) => {
    let answer = false;
    const { dialog } = openDialog('Please confirm', (close) => [
      h('p', { text: question }),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: close }),
        h('button', { type: 'button', class: `button ${danger ? 'danger' : 'primary'}`, text: confirmLabel, autofocus: true, onclick: () => ((answer = true), close()) }),
      ),
    ]);
    dialog.addEventListener('close', () => resolve(answer));
  });
}

/** A form error line (role=alert) whose text is set with `show(err|string|null)`. */
function errorLine() {
  const el = h('p', { class: 'form-error', role: 'alert', hidden: true });
  el.show = (err) => {
    el.textContent = err ? (typeof err === 'string' ? err : describeError(err)) : '';
    el.hidden = !err;
  };
  return el;
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label', text: label }), input);
}

function avatar(user, online) {
  return h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(displayName(user)), online === undefined ? null : h('span', { class: `dot ${online ? 'online' : 'offline'}` }));
}

/** Search as you type over `search(q)`; `row(item)` renders one result. */
function searchList(placeholder, label, search, row, emptyText) {
  const input = h('input', { type: 'search', placeholder, 'aria-label': label, autocomplete: 'off' });
  const list = h('ul', { class: 'result-list', 'aria-live': 'polite' });
  const error = errorLine();
  let seq = 0;
  const run = async () => {
    const mine = ++seq;
    try {
      const page = await search(input.value.trim());
      if (mine !== seq) return;
      error.show(null);
      const items = page?.items ?? page ?? [];
      replace(list, items.length ? items.map((item) => h('li', {}, row(item))) : h('li', { class: 'muted', text: emptyText }));
    } catch (err) {
      if (mine === seq) error.show(err);
    }
  };
  input.addEventListener('input', debounce(run, 250));
  return { input, list, error, run };
}

/** Public rooms with Join / Open. */
export function browseRoomsDialog(store, openRoom) {
  openDialog('Browse public rooms', (close) => {
    const s = searchList(
      'Search rooms',
      'Search public rooms',
      (q) => store.browseRooms(q),
      (room) => {
        const member = store.rooms.has(room.id) || room.my_role;
        const status = errorLine();
        return h(
          'div',
          { class: 'result' },
          h('span', { class: 'avatar', 'aria-hidden': 'true', text: '#' }),
          h('span', { class: 'result-main' }, h('strong', { text: room.name }), h('span', { class: 'muted', text: `${room.member_count} member${room.member_count === 1 ? '' : 's'}${room.description ? ` · ${room.description}` : ''}` }), status),
          h('button', {
            type: 'button',
            class: 'button primary',
            text: member ? 'Open' : 'Join',
            'aria-label': `${member ? 'Open' : 'Join'} ${room.name}`,
            onclick: async (e) => {
              const btn = e.currentTarget;
              btn.disabled = true;
              try {
                if (!member) await store.joinRoom(room.id);
                close();
                openRoom(room.id);
              } catch (err) {
                status.show(err);
                btn.disabled = false;
              }
            },
          }),
        );
      },
      'No public rooms match.',
    );
    s.run();
    return [s.input, s.error, s.list];
  });
}

/** Name, description, public/private. */
export function createRoomDialog(store, openRoom) {
  openDialog('Create a room', (close) => {
    const name = h('input', { name: 'name', required: true, maxLength: 80, autocomplete: 'off' });
    const description = h('textarea', { name: 'description', rows: 2, maxLength: 500 });
    const error = errorLine();
    const radio = (value, label, hint, checked) =>
      h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'type', value, checked }), h('span', {}, h('strong', { text: label }), h('span', { class: 'muted', text: ` ${hint}` })));
    const form = h(
      'form',
      { class: 'form' },
      field('Room name', name),
      field('Description (optional)', description),
      h('fieldset', { class: 'fieldset' }, h('legend', { text: 'Who can join' }), radio('public', 'Public', 'anyone can find and join it', true), radio('private', 'Private', 'only people you add')),
      error,
      h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'button', text: 'Cancel', onclick: close }), h('button', { type: 'submit', class: 'button primary', text: 'Create room' })),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const submit = form.querySelector('[type=submit]');
      submit.disabled = true;
      try {
        const body = { name: name.value, type: form.elements.type.value };
        if (description.value.trim()) body.description = description.value;
        const room = await store.createRoom(body);
        close();
        openRoom(room.id);
      } catch (err) {
        error.show(err);
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  });
}

/** Finds a person and opens (or creates) the DM with them. */
export function newDmDialog(store, openRoom) {
  openDialog('New direct message', (close) => {
    const s = searchList(
      'Search people by name',
      'Search people',
      (q) => (q ? store.searchUsers(q) : Promise.resolve({ items: [] })),
      (user) => {
        const status = errorLine();
        return h(
          'div',
          { class: 'result' },
          avatar(user, user.online),
          h('span', { class: 'result-main' }, h('strong', { text: displayName(user) }), h('span', { class: 'muted', text: `@${user.username}` }), status),
          user.id === store.me?.id
            ? h('span', { class: 'muted', text: 'you' })
            : h('button', {
                type: 'button',
                class: 'button primary',
                text: 'Message',
                'aria-label': `Message ${displayName(user)}`,
                onclick: async (e) => {
                  const btn = e.currentTarget;
              btn.disabled = true;
                  try {
                    const room = await store.startDm(user.id);
                    close();
                    openRoom(room.id);
                  } catch (err) {
                    status.show(err);
                    btn.disabled = false;
                  }
                },
              }),
        );
      },
      'Type a name to find people.',
    );
    s.run();
    return [s.input, s.error, s.list];
  });
}

/** Members with presence; owners and admins can add people. */
export function membersDialog(store, roomId) {
  const room = store.rooms.get(roomId);
  openDialog(`Members of ${roomTitle(room)}`, () => {
    const list = h('ul', { class: 'result-list' });
    const render = () => {
      const members = [...(store.members.get(roomId)?.values() ?? [])];
      replace(
        list,
        members.map((m) =>
          h(
            'li',
            { class: 'result', dataset: { userId: m.user.id } },
            avatar(m.user, store.isOnline(m.user.id)),
            h('span', { class: 'result-main' }, h('strong', { text: displayName(m.user) }), h('span', { class: 'muted', text: `@${m.user.username} · ${m.role}${store.isOnline(m.user.id) ? ' · online' : ''}` })),
          ),
        ),
      );
    };
    render();
    store.loadMembers(roomId).then(render, () => undefined);
    const parts = [list];
    const canAdd = room && room.type !== 'dm' && (room.my_role === 'owner' || room.my_role === 'admin');
    if (canAdd) {
      const s = searchList(
        'Add people by name',
        'Search people to add',
        (q) => (q ? store.searchUsers(q) : Promise.resolve({ items: [] })),
        (user) => {
          const status = errorLine();
          const already = store.members.get(roomId)?.has(user.id);
          return h(
            'div',
            { class: 'result' },
            avatar(user, user.online),
            h('span', { class: 'result-main' }, h('strong', { text: displayName(user) }), h('span', { class: 'muted', text: `@${user.username}` }), status),
            h('button', {
              type: 'button',
              class: 'button primary',
              text: already ? 'Member' : 'Add',
              disabled: already,
              'aria-label': `Add ${displayName(user)}`,
              onclick: async (e) => {
                const btn = e.currentTarget;
              btn.disabled = true;
                try {
                  await store.addMembers(roomId, [user.id]);
                  btn.textContent = 'Added';
                  btn.setAttribute('aria-label', `${displayName(user)} added`);
                  render();
                } catch (err) {
                  status.show(err);
                  btn.disabled = false;
                }
              },
            }),
          );
        },
        'Type a name to find people.',
      );
      parts.push(h('h3', { text: 'Add people' }), s.input, s.error, s.list);
    }
    return parts;
  });
}

/** Profile, theme, password, sessions and logout. */
export function settingsDialog(store) {
  openDialog(
    'Settings',
    (close) => {
      const me = store.me ?? {};
      // Profile
      const displayNameInput = h('input', { name: 'display_name', value: me.display_name ?? '', maxLength: 64, autocomplete: 'name' });
      const statusInput = h('input', { name: 'status', value: me.status ?? '', maxLength: 140, placeholder: 'What are you up to?' });
      const profileError = errorLine();
      const profileOk = h('p', { class: 'form-ok', role: 'status' });
      const profile = h(
        'form',
        { class: 'form' },
        h('h3', { text: 'Profile' }),
        field('Display name', displayNameInput),
        field('Status', statusInput),
        profileError,
        profileOk,
        h('div', { class: 'dialog-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Save profile' })),
      );
      profile.addEventListener('submit', async (e) => {
        e.preventDefault();
        profileOk.textContent = '';
        try {
          await store.updateProfile({ display_name: displayNameInput.value, status: statusInput.value });
          profileError.show(null);
          profileOk.textContent = 'Profile saved.';
        } catch (err) {
          profileError.show(err);
        }
      });

      // Appearance
      const theme = h(
        'select',
        { name: 'theme', onchange: (e) => setTheme(e.target.value) },
        ['system', 'light', 'dark'].map((v) => h('option', { value: v, text: v === 'system' ? 'Same as the system' : v === 'light' ? 'Light' : 'Dark', selected: themeChoice() === v })),
      );
      const appearance = h('div', { class: 'form' }, h('h3', { text: 'Appearance' }), field('Theme', theme));

      // Password
      const current = h('input', { type: 'password', name: 'current_password', autocomplete: 'current-password', required: true });
      const next = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', required: true });
      const pwError = errorLine();
      const pwOk = h('p', { class: 'form-ok', role: 'status' });
      const password = h(
        'form',
        { class: 'form' },
        h('h3', { text: 'Password' }),
        field('Current password', current),
        field('New password (at least 8 characters)', next),
        pwError,
        pwOk,
        h('div', { class: 'dialog-actions' }, h('button', { type: 'submit', class: 'button primary', text: 'Change password' })),
      );
      password.addEventListener('submit', async (e) => {
        e.preventDefault();
        pwOk.textContent = '';
        try {
          const res = await store.api.request('PATCH', '/auth/password', { body: { current_password: current.value, new_password: next.value } });
          if (res?.access_token && res?.refresh_token) store.api.adopt(res);
          pwError.show(null);
          current.value = next.value = '';
          pwOk.textContent = 'Password changed. Your other sessions were logged out.';
          loadSessions();
        } catch (err) {
          pwError.show(err);
        }
      });

      // Sessions
      const sessionsList = h('ul', { class: 'result-list' });
      const sessionsError = errorLine();
      const loadSessions = async () => {
        try {
          const res = await store.api.request('GET', '/auth/sessions');
          const items = Array.isArray(res) ? res : (res?.items ?? []);
          sessionsError.show(null);
          replace(
            sessionsList,
            items.map((s) => {
              const current = Boolean(s.current ?? s.is_current);
              return h(
                'li',
                { class: 'result' },
                h(
                  'span',
                  { class: 'result-main' },
                  h('strong', { text: `${s.device || describeAgent(s.user_agent)}${current ? ' (this device)' : ''}` }),
                  h('span', { class: 'muted', text: [s.ip, s.last_used_at ? `active ${formatTime(s.last_used_at)}` : s.created_at ? `since ${formatTime(s.created_at)}` : null].filter(Boolean).join(' · ') }),
                ),
                h('button', {
                  type: 'button',
                  class: 'button danger',
                  text: current ? 'Log out' : 'Revoke',
                  onclick: async () => {
                    try {
                      if (current) return void (await store.api.logout());
                      await store.api.request('DELETE', `/auth/sessions/${s.id}`);
                      loadSessions();
                    } catch (err) {
                      sessionsError.show(err);
                    }
                  },
                }),
              );
            }),
          );
        } catch (err) {
          sessionsError.show(err);
        }
      };
      loadSessions();
      const sessions = h('div', { class: 'form' }, h('h3', { text: 'Sessions' }), sessionsError, sessionsList);

      const logout = h('div', { class: 'dialog-actions' }, h('button', { type: 'button', class: 'button danger', text: 'Log out', onclick: () => (close(), store.api.logout()) }));
      return [profile, appearance, password, sessions, logout];
    },
    { className: 'settings' },
  );
}

/** "Chrome on Linux" from a user agent string. */
function describeAgent(ua) {
  if (!ua) return 'Unknown device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : /node|undici|curl/i.test(ua) ? 'Script' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}
