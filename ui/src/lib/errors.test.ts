import { beforeAll, describe as group, expect, it, vi } from 'vitest';
import type { BackupRefusal, IpcError } from './bindings';
import { describe, details, fieldErrors, fieldProblem, refuseLargeImport, refuseLargeRestore } from './errors';
import { languages, loadWords, setLanguage } from './i18n/index.svelte';
import { setRegion } from './region.svelte';

// setLanguage also labels the page; these tests run without one.
vi.stubGlobal('document', { documentElement: { lang: '' } });
// Both languages' words are here first, so `setLanguage` switches at once.
beforeAll(() => Promise.all(languages.map(loadWords)));

const refused = (details: BackupRefusal): IpcError => ({ code: 'backup_refused', message: '', details });

group('describe', () => {
  it('says why a backup was refused, in the active language', () => {
    setLanguage('es');
    expect(describe(refused({ reason: 'not_sqlite' }))).toBe(
      'El archivo no es una copia de Cachicamo. No se cambió nada.',
    );
    expect(describe(refused({ reason: 'damaged', problem: 'x' }))).toContain('dañado o incompleto');
    expect(describe(refused({ reason: 'too_new', found: 9, supported: 7 }))).toContain('más reciente');
    setLanguage('en');
    expect(describe(refused({ reason: 'not_cachicamo' }))).toBe(
      'The file is not a Cachicamo backup. Nothing was changed.',
    );
  });

  it('names the object of a copy whose schema is not ours, and how many more differ', () => {
    setLanguage('es');
    const text = describe(
      refused({ reason: 'unexpected_schema', kind: 'trigger', name: 'espía', difference: 'unknown', more: 2 }),
    );
    expect(text).toContain('«espía»');
    expect(text).toContain('2');
  });

  it('words a refused CSV file with what it carries', () => {
    setLanguage('es');
    const missing: IpcError = {
      code: 'import_refused',
      message: '',
      details: { reason: 'missing_columns', columns: ['Cliente', 'Monto'] },
    };
    expect(describe(missing)).toBe('Faltan columnas obligatorias: Cliente, Monto.');
    const count: IpcError = {
      code: 'import_refused',
      message: '',
      details: { reason: 'rows_have_problems', count: 3 },
    };
    expect(describe(count)).toBe('Hay 3 problemas en el archivo; no se importó nada.');
  });

  it('quotes the core’s own limits, written the region’s way', () => {
    setLanguage('es');
    setRegion({ region: 'es-VE', decimalSeparator: ',', amountExample: '1.500,50', dateExample: '31/12/2026' });
    const tooLarge = refuseLargeImport(21 * 1024 * 1024);
    expect(tooLarge && describe(tooLarge)).toBe('El archivo es demasiado grande (máximo 20 MB y 100.000 filas).');
    expect(refuseLargeImport(1024)).toBeNull();
    const restore = refuseLargeRestore(300 * 1024 * 1024);
    expect(restore?.code).toBe('backup_refused');
    expect(restore && describe(restore)).toContain('demasiado grande');
  });

  it('tells an outbox refusal from the books’ ones', () => {
    setLanguage('es');
    const outbox: IpcError = {
      code: 'refused',
      message: '',
      details: { reason: 'outbox_state', state: 'sent', action: 'cancel' },
    };
    expect(describe(outbox)).toBe('Ese correo ya no se puede cambiar en su estado actual.');
    const books: IpcError = { code: 'refused', message: '', details: { reason: 'has_payments' } };
    expect(describe(books)).toBe('Tiene abonos registrados. Revierta los abonos primero.');
  });
});

group('details', () => {
  it('lists every detail under the message, nested ones as JSON', () => {
    const err: IpcError = {
      code: 'email_failed',
      message: 'smtp: auth',
      details: { failure: 'auth_failed', class: 'permanent', provider: 'smtp', providerCode: '535' },
    };
    expect(details(err)).toBe('smtp: auth\nfailure: auth_failed\nclass: permanent\nprovider: smtp\nproviderCode: 535');
    const fields: IpcError = {
      code: 'invalid_input',
      message: 'm',
      details: { fields: [{ field: 'name', problem: 'required', detail: null }] },
    };
    expect(details(fields)).toBe('m\nfields: [{"field":"name","problem":"required","detail":null}]');
  });
});

group('fieldErrors', () => {
  it('names the unknown variable next to its field, in the active language', () => {
    const err: IpcError = {
      code: 'invalid_input',
      message: '',
      details: {
        fields: [
          { field: 'subject', problem: 'multiple_lines', detail: null },
          { field: 'body', problem: 'unknown_variable', detail: 'banco' },
        ],
      },
    };
    setLanguage('es');
    expect(fieldErrors(err)).toEqual({
      subject: 'El asunto debe ser una sola línea.',
      body: 'No existe la variable «banco». Use una de la lista de variables.',
    });
    expect(fieldProblem(err, 'body')).toBe('unknown_variable');
    expect(fieldProblem(err, 'amount')).toBeUndefined();
    setLanguage('en');
    expect(fieldErrors(err)['body']).toBe('There is no variable “banco”. Use one from the list of variables.');
  });
});
