// Light/dark theme: "system" follows prefers-color-scheme; the choice is kept in localStorage.
const KEY = 'chat.theme';
export type ThemeChoice = 'system' | 'light' | 'dark';

export function themeChoice(): ThemeChoice {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

function apply(): void {
  const choice = themeChoice();
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function setTheme(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  apply();
}

/** Flips between light and dark (leaving "system"). */
export function toggleTheme(): void {
  setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
}

export function initTheme(): void {
  apply();
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', apply);
  window.addEventListener('storage', (e) => e.key === KEY && apply());
}
