import { describe, expect, it, vi } from 'vitest';
import { language, lastShown, setLanguage, t, wordsReady } from './index.svelte';

// setLanguage also labels the page; these tests run without one.
const page = { documentElement: { lang: '' } };
vi.stubGlobal('document', page);
// The webview's storage, as a map.
const stored = new Map<string, string>();
vi.stubGlobal('localStorage', {
  getItem: (key: string) => stored.get(key) ?? null,
  setItem: (key: string, value: string) => void stored.set(key, value),
});

describe('the window’s language', () => {
  it('has no words until the first language’s arrive, then switches all at once', async () => {
    expect(wordsReady()).toBe(false);
    const arriving = setLanguage('en');
    expect(wordsReady()).toBe(false);
    expect(page.documentElement.lang).toBe('');
    await arriving;
    expect(wordsReady()).toBe(true);
    expect(language()).toBe('en');
    expect(page.documentElement.lang).toBe('en');
    expect(t('nav.settings')).toBe('Settings');
  });

  it('ends on the last choice when an earlier one’s words arrive after it', async () => {
    // Spanish is not fetched yet; English is, so it applies before Spanish's words arrive.
    const slower = setLanguage('es');
    await setLanguage('en');
    await slower;
    expect(language()).toBe('en');
    expect(t('nav.settings')).toBe('Settings');
    await setLanguage('es');
    expect(t('nav.settings')).toBe('Ajustes');
    expect(page.documentElement.lang).toBe('es');
  });

  it('remembers the language it showed, for the next start to fetch its words early', async () => {
    stored.clear();
    expect(lastShown()).toBe('es');
    await setLanguage('en');
    expect(lastShown()).toBe('en');
    stored.set('cachicamo.language', 'fr');
    expect(lastShown()).toBe('es');
  });
});
