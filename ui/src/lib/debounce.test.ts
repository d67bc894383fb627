import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce } from './debounce';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('debounce', () => {
  it('runs once, after a pause, with the last call’s arguments', () => {
    const seen: string[] = [];
    const search = debounce(200, (text: string) => seen.push(text));
    search('a');
    vi.advanceTimersByTime(150);
    search('an');
    vi.advanceTimersByTime(150);
    search('ana');
    expect(search.pending).toBe(true);
    vi.advanceTimersByTime(199);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['ana']);
    expect(search.pending).toBe(false);
  });

  it('drops a waiting call when cancelled', () => {
    const work = vi.fn();
    const later = debounce(100, work);
    later();
    later.cancel();
    expect(later.pending).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(work).not.toHaveBeenCalled();
  });

  it('still runs every maxWaitMs while calls keep coming, and once after they stop', () => {
    const runs: number[] = [];
    const reload = debounce(200, () => runs.push(Date.now()), { maxWaitMs: 1000 });
    const start = Date.now();
    // An event every 50 ms for 2.5 s (the last at 2.45 s): a drain of the outbox in miniature.
    for (let elapsed = 0; elapsed < 2500; elapsed += 50) {
      reload();
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(1000);
    expect(runs.map((at) => at - start)).toEqual([1000, 2000, 2650]);
  });
});
