import { describe as group, expect, it, vi } from 'vitest';
import { describe, fieldErrors } from './errors';
import { setLanguage } from './i18n/index.svelte';

// setLanguage also labels the page; these tests run without one.
vi.stubGlobal('document', { documentElement: { lang: '' } });

group('describe', () => {
  it('says why a backup was refused, in the active language', () => {
    const refused = (reason: string) => ({ code: 'backup_refused' as const, message: '', details: { reason } });
    setLanguage('es');
    expect(describe(refused('not_sqlite'))).toBe('El archivo no es una copia de Cachicamo. No se cambió nada.');
    expect(describe(refused('damaged'))).toContain('dañado o incompleto');
    expect(describe(refused('too_new'))).toContain('más reciente');
    expect(describe(refused('something_new'))).toBe('El archivo no se puede restaurar. No se cambió nada.');
    setLanguage('en');
    expect(describe(refused('not_cachicamo'))).toBe('The file is not a Cachicamo backup. Nothing was changed.');
  });
});

group('fieldErrors', () => {
  it('names the unknown variable next to its field, in the active language', () => {
    const refused = {
      code: 'invalid_input' as const,
      message: '',
      details: { subject: 'multiple_lines', body: 'unknown_variable', 'body.detail': 'banco' },
    };
    setLanguage('es');
    expect(fieldErrors(refused)).toEqual({
      subject: 'El asunto debe ser una sola línea.',
      body: 'No existe la variable «banco». Use una de la lista de variables.',
    });
    setLanguage('en');
    expect(fieldErrors(refused)['body']).toBe('There is no variable “banco”. Use one from the list of variables.');
  });
});
