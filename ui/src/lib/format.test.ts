import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Language, RegionFormat } from './bindings';
import { format } from './format';
import { languages, loadWords, setLanguage } from './i18n/index.svelte';
import { setRegion } from './region.svelte';

// setLanguage also labels the page; these tests run without one.
vi.stubGlobal('document', { documentElement: { lang: '' } });
// Both languages' words are here first, so `setLanguage` switches at once.
beforeAll(() => Promise.all(languages.map(loadWords)));

// What Rust's `Region::format` sends for each region (src-tauri/core/src/books/region.rs).
const regions: Record<string, RegionFormat> = {
  'es-VE': { region: 'es-VE', decimalSeparator: ',', amountExample: '1.500,50', dateExample: '31/12/2026' },
  'es-MX': { region: 'es-MX', decimalSeparator: '.', amountExample: '1,500.50', dateExample: '31/12/2026' },
  'en-US': { region: 'en-US', decimalSeparator: '.', amountExample: '1,500.50', dateExample: '12/31/2026' },
  'es-ES': { region: 'es-ES', decimalSeparator: ',', amountExample: '1.500,50', dateExample: '31/12/2026' },
};

function choose(region: keyof typeof regions, language: Language) {
  setRegion(regions[region]!);
  setLanguage(language);
}

// Thursday 5 March 2026, 15:04 on this computer's clock, whatever its time zone.
const afternoon = new Date(2026, 2, 5, 15, 4).toISOString();
// Intl separates the time with narrow or plain spaces depending on the ICU version.
const spaced = (text: string) => text.replace(/\s/g, ' ');

describe('format.count', () => {
  it("groups thousands with the region's separator", () => {
    choose('es-VE', 'es');
    expect(format.count(90000)).toBe('90.000');
    choose('es-MX', 'es');
    expect(format.count(90000)).toBe('90,000');
    choose('en-US', 'en');
    expect(format.count(1234567)).toBe('1,234,567');
  });

  it('groups from the thousands as Rust does, where the browser would not (Spain)', () => {
    choose('es-ES', 'es');
    expect(format.count(1500)).toBe('1.500');
  });

  it('follows the region, not the language: English words, Venezuelan numbers', () => {
    choose('es-VE', 'en');
    expect(format.count(1500)).toBe('1.500');
  });
});

describe('format.fileSize', () => {
  it('writes kB below a megabyte and MB above, to one decimal, with the decimal separator', () => {
    choose('es-VE', 'es');
    expect(format.fileSize(1536)).toBe('1,5 kB');
    expect(format.fileSize(5 * 1024 * 1024)).toBe('5 MB');
    choose('en-US', 'en');
    expect(format.fileSize(2.25 * 1024 * 1024)).toBe('2.3 MB');
  });
});

describe('format.dateOf', () => {
  it("writes the instant's day on this computer in the order Rust writes the region's dates", () => {
    const lateEvening = new Date(2026, 2, 5, 23, 30).toISOString();
    choose('es-VE', 'es');
    expect(format.dateOf(lateEvening)).toBe('05/03/2026');
    choose('es-MX', 'es');
    expect(format.dateOf(lateEvening)).toBe('05/03/2026');
    choose('en-US', 'en');
    expect(format.dateOf(lateEvening)).toBe('03/05/2026');
  });

  it('is empty for an instant it cannot read', () => {
    expect(format.dateOf('yesterday')).toBe('');
  });
});

describe('format.dateTime', () => {
  it('writes the month in the chosen language and the clock of the region', () => {
    choose('en-US', 'en');
    expect(spaced(format.dateTime(afternoon))).toBe('Mar 5, 2026, 3:04 PM');
    choose('es-VE', 'es');
    expect(spaced(format.dateTime(afternoon))).toMatch(/^5 mar\.? 2026, 3:04 p\. ?m\.$/);
    choose('es-MX', 'es');
    expect(spaced(format.dateTime(afternoon))).toMatch(/^5 mar\.? 2026, 3:04 p\. ?m\.$/);
  });

  it('writes Spanish words where the UI is Spanish, even in the US region', () => {
    choose('en-US', 'es');
    expect(format.dateTime(afternoon)).toContain('mar 2026');
  });
});

describe('format.longDate', () => {
  it('writes a calendar date out with its weekday, in the chosen language', () => {
    choose('es-VE', 'es');
    expect(format.longDate('2026-03-05')).toBe('jueves, 5 de marzo de 2026');
    choose('es-MX', 'es');
    expect(format.longDate('2026-03-05')).toBe('jueves, 5 de marzo de 2026');
    choose('en-US', 'en');
    expect(format.longDate('2026-03-05')).toBe('Thursday, March 5, 2026');
  });
});
