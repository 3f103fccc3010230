// Log in / create account.
import { describeError } from '../api.js';
import { h, replace } from '../dom.js';

function field(label, input) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label', text: label }), input);
}

/**
 * Renders the sign-in screen into `root`. `notice` (e.g. "Your session has ended") is shown above.
 * On success the Api emits `session`, which switches the app to the chat.
 */
export function renderAuth(root, api, notice) {
  let mode = 'login';
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const showError = (err) => {
    error.textContent = err ? describeError(err) : '';
    error.hidden = !err;
    for (const input of root.querySelectorAll('input')) input.removeAttribute('aria-invalid');
    for (const d of err?.details ?? []) root.querySelector(`input[name="${CSS.escape(String(d.field))}"]`)?.setAttribute('aria-invalid', 'true');
  };

  const loginForm = () => {
    const login = h('input', { name: 'login', autocomplete: 'username', required: true, autofocus: true });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', { class: 'form', 'aria-label': 'Log in', noValidate: true }, field('Username or email', login), field('Password', password), error, h('button', { type: 'submit', class: 'button primary wide', text: 'Log in' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await submit(form, () => api.login(login.value.trim(), password.value));
    });
    return form;
  };

  const registerForm = () => {
    const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true, maxLength: 32 });
    const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true });
    const displayName = h('input', { name: 'display_name', autocomplete: 'name', maxLength: 64 });
    const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true });
    const form = h(
      'form',
      { class: 'form', 'aria-label': 'Create account', noValidate: true },
      field('Username (3–32 letters, digits, . _ -)', username),
      field('Email', email),
      field('Display name (optional)', displayName),
      field('Password (at least 8 characters)', password),
      error,
      h('button', { type: 'submit', class: 'button primary wide', text: 'Create account' }),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { username: username.value.trim(), email: email.value.trim(), password: password.value };
      if (displayName.value.trim()) body.display_name = displayName.value.trim();
      await submit(form, () => api.register(body));
    });
    return form;
  };

  const submit = async (form, action) => {
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    showError(null);
    try {
      await action();
    } catch (err) {
      showError(err);
      button.disabled = false;
    }
  };

  const tab = (which, label) =>
    h('button', {
      type: 'button',
      role: 'tab',
      class: 'tab',
      'aria-selected': String(mode === which),
      text: label,
      onclick: () => {
        mode = which;
        showError(null);
        draw();
      },
    });

  const draw = () => {
    replace(
      root,
      h(
        'main',
        { class: 'auth' },
        h(
          'div',
          { class: 'auth-card' },
          h('h1', { class: 'brand', text: 'Chat' }),
          notice ? h('p', { class: 'notice', role: 'status', text: notice }) : null,
          h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Account' }, tab('login', 'Log in'), tab('register', 'Create account')),
          mode === 'login' ? loginForm() : registerForm(),
        ),
      ),
    );
    root.querySelector('[autofocus]')?.focus();
  };
  draw();
}

/** Shown when the server cannot be reached at start; `retry` tries again. */
export function renderUnreachable(root, message, retry) {
  replace(
    root,
    h(
      'main',
      { class: 'auth' },
      h('div', { class: 'auth-card' }, h('h1', { class: 'brand', text: 'Chat' }), h('p', { class: 'form-error', role: 'alert', text: message }), h('button', { type: 'button', class: 'button primary wide', text: 'Try again', onclick: retry })),
    ),
  );
}
