import { describe, expect, it } from 'vitest';
import { toIpcError } from './api';

describe('toIpcError', () => {
  it('keeps the contract when Rust sent one', () => {
    const raw = {
      code: 'database_too_new',
      message: 'newer',
      details: { path: '/data/cachicamo.sqlite3', found: 9, supported: 7 },
    };
    expect(toIpcError(raw)).toEqual(raw);
  });

  it('turns anything else into an internal error that keeps the original text', () => {
    expect(toIpcError('command bootstrap not found')).toEqual({
      code: 'internal',
      message: 'command bootstrap not found',
      details: {},
    });
    expect(toIpcError({ code: 'made_up', details: {} }).code).toBe('internal');
    expect(toIpcError({ code: 'storage' }).code).toBe('internal');
  });
});
