import { describe, expect, it, vi } from 'vitest';
import { language, setLanguage, t, wordsReady } from './index.svelte';

// setLanguage also labels the page; these tests run without one.
const page = { documentElement: { lang: '' } };
vi.stubGlobal('document', page);

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
});
