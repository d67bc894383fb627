// Where the owner is — a screen of the main menu and the view inside it (its list, a
// receivable's detail, a customer, a form) — and a small history of where they were, so the
// menu always opens a screen's list, and back and forward (the mouse's side buttons, Alt+←/→,
// Escape) work as in any desktop app. Screens link to each other through it without knowing
// each other. It never reads or writes data: it says what to show.
//
// A form with something typed guards the way out: leaving it by back, the menu or Escape asks
// first (`guardWhileMounted`); the dialog that asks is App's. Saving leaves without asking.
import { onMount } from 'svelte';

export type Screen = 'today' | 'pending' | 'customers' | 'outbox' | 'integrations' | 'settings';

export type View =
  | { kind: 'list' }
  | { kind: 'receivable'; id: number }
  | { kind: 'new-receivable'; customer: { id: number; name: string } | null }
  | { kind: 'customer'; id: number }
  | { kind: 'new-customer' }
  | { kind: 'import' }
  | { kind: 'bulk-statements' };

export interface Place {
  screen: Screen;
  view: View;
}

/** Enough places to go back through a morning's work; older ones are forgotten. */
const KEEP = 50;
const LIST: View = { kind: 'list' };

const history = $state<{ places: Place[]; index: number; arrivals: number; asking: (() => void) | null }>({
  places: [{ screen: 'pending', view: LIST }],
  index: 0,
  arrivals: 0,
  asking: null,
});

export const navigation = {
  get here(): Place {
    // The history is never empty and its index always within it.
    return history.places[history.index] ?? history.places[0]!;
  },
  get screen(): Screen {
    return this.here.screen;
  },
  get view(): View {
    return this.here.view;
  },
  get canGoBack(): boolean {
    return history.index > 0;
  },
  get canGoForward(): boolean {
    return history.index < history.places.length - 1;
  },
  /** Counts every arrival (a new place, or the same list asked for again): focus follows it. */
  get arrivals(): number {
    return history.arrivals;
  },
  /** A move waiting for the owner to confirm discarding what a form holds. */
  get asking(): boolean {
    return history.asking !== null;
  },
};

const same = (a: Place, b: Place) => a.screen === b.screen && JSON.stringify(a.view) === JSON.stringify(b.view);

/** What forms on screen say about what they hold; any true means leaving loses typing. (Asked
 * only when leaving: nothing on screen follows it, so it is a plain list.) */
const guards: (() => boolean)[] = [];

/** Leaving asks first while `holdsTyping` says so; the function returned stops that. */
export function guard(holdsTyping: () => boolean): () => void {
  guards.push(holdsTyping);
  return () => {
    const at = guards.indexOf(holdsTyping);
    if (at >= 0) guards.splice(at, 1);
  };
}

/** A form's "something typed here" while it is mounted (call it while the form initialises). */
export function guardWhileMounted(holdsTyping: () => boolean): void {
  onMount(() => guard(holdsTyping));
}

/** Runs `move` now, or once the owner agrees to discard what a form holds. */
export function unlessTyping(move: () => void): void {
  if (guards.some((holds) => holds())) history.asking = move;
  else move();
}

/** The owner agreed: what the forms held is dropped and the move goes ahead. */
export function discardAndGo(): void {
  const move = history.asking;
  history.asking = null;
  move?.();
}

/** The owner keeps editing: nothing moves. */
export function keepEditing(): void {
  history.asking = null;
}

function arrive(): void {
  history.arrivals += 1;
}

/** Goes to `place` (after asking, if a form holds typing), as a new step in the history. */
export function go(place: Place): void {
  unlessTyping(() => {
    if (same(place, navigation.here)) return arrive();
    const kept = history.places.slice(0, history.index + 1);
    kept.push(place);
    history.places = kept.slice(-KEEP);
    history.index = history.places.length - 1;
    arrive();
  });
}

export function back(): void {
  if (!navigation.canGoBack) return;
  unlessTyping(() => {
    history.index -= 1;
    arrive();
  });
}

export function forward(): void {
  if (!navigation.canGoForward) return;
  unlessTyping(() => {
    history.index += 1;
    arrive();
  });
}

/** A main-menu entry: the screen's top, its list, whatever view of it was open. */
export function openScreen(screen: Screen): void {
  go({ screen, view: LIST });
}

/** Out of a detail or a form (Escape, "Volver", "Cancelar"): where the owner came from, else
 * the screen's list. */
export function close(): void {
  if (navigation.view.kind === 'list') return;
  if (navigation.canGoBack) back();
  else go({ screen: navigation.screen, view: LIST });
}

/** After a form is saved: to `place` without asking (what was typed is kept now), and the
 * form's step leaves the history, so back does not reopen a form that is done. */
export function finish(place: Place): void {
  const previous = history.places[history.index - 1];
  if (previous && same(previous, place)) {
    history.places = history.places.slice(0, history.index);
    history.index -= 1;
  } else {
    history.places = [...history.places.slice(0, history.index), place];
  }
  arrive();
}

export const openReceivable = (id: number) => go({ screen: 'pending', view: { kind: 'receivable', id } });

export const newReceivable = (customer: { id: number; name: string } | null = null) =>
  go({ screen: 'pending', view: { kind: 'new-receivable', customer } });

export const openCustomer = (id: number) => go({ screen: 'customers', view: { kind: 'customer', id } });

export const newCustomer = () => go({ screen: 'customers', view: { kind: 'new-customer' } });

export const openImport = () => go({ screen: navigation.screen, view: { kind: 'import' } });

/** "Enviar estados de cuenta": the bulk flow lives in Clientes, whichever screen asks for it. */
export const openBulkStatements = () => go({ screen: 'customers', view: { kind: 'bulk-statements' } });

/** What Escape closes before the view itself (a payment form inside a detail): the innermost
 * registered handler that says it handled the key. */
const escapes: (() => boolean)[] = [];

/** `handle` is asked first on Escape, until the function returned is called. */
export function onEscape(handle: () => boolean): () => void {
  escapes.push(handle);
  return () => {
    const at = escapes.lastIndexOf(handle);
    if (at >= 0) escapes.splice(at, 1);
  };
}

/** The same while a component is mounted (call it while the component initialises). */
export function escapeWhileMounted(handle: () => boolean): void {
  onMount(() => onEscape(handle));
}

/** Escape: the innermost open part closes, else the detail or form the owner is in. */
export function escape(): void {
  for (const handle of [...escapes].reverse()) if (handle()) return;
  close();
}

/** Back to the first screen with an empty history (tests; a restore keeps the history). */
export function resetNavigation(): void {
  history.places = [{ screen: 'pending', view: LIST }];
  history.index = 0;
  history.asking = null;
  guards.length = 0;
  escapes.length = 0;
  arrive();
}
