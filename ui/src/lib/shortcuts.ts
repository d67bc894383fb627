// The keyboard shortcuts, one place: what each key combination means, for App's handler and for
// "Atajos de teclado" (F1). None is a single character (WCAG 2.1.4): each needs Ctrl or Alt, or is
// a function key, so typing in a field or a screen reader's keys never trigger one. Ctrl is also
// read as ⌘ (macOS; unverified here).
import type { MessageKey } from './i18n/index.svelte';

export type Shortcut = 'back' | 'forward' | 'escape' | 'new' | 'search' | 'save' | 'help';

/** What `event` asks for, if it is a shortcut. */
export function shortcutOf(event: KeyboardEvent): Shortcut | null {
  const command = event.ctrlKey || event.metaKey;
  if (event.altKey && !command && !event.shiftKey) {
    if (event.key === 'ArrowLeft') return 'back';
    if (event.key === 'ArrowRight') return 'forward';
    return null;
  }
  if (command && !event.altKey && !event.shiftKey) {
    const key = event.key.toLowerCase();
    if (key === 'n') return 'new';
    if (key === 'f') return 'search';
    if (event.key === 'Enter') return 'save';
    return null;
  }
  if (event.altKey || command || event.shiftKey) return null;
  if (event.key === 'F1') return 'help';
  if (event.key === 'Escape') return 'escape';
  return null;
}

/** The mouse's side buttons (DOM buttons 3 and 4; wry sends them so on Linux and macOS). */
export function mouseShortcutOf(event: MouseEvent): Shortcut | null {
  if (event.button === 3) return 'back';
  if (event.button === 4) return 'forward';
  return null;
}

/** Listed in "Atajos de teclado", in this order: the keys as written, and what they do. */
export const shortcutList: { keys: string[]; does: MessageKey }[] = [
  { keys: ['Ctrl', 'N'], does: 'shortcuts.new' },
  { keys: ['Ctrl', 'F'], does: 'shortcuts.search' },
  { keys: ['Ctrl', 'Enter'], does: 'shortcuts.save' },
  { keys: ['Alt', '←'], does: 'shortcuts.back' },
  { keys: ['Alt', '→'], does: 'shortcuts.forward' },
  { keys: ['Esc'], does: 'shortcuts.escape' },
  { keys: ['Enter'], does: 'shortcuts.openRow' },
  { keys: ['F1'], does: 'shortcuts.help' },
];
