import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Action } from './action.svelte';
import { ApiError } from './api';
import type { IpcError } from './bindings';
import { languages, loadWords, setLanguage } from './i18n/index.svelte';

// setLanguage also labels the page; these tests run without one.
vi.stubGlobal('document', { documentElement: { lang: '' } });
// Both languages' words are here first, so `setLanguage` switches at once.
beforeAll(() => Promise.all(languages.map(loadWords)));

const refused: IpcError = { code: 'refused', message: 'not pending', details: { reason: 'not_pending' } };

/** A promise the test settles by hand, to look at the action while its work is under way. */
function later() {
  let settle!: { resolve: () => void; reject: (raw: unknown) => void };
  const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}

describe('Action.run', () => {
  it('is busy while the work runs and clears the last error when it starts', async () => {
    const action = new Action();
    action.refuse(refused);
    const work = later();
    const running = action.run(() => work.promise);
    expect(action.busy).toBe(true);
    expect(action.error).toBeNull();
    work.resolve();
    expect(await running).toBe(true);
    expect(action.busy).toBe(false);
    expect(action.error).toBeNull();
  });

  it("keeps a command's refusal as the contract Rust sent, and is no longer busy", async () => {
    const action = new Action();
    const ok = await action.run(() => Promise.reject(new ApiError(refused)));
    expect(ok).toBe(false);
    expect(action.busy).toBe(false);
    expect(action.error).toEqual(refused);
  });

  it('turns anything else thrown into an internal error that keeps its text', async () => {
    const action = new Action();
    await action.run(async () => {
      throw new TypeError('entries is null');
    });
    expect(action.error?.code).toBe('internal');
    expect(action.error?.message).toContain('entries is null');
  });

  it('names each refused field in the active language', async () => {
    const action = new Action();
    const invalid: IpcError = {
      code: 'invalid_input',
      message: '',
      details: { fields: [{ field: 'name', problem: 'required', detail: null }] },
    };
    await action.run(() => Promise.reject(new ApiError(invalid)));
    setLanguage('es');
    expect(action.fields['name']).toBe('Este dato es obligatorio.');
    setLanguage('en');
    expect(action.fields['name']).toBe('This is required.');
    action.clear();
    expect(action.fields).toEqual({});
  });
});

describe('Action.load', () => {
  it('is never busy and keeps the last error until a load succeeds', async () => {
    const action = new Action();
    await action.load(() => Promise.reject(new ApiError(refused)));
    expect(action.error).toEqual(refused);
    const work = later();
    const loading = action.load(() => work.promise);
    expect(action.busy).toBe(false);
    expect(action.error).toEqual(refused);
    work.resolve();
    expect(await loading).toBe(true);
    expect(action.error).toBeNull();
  });
});

describe('overlapping calls', () => {
  it('let only the latest set the error; an earlier one that ends last resolves false', async () => {
    const action = new Action();
    const first = later();
    const second = later();
    const earlier = action.load(() => first.promise);
    const latest = action.load(() => second.promise);
    second.resolve();
    expect(await latest).toBe(true);
    first.reject(new ApiError(refused));
    expect(await earlier).toBe(false);
    expect(action.error).toBeNull();
  });

  it('tell the work whether it is still the latest, so it shows only what is current', async () => {
    const action = new Action();
    const shown: string[] = [];
    const first = later();
    const earlier = action.load(async (current) => {
      await first.promise;
      if (current()) shown.push('first');
    });
    await action.load(async (current) => {
      if (current()) shown.push('second');
    });
    first.resolve();
    await earlier;
    expect(shown).toEqual(['second']);
  });

  it('stay busy until every run has ended', async () => {
    const action = new Action();
    const first = later();
    const second = later();
    const one = action.run(() => first.promise);
    const two = action.run(() => second.promise);
    second.resolve();
    await two;
    expect(action.busy).toBe(true);
    first.resolve();
    await one;
    expect(action.busy).toBe(false);
  });
});
