import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es } from './es';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('Spanish and English have exactly the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
  });

  it('every message is translated, with the same placeholders', () => {
    for (const key of Object.keys(es) as (keyof typeof es)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(es[key]));
    }
  });

  it('uses the seed labels verbatim in Spanish', () => {
    expect(es['nav.pending']).toBe('Pagos Pendientes');
    expect(es['nav.customers']).toBe('Clientes');
    expect(es['nav.integrations']).toBe('Integraciones');
    expect(es['nav.settings']).toBe('Ajustes');
    expect(es['settings.language']).toBe('Idioma');
  });
});
