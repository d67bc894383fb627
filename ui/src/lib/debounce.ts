// Waiting for a pause: in typing (a search, a field read as it is typed, a live preview) or in
// a burst of events (the outbox reports each email's every step). The work runs once, after
// `waitMs` without a new call, with the last call's arguments; `maxWaitMs` bounds the wait while
// calls keep coming, so a long burst still shows progress. The one place the UI sets timers.

export interface Debounced<A extends unknown[]> {
  /** Asks for the work; it runs after the pause, unless asked again first. */
  (...args: A): void;
  /** Drops the call still waiting (the component is gone, or there is nothing to do). */
  cancel(): void;
  /** A call is waiting for its pause. */
  readonly pending: boolean;
}

export function debounce<A extends unknown[]>(
  waitMs: number,
  work: (...args: A) => void,
  { maxWaitMs }: { maxWaitMs?: number } = {},
): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the first call of the current burst came. */
  let burstStart: number | null = null;
  let lastArgs: A | null = null;

  function fire() {
    const args = lastArgs;
    timer = undefined;
    burstStart = null;
    lastArgs = null;
    if (args) work(...args);
  }

  const debounced = ((...args: A) => {
    const now = Date.now();
    lastArgs = args;
    burstStart ??= now;
    clearTimeout(timer);
    const untilMax = maxWaitMs === undefined ? waitMs : Math.max(0, burstStart + maxWaitMs - now);
    timer = setTimeout(fire, Math.min(waitMs, untilMax));
  }) as Debounced<A>;

  debounced.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    burstStart = null;
    lastArgs = null;
  };
  Object.defineProperty(debounced, 'pending', { get: () => timer !== undefined });
  return debounced;
}
