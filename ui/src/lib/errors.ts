// Error codes to words a shop owner understands, in the active language. `details` is typed per
// code by the generated bindings: each reader narrows on `code` (and `reason`), never by a string
// key and a cast.
import {
  LIMITS,
  type BackupRefusal,
  type DestinationPart,
  type ErrorCode,
  type FieldError,
  type FieldProblem,
  type ImportError,
  type IpcError,
  type MailFailure,
  type Provider,
  type Refusal,
  type Refused,
  type SchemaDifference,
  type SecretProblem,
} from './bindings';
import { region } from './region.svelte';
import { t, type MessageKey } from './i18n/index.svelte';

const messages: Record<ErrorCode, MessageKey> = {
  database_too_new: 'error.database_too_new',
  data_in_use: 'error.data_in_use',
  storage: 'error.storage',
  invalid_input: 'error.invalid_input',
  smtp_port_mismatch: 'error.smtp_port_mismatch',
  email_failed: 'error.email_failed',
  email_not_configured: 'error.email_not_configured',
  email_secret_missing: 'error.email_secret_missing',
  email_config_invalid: 'error.email_config_invalid',
  keychain_unavailable: 'error.keychain_unavailable',
  keychain_locked: 'error.keychain_locked',
  keychain_failed: 'error.keychain_failed',
  update_failed: 'error.update_failed',
  backup_refused: 'error.backup_refused',
  import_refused: 'error.import_refused',
  not_found: 'error.not_found',
  refused: 'error.refused',
  open_failed: 'error.open_failed',
  autostart_failed: 'error.autostart_failed',
  internal: 'error.internal',
};

const mailFailures: Record<MailFailure, MessageKey> = {
  auth_failed: 'mail.auth_failed',
  app_password_required: 'mail.app_password_required',
  basic_auth_disabled: 'mail.basic_auth_disabled',
  sender_not_verified: 'mail.sender_not_verified',
  recipient_rejected: 'mail.recipient_rejected',
  recipient_inactive: 'mail.recipient_inactive',
  non_ascii_mailbox: 'mail.non_ascii_mailbox',
  account_restricted: 'mail.account_restricted',
  stream_not_found: 'mail.stream_not_found',
  rate_limited: 'mail.rate_limited',
  quota_exceeded: 'mail.quota_exceeded',
  tls: 'mail.tls',
  wrong_security_mode: 'mail.wrong_security_mode',
  timeout: 'mail.timeout',
  offline: 'mail.offline',
  provider_unavailable: 'mail.provider_unavailable',
  rejected: 'mail.rejected',
  insecure_endpoint: 'mail.insecure_endpoint',
  redirected: 'mail.redirected',
};

const fieldProblems: Record<FieldProblem, MessageKey> = {
  required: 'field.required',
  invalid_email: 'field.invalid_email',
  invalid_host: 'field.invalid_host',
  invalid_port: 'field.invalid_port',
  invalid_stream: 'field.invalid_stream',
  too_long: 'field.too_long',
  unknown_currency: 'field.unknown_currency',
  invalid_amount: 'field.invalid_amount',
  too_many_decimals: 'field.too_many_decimals',
  not_positive: 'field.not_positive',
  amount_too_large: 'field.amount_too_large',
  total_too_large: 'field.total_too_large',
  too_many_digits: 'field.too_many_digits',
  invalid_date: 'field.invalid_date',
  due_before_issue: 'field.due_before_issue',
  above_balance: 'field.above_balance',
  not_near_balance: 'field.not_near_balance',
  date_in_future: 'field.date_in_future',
  date_in_past: 'field.date_in_past',
  duplicate_step: 'field.duplicate_step',
  duplicate_currency: 'field.duplicate_currency',
  advance_unconfirmed: 'field.advance_unconfirmed',
  duplicate_document: 'field.duplicate_document',
  duplicate_policy_name: 'field.duplicate_policy_name',
  unknown_customer: 'field.unknown_customer',
  ambiguous_customer: 'field.ambiguous_customer',
  unknown_method: 'field.unknown_method',
  unknown_variable: 'field.unknown_variable',
  template_syntax: 'field.template_syntax',
  multiple_lines: 'field.multiple_lines',
  needs_encryption: 'field.needs_encryption',
  secret_for_other_destination: 'field.secret_for_other_destination',
  same_currency: 'field.same_currency',
  invalid_phone: 'field.invalid_phone',
  invalid_id_number: 'field.invalid_id_number',
  invalid_account: 'field.invalid_account',
  invalid_clabe: 'field.invalid_clabe',
  undeliverable: 'field.undeliverable',
  free_mail_sender: 'field.free_mail_sender',
};

const refusals: Record<Refusal, MessageKey> = {
  customer_has_receivables: 'refusal.customer_has_receivables',
  not_pending: 'refusal.not_pending',
  has_payments: 'refusal.has_payments',
  already_reversed: 'refusal.already_reversed',
  receivable_void: 'refusal.receivable_void',
  settings_unstorable: 'refusal.settings_unstorable',
  total_too_large: 'refusal.total_too_large',
  nothing_owed: 'refusal.nothing_owed',
  no_phone: 'refusal.no_phone',
};

const destinationParts: Record<DestinationPart, MessageKey> = {
  provider: 'email.part.provider',
  host: 'email.part.host',
  port: 'email.part.port',
  username: 'email.part.username',
  security: 'email.part.security',
  api: 'email.part.api',
};

/** What the secret is called for a provider: "contraseña" for SMTP, "clave" for the APIs. */
export function secretWord(provider: Provider): string {
  return t(provider === 'smtp' ? 'email.secret.smtp' : 'email.secret.api');
}

/** Why the saved secret cannot be used, and that nothing is sent until it is typed again. */
export function describeSecretProblem(problem: SecretProblem, provider: Provider): string {
  const secret = secretWord(provider);
  if (problem.kind === 'other_destination') {
    const changed = problem.changed.map((part) => t(destinationParts[part])).join(', ');
    return t('email.secretProblem.other_destination', { secret, typed: problem.typed, changed });
  }
  return t(problem.kind === 'missing' ? 'email.secretProblem.missing' : 'email.secretProblem.unbound', {
    secret,
  });
}

/** A provider failure in words (also used for an unverified service's reason). */
export function describeMailFailure(failure: MailFailure): string {
  return t(mailFailures[failure]);
}

const backupReasons: Record<Exclude<BackupRefusal['reason'], 'unexpected_schema'>, MessageKey> = {
  not_sqlite: 'backups.refused.not_cachicamo',
  not_cachicamo: 'backups.refused.not_cachicamo',
  damaged: 'backups.refused.damaged',
  too_new: 'backups.refused.too_new',
  too_large: 'backups.refused.too_large',
};

const importReasons: Record<ImportError['reason'], MessageKey> = {
  empty: 'import.refused.empty',
  too_large: 'import.refused.too_large',
  unknown_columns: 'import.refused.unknown_columns',
  missing_columns: 'import.refused.missing_columns',
  malformed: 'import.refused.malformed',
  rows_have_problems: 'import.refused.rows_have_problems',
  differences_not_accepted: 'import.refused.differences_not_accepted',
};

/** What a refused file's words quote: the columns, the line, the count, the limits. */
function importParams(refusal: ImportError): Record<string, string | number> {
  switch (refusal.reason) {
    case 'missing_columns':
      return { columns: refusal.columns.join(', ') };
    case 'malformed':
      return { line: refusal.line };
    case 'rows_have_problems':
    case 'differences_not_accepted':
      return { count: refusal.count };
    case 'too_large':
      return {
        megabytes: LIMITS.importBytes / (1024 * 1024),
        rows: LIMITS.importRows.toLocaleString(region().region),
      };
    default:
      return {};
  }
}

/** A restored copy whose schema is not ours: which object, what kind, and how it differs. */
function describeSchemaRefusal(refusal: SchemaDifference & { more: number }): string {
  const { kind, name, difference, more } = refusal;
  const object = t(difference === 'unknown' ? `backups.object.unknown.${kind}` : `backups.object.the.${kind}`);
  const sentence = t(`backups.refused.unexpected_schema.${difference}`, { object, name });
  return more > 0 ? `${sentence} ${t('backups.refused.unexpected_schema.more', { more: String(more) })}` : sentence;
}

function describeBackupRefusal(refusal: BackupRefusal): string {
  if (refusal.reason === 'unexpected_schema') return describeSchemaRefusal(refusal);
  const key = backupReasons[refusal.reason];
  return t(key ?? 'error.backup_refused');
}

function describeRefused(refused: Refused): string {
  if (refused.reason === 'outbox_state') return t('refusal.outbox_state');
  const key = refusals[refused.reason];
  return t(key ?? 'error.refused');
}

export function describe(error: IpcError): string {
  switch (error.code) {
    case 'import_refused': {
      const key = importReasons[error.details.reason];
      return key ? t(key, importParams(error.details)) : t(messages[error.code]);
    }
    case 'backup_refused':
      return describeBackupRefusal(error.details);
    case 'email_failed':
      return error.details.failure in mailFailures
        ? describeMailFailure(error.details.failure)
        : t(messages[error.code]);
    case 'refused':
      return describeRefused(error.details);
    default:
      return t(messages[error.code]);
  }
}

/** The technical part for "Detalles": never shown first, always available. */
export function details(error: IpcError): string {
  const lines = Object.entries(error.details).map(
    ([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
  );
  return [error.message, ...lines].filter(Boolean).join('\n');
}

/** For `invalid_input`: the problem found with one field, if any. */
export function fieldProblem(error: IpcError | null, field: string): FieldProblem | undefined {
  if (!error || error.code !== 'invalid_input') return undefined;
  return error.details.fields.filter((refused) => refused.field === field).pop()?.problem;
}

/** For `smtp_port_mismatch`: the port typed, which usually speaks the other security mode. */
export function mismatchedPort(error: IpcError | null): number | undefined {
  return error?.code === 'smtp_port_mismatch' ? error.details.port : undefined;
}

/** Fields the window found wrong itself (a saved profile that would not pass its checks), as
 * a refused save would report them. */
export function invalidInput(fields: FieldError[], message: string): IpcError {
  return { code: 'invalid_input', message, details: { fields } };
}

/** A CSV file larger than the core accepts, refused before it crosses the IPC. */
export function refuseLargeImport(size: number): IpcError | null {
  if (size <= LIMITS.importBytes) return null;
  return { code: 'import_refused', message: `${size} bytes`, details: { reason: 'too_large' } };
}

/** A file offered for restore larger than the core accepts, refused before it crosses the IPC. */
export function refuseLargeRestore(size: number): IpcError | null {
  if (size <= LIMITS.restoreBytes) return null;
  return {
    code: 'backup_refused',
    message: `the file has ${size} bytes`,
    details: { reason: 'too_large', size, limit: LIMITS.restoreBytes },
  };
}

/** For `invalid_input`: each refused field with its problem, in words. */
export function fieldErrors(error: IpcError | null): Record<string, string> {
  if (!error || error.code !== 'invalid_input') return {};
  const out: Record<string, string> = {};
  for (const { field, problem, detail } of error.details.fields) {
    // `detail` says what a field's problem is about (an unknown variable's name).
    out[field] = t(fieldProblems[problem], { ...hintParams(), detail: detail ?? '' });
  }
  return out;
}

/** A row's problem in a CSV file, in words (the same words as the forms use). */
export function describeProblem(problem: FieldProblem, detail = ''): string {
  return t(fieldProblems[problem], { ...hintParams(), detail });
}

/** The region's own examples, for hints such as "escriba 1.500,50". */
function hintParams(): Record<string, string> {
  const { amountExample, dateExample, decimalSeparator } = region();
  return { example: amountExample, date: dateExample, decimal: decimalSeparator };
}
