// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings` after changing them.

export type Language = "es" | "en";

export type ErrorCode = "database_too_new" | "storage" | "invalid_input" | "smtp_port_mismatch" | "email_failed" | "email_not_configured" | "email_secret_missing" | "keychain_unavailable" | "keychain_locked" | "keychain_failed" | "update_failed" | "backup_refused" | "not_found" | "refused" | "internal";

export type IpcError = { code: ErrorCode, message: string, details: { [key in string]: string }, };

export type Bootstrap = { language: Language, version: string, 
/**
 * Set when the app cannot work at all (for example a database from a newer version): the UI
 * shows this instead of its screens.
 */
blocked: IpcError | null, };

export type FirstRender = { 
/**
 * Milliseconds from the OS process start to the UI's first render.
 */
millisSinceProcessStart: number, };

export type Provider = "resend" | "postmark" | "smtp";

export type SmtpSecurity = "starttls" | "tls" | "none";

export type SmtpPreset = { id: string, label: string, host: string, port: number, security: SmtpSecurity, 
/**
 * Needs an app password when the account has 2-step verification.
 */
appPassword: boolean, 
/**
 * Microsoft is retiring password sign-in for SMTP: warn before the owner relies on it.
 */
basicAuthRetiring: boolean, };

export type EmailServiceForm = { provider: Provider, senderAddress: string, senderName: string, replyTo: string, 
/**
 * Resend API key or Postmark server token; `null` keeps the saved one.
 */
apiKey: string | null, messageStream: string, smtpHost: string, smtpPort: number | null, smtpSecurity: SmtpSecurity, smtpUsername: string, 
/**
 * `null` keeps the saved password.
 */
smtpPassword: string | null, 
/**
 * The user saw the port/security warning and wants this combination anyway.
 */
acceptPortMismatch: boolean, };

export type FieldProblem = "required" | "invalid_email" | "invalid_host" | "invalid_port" | "invalid_stream" | "too_long" | "unknown_currency";

export type VerificationStatus = "verified" | "unverified";

export type SmtpView = { host: string, port: number, security: SmtpSecurity, username: string, };

export type EmailServiceView = { provider: Provider, senderAddress: string, senderName: string | null, replyTo: string | null, messageStream: string | null, smtp: SmtpView | null, secretSaved: boolean, status: VerificationStatus, statusReason: MailFailure | null, verifiedAt: string | null, };

export type TestEmailSent = { provider: Provider, to: string, providerMessageId: string, providerResponse: string, };

export type MailFailure = "auth_failed" | "app_password_required" | "basic_auth_disabled" | "sender_not_verified" | "recipient_rejected" | "recipient_inactive" | "account_restricted" | "stream_not_found" | "rate_limited" | "quota_exceeded" | "tls" | "wrong_security_mode" | "timeout" | "offline" | "provider_unavailable" | "rejected" | "insecure_endpoint";

export type FailureClass = "permanent" | "transient" | "offline";

export type CustomerForm = { name: string, 
/**
 * The registered address reminders go to.
 */
email: string, phone: string, 
/**
 * RIF, NIT, RFC, CUIT…: free text.
 */
taxId: string, address: string, notes: string, 
/**
 * `null`: the app's language.
 */
emailLanguage: Language | null, };

export type Customer = { id: number, name: string, email: string | null, phone: string | null, taxId: string | null, address: string | null, notes: string | null, emailLanguage: Language, archived: boolean, createdAt: string, updatedAt: string, };

export type CustomerQuery = { search: string, includeArchived: boolean, offset: number, 
/**
 * At most 200 per page; 0 means 50.
 */
limit: number, };

export type CustomerPage = { customers: Array<Customer>, 
/**
 * How many match the search in all (for paging).
 */
total: number, };

export type AvailableUpdate = { version: string, currentVersion: string, 
/**
 * The release notes as published.
 */
notes: string | null, date: string | null, };

export type Business = { name: string, taxId: string, address: string, phone: string, 
/**
 * ISO 4217 code of a supported currency.
 */
defaultCurrency: string, 
/**
 * Free text quoted in payment reminders (bank accounts, pago móvil, where to pay).
 */
paymentInstructions: string, };

export type Currency = { code: string, 
/**
 * Digits after the decimal separator (2 for USD, 0 for CLP and PYG).
 */
minorUnits: number, };

export type CopyKind = "daily" | "before_restore";

export type AutomaticCopy = { 
/**
 * The file name; also what a restore of this copy asks for.
 */
name: string, kind: CopyKind, 
/**
 * When the copy was written (UTC, RFC 3339).
 */
createdAt: string, sizeBytes: number, };

export type Restored = { 
/**
 * The automatic copy holding the data as it was before the restore.
 */
beforeRestore: string, };

export type Exported = { path: string, };
