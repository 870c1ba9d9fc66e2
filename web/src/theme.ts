/** Dark mode: the system's preference unless the user picked one with the toggle (kept in localStorage). */
const THEME_STORAGE = 'tracer.theme';
type Theme = 'light' | 'dark' | 'system';
const ORDER: Theme[] = ['system', 'light', 'dark'];

function stored(): Theme {
  const t = localStorage.getItem(THEME_STORAGE);
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** Sets data-theme on <html> (the stylesheet reads it; `system` leaves it to prefers-color-scheme). */
export function applyTheme(t: Theme = stored()): void {
  if (t === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}

/** A button cycling system → light → dark, labelled with the current choice. */
export function themeToggle(): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = 'link theme-toggle';
  const label = () => {
    b.textContent = `Theme: ${stored()}`;
    b.title = 'switch between the system preference, light and dark';
  };
  b.addEventListener('click', () => {
    const next = ORDER[(ORDER.indexOf(stored()) + 1) % ORDER.length];
    if (next === 'system') localStorage.removeItem(THEME_STORAGE);
    else localStorage.setItem(THEME_STORAGE, next);
    applyTheme(next);
    label();
  });
  label();
  return b;
}
