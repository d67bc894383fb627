// The currencies a select offers (ISO 4217, as the core knows them): asked of the core once per
// window and shared by every select, so a form with a row per currency makes one call.
import { api } from './api';
import type { Currency } from './bindings';

let asked: Promise<Currency[]> | null = null;

/** The list, or none when it could not be read (a select then shows its own code alone; the core
 * still checks what is saved). A failed read is asked again next time. */
export function currencies(): Promise<Currency[]> {
  asked ??= api.currencies().catch(() => {
    asked = null;
    return [];
  });
  return asked;
}
