// Rows that open what they list: a click anywhere on the row (but on a control inside it, or
// while selecting its text) and Enter on the focused row open the item, as the row's own link
// does for keyboards and screen readers. Used as `<tr use:opens={() => openReceivable(id)}>`;
// given null (a row about nothing that can be opened), the row stays an ordinary row.
import type { Action } from 'svelte/action';

/** What inside a row keeps its own click. */
const CONTROLS = 'a, button, input, select, textarea, summary, details, label';

export const opens: Action<HTMLElement, (() => void) | null> = (row, open) => {
  let current = open;
  const mark = () => {
    if (current) row.tabIndex = 0;
    else row.removeAttribute('tabindex');
    row.classList.toggle('opens', current !== null);
  };
  mark();
  const click = (event: MouseEvent) => {
    if (!current || event.button !== 0 || (event.target as Element | null)?.closest(CONTROLS)) return;
    if (window.getSelection()?.toString()) return;
    current();
  };
  const key = (event: KeyboardEvent) => {
    if (!current || event.key !== 'Enter' || event.target !== row) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    current();
  };
  row.addEventListener('click', click);
  row.addEventListener('keydown', key);
  return {
    update(next) {
      current = next;
      mark();
    },
    destroy() {
      row.removeEventListener('click', click);
      row.removeEventListener('keydown', key);
    },
  };
};

/** A link's click goes through the app's navigation, not the page's address. */
export function follow(event: MouseEvent, go: () => void): void {
  if (event.button !== 0) return;
  event.preventDefault();
  go();
}
