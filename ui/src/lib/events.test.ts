import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OUTBOX_BURST, subscribe, type Source } from './events.svelte';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** An event channel like Tauri's: subscribing resolves when `ready` is called. */
function channel<T>() {
  const handlers = new Set<(payload: T) => void>();
  const pending: (() => void)[] = [];
  let unlistened = 0;
  const source: Source<T> = (handler) =>
    new Promise((resolve) =>
      pending.push(() => {
        handlers.add(handler);
        resolve(() => {
          handlers.delete(handler);
          unlistened += 1;
        });
      }),
    );
  return {
    source,
    /** Tauri answers the subscriptions asked so far. */
    ready: async () => {
      for (const answer of pending.splice(0)) answer();
      await Promise.resolve();
    },
    emit: (payload: T) => handlers.forEach((handler) => handler(payload)),
    listeners: () => handlers.size,
    unlistened: () => unlistened,
  };
}

describe('subscribe', () => {
  it('delivers every event until stopped, then unsubscribes', async () => {
    const events = channel<number>();
    const seen: number[] = [];
    const stop = subscribe(events.source, (n) => seen.push(n));
    await events.ready();
    events.emit(1);
    events.emit(2);
    stop();
    events.emit(3);
    expect(seen).toEqual([1, 2]);
    expect(events.listeners()).toBe(0);
    expect(events.unlistened()).toBe(1);
  });

  it('unsubscribes a subscription that completes after the component has gone', async () => {
    const events = channel<number>();
    const seen: number[] = [];
    const stop = subscribe(events.source, (n) => seen.push(n));
    stop();
    await events.ready();
    events.emit(1);
    expect(seen).toEqual([]);
    expect(events.listeners()).toBe(0);
    expect(events.unlistened()).toBe(1);
  });

  it('says when the subscription is in place, so what changed while subscribing is read again', async () => {
    const events = channel<number>();
    let reads = 0;
    const stop = subscribe(events.source, () => {}, { subscribed: () => (reads += 1) });
    // Reported before Tauri has the subscription: lost, but the screen reads again after it.
    events.emit(1);
    expect(reads).toBe(0);
    await events.ready();
    expect(reads).toBe(1);
    stop();
  });

  it('does not read again for a subscription completed after the component has gone', async () => {
    const events = channel<number>();
    let reads = 0;
    const stop = subscribe(events.source, () => {}, { subscribed: () => (reads += 1) });
    stop();
    await events.ready();
    expect(reads).toBe(0);
  });

  it('turns an outbox drain of 600 events into a few reloads, the last after the last event', async () => {
    const events = channel<{ id: number }>();
    const reloads: number[] = [];
    const stop = subscribe(events.source, (change) => reloads.push(change.id), OUTBOX_BURST);
    await events.ready();
    // 200 emails, three reports each, one every 10 ms: 6 s of sending.
    for (let id = 1; id <= 600; id += 1) {
      events.emit({ id });
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(1000);
    expect(reloads.length).toBeGreaterThanOrEqual(6);
    expect(reloads.length).toBeLessThanOrEqual(7);
    expect(reloads.at(-1)).toBe(600);
    stop();
  });

  it('drops a delivery still waiting when stopped', async () => {
    const events = channel<number>();
    const seen: number[] = [];
    const stop = subscribe(events.source, (n) => seen.push(n), OUTBOX_BURST);
    await events.ready();
    events.emit(1);
    stop();
    vi.advanceTimersByTime(5000);
    expect(seen).toEqual([]);
  });
});
