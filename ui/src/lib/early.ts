// What the first screen waits for, asked for as the page's script first runs (main.ts), before any
// component exists: Rust's start-up answer and the words of the language shown last time travel
// side by side, instead of the words being fetched once the answer is in.
import { api } from './api';
import type { Bootstrap } from './bindings';
import { lastShown, loadWords } from './i18n/index.svelte';

let asked: Promise<Bootstrap> | null = null;

export function askEarly(): void {
  asked = api.bootstrap();
  // Awaited by the first `bootstrapRead`; a failure before then is not an unhandled one.
  asked.catch(() => {});
  // A wrong guess (the language was changed elsewhere, a restore) only fetches both.
  loadWords(lastShown()).catch(() => {});
}

/** Rust's start-up answer: the one asked early, the first time; a new one after (a restore). */
export function bootstrapRead(): Promise<Bootstrap> {
  const read = asked ?? api.bootstrap();
  asked = null;
  return read;
}
