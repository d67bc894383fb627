// The region the app writes amounts and dates in (from Rust at start-up, changed in Ajustes).
// Rust does the writing and the reading; the UI only needs the examples for its hints.
import type { Region, RegionFormat } from './bindings';

let current = $state<RegionFormat>({
  region: 'es-VE',
  decimalSeparator: ',',
  amountExample: '1.500,50',
  dateExample: '31/12/2026',
});
let offered = $state<Region[]>([]);

export function region(): RegionFormat {
  return current;
}

export function regions(): Region[] {
  return offered;
}

export function setRegion(format: RegionFormat, all?: Region[]): void {
  current = format;
  if (all) offered = all;
}
