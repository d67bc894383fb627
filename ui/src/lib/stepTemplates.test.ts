// How the editor of a step's words talks to the core: the words it keeps carry the unit it was
// opened for, and an answer in the other unit (the step changed in another window) is refused
// rather than shown in the wrong fields.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import { ApiError } from './api';
import { stepWords } from './stepTemplates.svelte';

const step = { policyId: 1, offsetDays: 15 };
const statementView = {
  unit: 'statement',
  language: 'es',
  template: { subject: 'Último aviso', intro: 'Hola', closing: 'Gracias' },
  proposed: { subject: 'Último aviso', intro: 'Hola', closing: 'Gracias' },
  isDefault: false,
  savedWasInvalid: false,
  variables: [],
};

beforeEach(() => invoke.mockReset());

describe('stepWords', () => {
  it('keeps the words as the unit the editor was opened for', async () => {
    invoke.mockResolvedValue(statementView);
    const words = { subject: 'Último aviso', intro: 'Hola', closing: 'Gracias' };
    await expect(stepWords(step, 'statement').save('es', words)).resolves.toEqual(statementView);
    expect(invoke).toHaveBeenCalledWith(
      'step_words_save',
      {
        step,
        language: 'es',
        template: { ...words, unit: 'statement' },
      },
      undefined,
    );
  });

  it('refuses words in the other unit than the editor shows', async () => {
    invoke.mockResolvedValue(statementView);
    const read = stepWords(step, 'receivable').get('es');
    await expect(read).rejects.toBeInstanceOf(ApiError);
    await expect(read).rejects.toMatchObject({ error: { code: 'not_found' } });
    expect(invoke).toHaveBeenCalledWith('step_words_get', { step, language: 'es' }, undefined);
  });
});
