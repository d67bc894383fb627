// Listening to what Rust reports on its own (the outbox sending, a copy's progress, an update
// found, the window closing) for as long as a component is on screen: subscribed on mount,
// unsubscribed on destroy — also when the component goes before Tauri has finished subscribing —
// and, for bursts, debounced: the outbox reports every step of every email (~3 events each), so
// a 200-email drain would otherwise reload a screen ~600 times. It only delivers; the handler
// decides what to reload.
import type { UnlistenFn } from '@tauri-apps/api/event';
import { onMount } from 'svelte';
import { debounce } from './debounce';

/** How `api` subscribes to one event (`api.onOutboxChanged`, `api.onBackupProgress`…). */
export type Source<T> = (handler: (payload: T) => void) => Promise<UnlistenFn>;

export interface Delivery {
  /** Deliver only the last event after this long without another. */
  debounceMs?: number;
  /** While events keep coming, still deliver at least this often. */
  maxWaitMs?: number;
  /** Once Tauri has the subscription: a screen that read its data on mount reads it again
   * here, or a change reported while subscribing (after that first read) would never show. */
  subscribed?: () => void;
}

/** The outbox's reports: gathered for 200 ms (one email's steps), and at least once a second
 * during a long drain, so the screen follows the sending without reloading on every step. */
export const OUTBOX_BURST: Delivery = { debounceMs: 200, maxWaitMs: 1000 };

/** Subscribes now; the function returned stops it (and drops a delivery still waiting). */
export function subscribe<T>(source: Source<T>, handler: (payload: T) => void, delivery: Delivery = {}): () => void {
  const debounced = delivery.debounceMs === undefined ? null : debounce(delivery.debounceMs, handler, delivery);
  const deliver = debounced ?? handler;
  let stopped = false;
  let unlisten: UnlistenFn | null = null;
  void source((payload) => {
    if (!stopped) deliver(payload);
  }).then((stop) => {
    if (stopped) return stop();
    unlisten = stop;
    delivery.subscribed?.();
  });
  return () => {
    stopped = true;
    debounced?.cancel();
    unlisten?.();
    unlisten = null;
  };
}

/** In a component, while it is mounted: call it during the component's initialisation. */
export function listenWhileMounted<T>(source: Source<T>, handler: (payload: T) => void, delivery?: Delivery): void {
  onMount(() => subscribe(source, handler, delivery));
}
