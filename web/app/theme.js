// Light/dark theme: "system" follows prefers-color-scheme; the choice is kept in localStorage.

const KEY = 'chat.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

/** "system", "light" or "dark". */
export function themeChoice() {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

function apply() {
  const choice = themeChoice();
  const dark = choice === 'dark' || (choice === 'system' && media.matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function setTheme(choice) {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  apply();
}

/** Flips between light and dark (leaving "system"). */
export function toggleTheme() {
  setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
}

export function initTheme() {
  apply();
  media.addEventListener('change', apply);
  window.addEventListener('storage', (e) => e.key === KEY && apply());
}
