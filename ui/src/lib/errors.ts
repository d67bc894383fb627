// Error codes to words a shop owner understands, in the active language.
import type { ErrorCode, IpcError } from './bindings';
import { t, type MessageKey } from './i18n/index.svelte';

const messages: Record<ErrorCode, MessageKey> = {
  database_too_new: 'error.database_too_new',
  storage: 'error.storage',
  invalid_input: 'error.invalid_input',
  internal: 'error.internal',
};

export function describe(error: IpcError): string {
  return t(messages[error.code]);
}

/** The technical part for "Detalles": never shown first, always available. */
export function details(error: IpcError): string {
  const lines = Object.entries(error.details).map(([key, value]) => `${key}: ${value}`);
  return [error.message, ...lines].filter(Boolean).join('\n');
}
