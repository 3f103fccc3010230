// Short notices in a live region; errors stay until dismissed or 8 s pass.
import { h } from '../dom.js';

/** Shows `text`; `kind` is "error", "info" or "success". */
export function showToast(text, kind = 'error') {
  const region = document.getElementById('toasts');
  if (!region) return;
  const toast = h(
    'div',
    { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', { class: 'toast-text', text }),
    h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Dismiss', text: '×', onclick: () => toast.remove() }),
  );
  region.append(toast);
  while (region.children.length > 4) region.firstElementChild.remove();
  setTimeout(() => toast.remove(), kind === 'error' ? 8000 : 4000);
}
