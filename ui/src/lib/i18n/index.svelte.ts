// The active language and the `t` function every component uses. Reading `t` inside markup is
// reactive: switching the language relabels the whole window at once.
import type { Language } from '../bindings';
import { en } from './en';
import { es, type Catalogue, type MessageKey } from './es';

export type { MessageKey };

const catalogues: Record<Language, Catalogue> = { es, en };

let current = $state<Language>('es');

export const languages: readonly Language[] = ['es', 'en'];

export function language(): Language {
  return current;
}

export function setLanguage(next: Language): void {
  current = next;
  document.documentElement.lang = next;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return format(catalogues[current][key], params);
}

/** Replaces `{name}` placeholders; unknown placeholders stay visible so a mistake shows. */
export function format(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
