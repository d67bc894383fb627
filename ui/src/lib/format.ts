// Every date, time, number and amount the window shows, written the way the region chosen in
// Ajustes → Región writes it, in the words of the chosen language. Rust is the one writer of
// amounts and calendar dates (`Money.text`, `DateShown.text`), so the window, the reminder emails
// and the CSV files say the same thing: `amount` and `date` pass that text on, and everything else
// follows Rust's rules too — the region's own separators for numbers (Rust groups "1.500" in
// Spain, where the browser would write "1500") and its day/month order for dates — with Intl only
// for words (months, weekdays) and the clock. Identifiers (a CSV's line and column numbers) are
// labels, not quantities, and are shown as they are. Reading `region()` and `language()` here
// keeps markup that calls these functions reactive: a new region rewrites the window at once.
import type { DateShown, Money } from './bindings';
import { language } from './i18n/index.svelte';
import { region } from './region.svelte';

/** The region's way to write a number: Rust's separators, grouping from the thousands. */
function number(value: number, fractionDigits: number): string {
  const decimal = region().decimalSeparator;
  const group = decimal === ',' ? '.' : ',';
  // en-US groups every number from 1,000 and writes the fraction after a dot: swap both.
  const written = value.toLocaleString('en-US', { maximumFractionDigits: fractionDigits });
  return written.replace(/[,.]/g, (mark) => (mark === ',' ? group : decimal));
}

/** Months and weekdays in the chosen language, with the region's country's conventions (its
 * clock, day before month): "es-VE", "en-ES"; Intl falls back to the language alone ("en-VE"). */
function wordsLocale(): string {
  const [, country] = region().region.split('-');
  return `${language()}-${country}`;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** An instant from Rust (RFC 3339), or null when it cannot be read. */
function instant(at: string): Date | null {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

export const format = {
  /** An amount, as Rust wrote it for the region: "USD 1.500,50". */
  amount: (money: Money): string => money.text,

  /** A calendar date (a due date, a payment's date), as Rust wrote it: "05/03/2026". */
  date: (shown: DateShown): string => shown.text,

  /** A count: "90.000" in Venezuela, "90,000" in México and the US. */
  count: (value: number): string => number(Math.round(value), 0),

  /** A file's size in kB or MB, to one decimal: "1,5 MB". */
  fileSize: (bytes: number): string =>
    bytes < 1024 * 1024 ? `${number(bytes / 1024, 1)} kB` : `${number(bytes / (1024 * 1024), 1)} MB`,

  /** The day an instant falls on in this computer's time zone, written like Rust's dates:
   * "05/03/2026" (or "03/05/2026" in the US). Empty when the instant cannot be read. */
  dateOf(at: string): string {
    const when = instant(at);
    if (!when) return '';
    // The region's example is Rust's 31 December 2026: each of its numbers names its part.
    const parts: Record<string, string> = {
      '31': pad(when.getDate()),
      '12': pad(when.getMonth() + 1),
      '2026': pad(when.getFullYear(), 4),
    };
    return region().dateExample.replace(/\d+/g, (part) => parts[part] ?? part);
  },

  /** An instant to the minute, the month in words: "5 mar 2026, 3:04 p. m.", "Mar 5, 2026, 3:04 PM".
   * Empty when the instant cannot be read. */
  dateTime(at: string): string {
    const when = instant(at);
    return when ? new Intl.DateTimeFormat(wordsLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(when) : '';
  },

  /** A calendar date ("2026-03-05") written out: "jueves, 5 de marzo de 2026". */
  longDate(iso: string): string {
    // At noon, so no time zone moves it to the day before or after.
    const when = instant(`${iso}T12:00:00`);
    return when ? new Intl.DateTimeFormat(wordsLocale(), { dateStyle: 'full' }).format(when) : iso;
  },
};
