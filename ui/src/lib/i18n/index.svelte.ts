// The active language and the `t` function every component uses. Reading `t` inside markup is
// reactive: switching the language relabels the whole window at once.
//
// Each catalogue is a chunk of its own, fetched when its language is first chosen: the window's
// first script carries neither, and a start in Spanish never parses the English words (nor the
// other way round).
import type { Language } from '../bindings';
import type { Catalogue, MessageKey } from './es';

export type { MessageKey };

const fetchers: Record<Language, () => Promise<Catalogue>> = {
  es: () => import('./es').then((module) => module.es),
  en: () => import('./en').then((module) => module.en),
};

/** Each language's words once fetched; the promise, so two callers share one fetch. */
const fetched: Partial<Record<Language, Promise<Catalogue>>> = {};
const arrived: Partial<Record<Language, Catalogue>> = {};

let current = $state<Language>('es');
/** The active language's words; `null` until the first language's have arrived. */
let words = $state.raw<Catalogue | null>(null);
/** The language asked for last: a slower fetch of an earlier choice must not win. */
let wanted: Language = 'es';

export const languages: readonly Language[] = ['es', 'en'];

export function language(): Language {
  return current;
}

/** Whether any words are here yet: the window shows nothing before, never a key. */
export function wordsReady(): boolean {
  return words !== null;
}

/** Fetches a language's words without switching to them (tests load both first). */
export function loadWords(of: Language): Promise<Catalogue> {
  let pending = fetched[of];
  if (!pending) {
    pending = fetchers[of]().then((catalogue) => (arrived[of] = catalogue));
    // A failed fetch may be tried again by the next choice.
    pending.catch(() => delete fetched[of]);
    fetched[of] = pending;
  }
  return pending;
}

/** Switches the window's language once its words are here, all labels at once; words already
 * fetched switch it before this returns. */
export function setLanguage(next: Language): Promise<void> {
  wanted = next;
  const ready = arrived[next];
  if (ready) {
    show(next, ready);
    return Promise.resolve();
  }
  return loadWords(next).then((catalogue) => {
    if (wanted === next) show(next, catalogue);
  });
}

/** Where the webview keeps the language it showed last (its storage is in the data directory). */
const LAST_SHOWN = 'cachicamo.language';

function show(next: Language, catalogue: Catalogue): void {
  current = next;
  words = catalogue;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(LAST_SHOWN, next);
  } catch {
    // Without storage the next start guesses Spanish; its words still come, only later.
  }
}

/** The language the window showed when it last ran (Spanish the first time): its words can be
 * fetched while Rust is still asked which language to use, and they almost always are the ones. */
export function lastShown(): Language {
  try {
    const kept = localStorage.getItem(LAST_SHOWN);
    return languages.find((known) => known === kept) ?? 'es';
  } catch {
    return 'es';
  }
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  // Before any words arrive the window renders nothing; the key keeps a mistake visible.
  return format(words?.[key] ?? key, params);
}

/** Replaces `{name}` placeholders; unknown placeholders stay visible so a mistake shows. */
export function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
