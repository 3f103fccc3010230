// Entry point: restores the session from the stored refresh token, then shows the chat or the
// sign-in screen, switching whenever the session starts or ends.
import { Api, describeError } from './api.js';
import { Realtime } from './socket.js';
import { Store } from './store.js';
import { initTheme } from './theme.js';
import { renderAuth, renderUnreachable } from './views/auth.js';
import { ChatShell } from './views/shell.js';
import { showToast } from './views/toast.js';

initTheme();
const root = document.getElementById('app');
const api = new Api();
const realtime = new Realtime(api);
const store = new Store(api, realtime);
let shell = null;

store.on('toast', ({ text, kind }) => showToast(text, kind));

api.on('session', (user) => {
  if (user && !shell) {
    shell = new ChatShell(root, store);
    store.start(user);
  } else if (!user) {
    if (shell) {
      shell.destroy();
      shell = null;
      store.stop();
    }
    renderAuth(root, api, api.sessionEndReason);
  }
});

async function boot() {
  try {
    const user = await api.restore();
    if (!user && !shell) renderAuth(root, api, api.sessionEndReason);
  } catch (err) {
    renderUnreachable(root, describeError(err), boot);
  }
}

boot();
