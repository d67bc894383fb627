// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit by hand:
// run `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings` after changing them.

export type Language = "es" | "en";

export type ErrorCode = "database_too_new" | "data_in_use" | "storage" | "invalid_input" | "smtp_port_mismatch" | "email_failed" | "email_not_configured" | "email_secret_missing" | "email_config_invalid" | "keychain_unavailable" | "keychain_locked" | "keychain_failed" | "update_failed" | "backup_refused" | "import_refused" | "not_found" | "refused" | "open_failed" | "autostart_failed" | "internal";

export type ObjectKind = "table" | "index" | "trigger" | "view" | "other";

export type Difference = "unknown" | "changed" | "missing";

export type SchemaDifference = { kind: ObjectKind, name: string, difference: Difference, };

export type BackupRefusal = { "reason": "not_sqlite" } | { "reason": "damaged", problem: string, } | { "reason": "not_cachicamo" } | { "reason": "too_new", found: number, supported: number, } | { "reason": "unexpected_schema", more: number, kind: ObjectKind, name: string, difference: Difference, } | { "reason": "too_large", size: number, limit: number, };

export type ImportError = { "reason": "empty" } | { "reason": "too_large" } | { "reason": "unknown_columns" } | { "reason": "missing_columns", columns: Array<string>, } | { "reason": "malformed", line: number, message: string, } | { "reason": "rows_have_problems", count: number, } | { "reason": "differences_not_accepted", count: number, };

export type OutboxRefusal = { "reason": "outbox_state", state: OutboxState, action: OwnerAction, };

export type Refused = { reason: Refusal, } | OutboxRefusal;

export type Failure = { "code": "database_too_new", "details": { path: string, found: number, supported: number, } } | { "code": "data_in_use", "details": { dir: string, } } | { "code": "storage", "details": { path?: string, } } | { "code": "invalid_input", "details": { fields: Array<FieldError>, } } | { "code": "smtp_port_mismatch", "details": { port: number, security: SmtpSecurity, } } | { "code": "email_failed", "details": { failure: MailFailure, class: FailureClass, provider: Provider, providerCode?: string, providerMessage?: string, retryAfterSecs?: number, } } | { "code": "email_not_configured", "details": Record<symbol, never> } | { "code": "email_secret_missing", "details": Record<symbol, never> } | { "code": "email_config_invalid", "details": { fields: Array<string>, } } | { "code": "keychain_unavailable", "details": Record<symbol, never> } | { "code": "keychain_locked", "details": Record<symbol, never> } | { "code": "keychain_failed", "details": Record<symbol, never> } | { "code": "update_failed", "details": Record<symbol, never> } | { "code": "backup_refused", "details": BackupRefusal } | { "code": "import_refused", "details": ImportError } | { "code": "not_found", "details": Record<symbol, never> } | { "code": "refused", "details": Refused } | { "code": "open_failed", "details": Record<symbol, never> } | { "code": "autostart_failed", "details": Record<symbol, never> } | { "code": "internal", "details": Record<symbol, never> };

export type IpcError = { message: string, } & ({ "code": "database_too_new", "details": { path: string, found: number, supported: number, } } | { "code": "data_in_use", "details": { dir: string, } } | { "code": "storage", "details": { path?: string, } } | { "code": "invalid_input", "details": { fields: Array<FieldError>, } } | { "code": "smtp_port_mismatch", "details": { port: number, security: SmtpSecurity, } } | { "code": "email_failed", "details": { failure: MailFailure, class: FailureClass, provider: Provider, providerCode?: string, providerMessage?: string, retryAfterSecs?: number, } } | { "code": "email_not_configured", "details": Record<symbol, never> } | { "code": "email_secret_missing", "details": Record<symbol, never> } | { "code": "email_config_invalid", "details": { fields: Array<string>, } } | { "code": "keychain_unavailable", "details": Record<symbol, never> } | { "code": "keychain_locked", "details": Record<symbol, never> } | { "code": "keychain_failed", "details": Record<symbol, never> } | { "code": "update_failed", "details": Record<symbol, never> } | { "code": "backup_refused", "details": BackupRefusal } | { "code": "import_refused", "details": ImportError } | { "code": "not_found", "details": Record<symbol, never> } | { "code": "refused", "details": Refused } | { "code": "open_failed", "details": Record<symbol, never> } | { "code": "autostart_failed", "details": Record<symbol, never> } | { "code": "internal", "details": Record<symbol, never> });

export type Bootstrap = { language: Language, 
/**
 * How amounts and dates are written and typed.
 */
region: RegionFormat, 
/**
 * The regions offered in Ajustes.
 */
regions: Array<Region>, version: string, 
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

export type PageTimes = { 
/**
 * When the page's script first ran (it was loaded and parsed by then).
 */
scriptRan: number, 
/**
 * When the first screen had painted, just before this report.
 */
painted: number, };

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

export type FieldProblem = "required" | "invalid_email" | "invalid_host" | "invalid_port" | "invalid_stream" | "too_long" | "unknown_currency" | "invalid_amount" | "too_many_decimals" | "not_positive" | "amount_too_large" | "total_too_large" | "too_many_digits" | "invalid_date" | "due_before_issue" | "above_balance" | "not_near_balance" | "date_in_future" | "date_in_past" | "duplicate_step" | "duplicate_currency" | "advance_unconfirmed" | "duplicate_document" | "duplicate_policy_name" | "unknown_customer" | "ambiguous_customer" | "unknown_method" | "unknown_variable" | "template_syntax" | "multiple_lines" | "needs_encryption" | "same_currency" | "invalid_phone" | "invalid_id_number" | "invalid_account" | "invalid_clabe" | "secret_for_other_destination" | "undeliverable" | "free_mail_sender";

export type FieldError = { field: string, problem: FieldProblem, 
/**
 * What the problem is about, when the words need it (the unknown variable's name).
 */
detail: string | null, };

export type VerificationStatus = "verified" | "unverified";

export type SmtpView = { host: string, port: number, security: SmtpSecurity, username: string, };

export type DestinationPart = "provider" | "host" | "port" | "username" | "security" | "api";

export type SecretProblem = { "kind": "missing" } | { "kind": "other_destination", typed: string, changed: Array<DestinationPart>, } | { "kind": "unbound" };

export type KeyAccess = "full" | "sending_only";

export type DnsRecord = { 
/**
 * What it is for: "SPF", "DKIM", "MX"…
 */
record: string, 
/**
 * The DNS type: "TXT", "MX", "CNAME".
 */
kind: string, name: string, 
/**
 * "verified", "pending", "failed", "not_started"… (shown as Resend says it).
 */
status: string, };

export type PostmarkCover = "domain" | "signature";

export type SenderCheck = { "kind": "domain", domain: string, status: string, records: Array<DnsRecord>, } | { "kind": "domain_not_added", domain: string, } | { "kind": "needs_full_access_key" } | { "kind": "needs_account_token" } | { "kind": "postmark_sender", coveredBy: PostmarkCover, 
/**
 * The domain, or the signature's address.
 */
name: string, 
/**
 * A signature's confirmation link was followed (always true for a domain).
 */
confirmed: boolean, dkimVerified: boolean, returnPathDomain: string, returnPathVerified: boolean, } | { "kind": "postmark_sender_missing", address: string, domain: string, } | { "kind": "smtp_account" };

export type EmailServiceView = { provider: Provider, senderAddress: string, senderName: string | null, replyTo: string | null, messageStream: string | null, smtp: SmtpView | null, 
/**
 * A secret typed for this destination is saved (the form may be left empty).
 */
secretSaved: boolean, 
/**
 * Why no usable secret is saved: the owner must type it again before anything is sent.
 */
secretProblem: SecretProblem | null, status: VerificationStatus, statusReason: MailFailure | null, verifiedAt: string | null, 
/**
 * What the saved key may do (Resend): a sending-only key cannot read delivery status.
 */
keyAccess: KeyAccess | null, };

export type TestEmailSent = { provider: Provider, to: string, providerMessageId: string, providerResponse: string, };

export type MailFailure = "auth_failed" | "app_password_required" | "basic_auth_disabled" | "sender_not_verified" | "recipient_rejected" | "recipient_inactive" | "non_ascii_mailbox" | "account_restricted" | "stream_not_found" | "rate_limited" | "quota_exceeded" | "tls" | "wrong_security_mode" | "timeout" | "offline" | "provider_unavailable" | "rejected" | "insecure_endpoint" | "redirected";

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
 * Free text reminders quoted before formas de pago existed. Migration 0010 turned it into
 * an "otro" forma de pago for every currency (`payment_options`); messages no longer quote
 * it, and it is kept only so a profile saved by either version reads back.
 */
paymentInstructions: string, };

export type BusinessView = { 
/**
 * As saved, for the owner to see and fix.
 */
business: Business, 
/**
 * What saving it as it is would refuse, field by field: empty unless the saved profile
 * came from somewhere that skipped the checks (a restored copy, an older version).
 */
problems: Array<FieldError>, };

export type Currency = { code: string, 
/**
 * Digits after the decimal separator (2 for USD, 0 for CLP and PYG).
 */
minorUnits: number, };

export type Refusal = "customer_has_receivables" | "not_pending" | "has_payments" | "already_reversed" | "receivable_void" | "settings_unstorable" | "total_too_large" | "nothing_owed" | "no_phone";

export type Region = "es-VE" | "es-CO" | "es-MX" | "es-AR" | "es-CL" | "es-PE" | "es-ES" | "en-US";

export type RegionFormat = { region: Region, decimalSeparator: string, 
/**
 * "1.500,50" or "1,500.50".
 */
amountExample: string, 
/**
 * "31/12/2026" or "12/31/2026".
 */
dateExample: string, };

export type Money = { minor: number, currency: string, 
/**
 * "USD 1.500,50".
 */
text: string, 
/**
 * "1.500,50": what an amount field starts from when editing.
 */
plain: string, };

export type DateShown = { 
/**
 * "2026-03-05".
 */
iso: string, 
/**
 * "05/03/2026".
 */
text: string, };

export type ReceivableForm = { customerId: number | null, documentNumber: string, concept: string, currency: string, amount: string, issueDate: string, dueDate: string, };

export type ReceivableStatus = "pending" | "paid" | "void";

export type Receivable = { id: number, customerId: number, customerName: string, 
/**
 * The customer's registered address, where reminders go.
 */
customerEmail: string | null, documentNumber: string | null, concept: string, amount: Money, paid: Money, balance: Money, issueDate: DateShown, dueDate: DateShown, status: ReceivableStatus, 
/**
 * Pending and past its due date: the "Vencida" badge.
 */
overdue: boolean, daysOverdue: number, voidReason: string | null, 
/**
 * The latest reminder and its state (Pagos Pendientes' "Último recordatorio").
 */
lastReminder: LastReminder | null, 
/**
 * Pausas de cobranza in force (the customer's and its own) and broken promises: its chips.
 */
pauses: Array<PauseChip>, 
/**
 * The customer's registered address does not receive mail ("No entregable"): why.
 */
undeliverable: Undeliverable | null, };

export type ReceivableDetail = { receivable: Receivable, 
/**
 * Oldest first, reversed ones included (marked).
 */
payments: Array<Payment>, 
/**
 * Newest first.
 */
history: Array<HistoryEntry>, 
/**
 * Amount, currency and customer are corrected only while there are no payments.
 */
amountEditable: boolean, };

export type HistoryKind = "created" | "edited" | "payment_recorded" | "payment_reversed" | "paid" | "reopened" | "voided" | "reminder_queued" | "statement_queued" | "whatsapp_opened";

export type HistoryEntry = { 
/**
 * UTC, ISO 8601.
 */
at: string, kind: HistoryKind, 
/**
 * In the receivable's currency.
 */
amount: Money | null, previousAmount: Money | null, reason: string | null, recipient: string | null, fields: Array<string>, };

export type PaymentMethod = "cash" | "transfer" | "mobile_payment" | "card" | "other";

export type RateDirection = "paid_per_owed" | "owed_per_paid";

export type PaymentForm = { paidOn: string, amount: string, 
/**
 * Empty: the receivable's currency.
 */
currency: string, 
/**
 * The rate as typed, only when the currencies differ; `rate_direction` says which way.
 */
rate: string, rateDirection: RateDirection, 
/**
 * "Saldar exactamente": the converted amount is within one minor unit of the balance and
 * the user settles the balance with it.
 */
settleExactly: boolean, 
/**
 * The user confirmed a payment dated before the receivable's issue date (an advance).
 */
confirmAdvance: boolean, method: PaymentMethod | null, reference: string, note: string, };

export type PaymentPreview = { 
/**
 * What it settles, in the receivable's currency.
 */
applied: Money, 
/**
 * The converted amount is within one minor unit of the balance without being it: the form
 * offers "Saldar exactamente".
 */
canSettleExactly: boolean, 
/**
 * Dated before the receivable's issue date: the form asks to confirm the advance.
 */
advance: boolean, };

export type Reversal = { 
/**
 * UTC, ISO 8601.
 */
at: string, reason: string, };

export type Payment = { id: number, paidOn: DateShown, method: PaymentMethod, reference: string | null, note: string | null, 
/**
 * What the customer handed over, in the currency they paid in.
 */
amount: Money, 
/**
 * The rate as typed, when paid in another currency ("36,50")…
 */
rate: string | null, 
/**
 * …and which way round it was typed.
 */
rateDirection: RateDirection | null, 
/**
 * What it settled, in the receivable's currency.
 */
applied: Money, reversal: Reversal | null, };

export type PendingFilter = "all" | "overdue" | "due_soon";

export type PendingSort = "due_date" | "balance" | "customer";

export type PendingQuery = { filter: PendingFilter, 
/**
 * Customer name or document number; accents and case ignored.
 */
search: string, sort: PendingSort, descending: boolean, 
/**
 * Only the receivables in one bucket of Antigüedad de saldos (with `filter` as well).
 */
aging: AgingBucket | null, offset: number, 
/**
 * At most 200 per page; 0 means 50.
 */
limit: number, };

export type AgingBucket = "not_yet_due" | "days1_to30" | "days31_to60" | "days61_to90" | "over90";

export type AgingCell = { bucket: AgingBucket, 
/**
 * How many pending receivables it holds.
 */
receivables: number, balance: Money, };

export type AgingLine = { currency: string, buckets: Array<AgingCell>, total: Money, };

export type PendingPage = { rows: Array<Receivable>, 
/**
 * How many match in all (for paging).
 */
total: number, 
/**
 * What the matching receivables still owe, one line per currency.
 */
totals: Array<Money>, 
/**
 * Antigüedad de saldos of the whole book (not only the matches), per currency.
 */
aging: Array<AgingLine>, };

export type LastReminder = { state: OutboxState, 
/**
 * When it was queued (UTC, ISO 8601).
 */
at: string, };

export type PauseKind = "dispute" | "promise" | "payment_plan" | "until" | "do_not_contact";

export type PauseEnd = "owner" | "settled";

export type PauseState = "active" | "broken" | "expired" | "ended";

export type PauseForm = { customerId: number | null, 
/**
 * `null`: the whole customer.
 */
receivableId: number | null, kind: PauseKind | null, until: string, note: string, };

export type Pause = { id: number, customerId: number, receivableId: number | null, 
/**
 * The paused receivable's document number, when it has one.
 */
documentNumber: string | null, kind: PauseKind, note: string, 
/**
 * The last day of the pause, inclusive.
 */
until: DateShown | null, state: PauseState, 
/**
 * UTC, ISO 8601.
 */
startedAt: string, endedAt: string | null, endReason: PauseEnd | null, };

export type PauseChip = { customerId: number, kind: PauseKind, until: DateShown | null, 
/**
 * Active, or a broken promise (the flag).
 */
state: PauseState, 
/**
 * On one receivable rather than the whole customer.
 */
onReceivable: boolean, };

export type StepUnit = "statement" | "receivable";

export type SendMode = { "kind": "review" } | { "kind": "at", hour: number, minute: number, } | { "kind": "automatic" };

export type PolicyStep = { 
/**
 * Days from the due date: −3 is three days before, +7 a week after. Also the step's
 * identity in a slot.
 */
offsetDays: number, 
/**
 * "Segundo aviso".
 */
label: string, unit: StepUnit, };

export type Repeat = { everyDays: number, times: number, };

export type MinimumBalance = { currency: string, minor: number, };

export type PolicyRules = { 
/**
 * Off until the owner turns it on.
 */
enabled: boolean, 
/**
 * In the order of their offsets.
 */
steps: Array<PolicyStep>, repeat: Repeat | null, minimums: Array<MinimumBalance>, 
/**
 * Days after a message to a customer during which another one waits for review.
 */
cooldownDays: number, 
/**
 * Messages per customer per calendar month before the next waits for review.
 */
monthlyCap: number, 
/**
 * Messages about one receivable, ever, before the next waits for review.
 */
receivableCap: number, mode: SendMode, 
/**
 * Before a batch leaves: when no payment was recorded for this many days, ask "¿Registró
 * los pagos recientes?" (and in Automático, wait).
 */
paymentsGateDays: number, };

export type TypedMinimum = { currency: string, 
/**
 * As typed, or as the region writes the stored amount ("1.500,00").
 */
amount: string, };

export type PolicyForm = { 
/**
 * Its `minimums` are not read: `minimums` below replaces them.
 */
rules: PolicyRules, minimums: Array<TypedMinimum>, };

export type PolicySummary = { id: number, 
/**
 * As stored; the window names policy 1 "Política del negocio" in its own language.
 */
name: string, enabled: boolean, 
/**
 * Customers who chose it (for policy 1: those who chose nothing else).
 */
customers: number, };

export type PolicyDeletion = { deleted: boolean, 
/**
 * Who followed it: now on policy 1 when `deleted`, the question's number when not.
 */
customers: number, };

export type CustomerPolicy = { 
/**
 * `None`: "sin recordatorios automáticos".
 */
policyId: number | null, 
/**
 * Every policy they could follow, the shop's first.
 */
policies: Array<PolicySummary>, };

export type CollectionSettings = { 
/**
 * The shop's first.
 */
policies: Array<PolicySummary>, 
/**
 * The policy `policy` is.
 */
policyId: number, 
/**
 * The policy, its minimums written the region's way.
 */
policy: PolicyForm, 
/**
 * The four steps the first-run guide offers.
 */
proposed: PolicyRules, 
/**
 * The OS time zone ("America/Caracas"), or `None` when it cannot be named.
 */
timeZone: string | null, today: DateShown, };

export type SimulatedMessage = { customerId: number, customerName: string, offsetDays: number, stepLabel: string, 
/**
 * Held for review (cooldown or a cap) rather than sent.
 */
held: boolean, };

export type SimulatedDay = { day: DateShown, messages: Array<SimulatedMessage>, };

export type TodayState = "due" | "held" | "postponed";

export type HeldFor = "cooldown" | "monthly_cap" | "receivable_cap" | "restored";

export type TodayLine = { slotId: number, customerId: number, customerName: string, 
/**
 * Where it goes; `None`: the customer has no address (the line says so).
 */
recipient: string | null, state: TodayState, heldFor: HeldFor | null, 
/**
 * For a step sent per receivable: that receivable (its reminder is what Enviar queues);
 * `None`: the customer's statement.
 */
receivableId: number | null, 
/**
 * The receivable's document number ("F-0042"), when it has one.
 */
documentNumber: string | null, 
/**
 * The step: its offset and its name in the policy ("Segundo aviso").
 */
offsetDays: number, stepLabel: string, 
/**
 * Days past the anchoring due date (negative: before it).
 */
daysOverdue: number, 
/**
 * Days after the step's own day it was decided: 0 due today, more a catch-up.
 */
daysLate: number, 
/**
 * What the customer owes now, per currency.
 */
balances: Array<Money>, };

export type TodayPage = { lines: Array<TodayLine>, 
/**
 * Every line waiting (the menu's badge).
 */
total: number, 
/**
 * No payment was recorded for the policy's days: before a batch leaves, ask "¿Registró los
 * pagos recientes?" (in Automático the batch waits).
 */
askPayments: boolean, paymentsGateDays: number, mode: SendMode, };

export type OutboxId = number;

export type OutboxState = "queued" | "sending" | "sent" | "retrying" | "failed" | "cancelled" | "uncertain" | "held";

export type WaitReason = "offline" | "not_configured" | "secret_missing" | "keychain_unavailable" | "quota";

export type CancelReason = "owner" | "paid" | "voided" | "customer_changed" | "no_address" | "do_not_contact" | "step_no_longer_due";

export type HoldReason = "restored" | "check_failed" | "undeliverable" | "paused";

export type OutboxFilter = "all" | "needs_owner" | "delivered" | "delayed" | "bounced" | "complained" | "failed" | "queued";

export type OutboxSummary = { delivered: number, delayed: number, bounced: number, complained: number, failed: number, queued: number, };

export type OwnerAction = "retry" | "send_again" | "mark_sent" | "cancel";

export type Rows = { "kind": "one", id: OutboxId, } | { "kind": "all_in", state: OutboxState, } | { "kind": "listed", ids: Array<OutboxId>, };

export type OutboxFailure = { code: MailFailure, class: FailureClass, 
/**
 * The provider's own code and words, for "Detalles".
 */
providerCode: string | null, message: string | null, };

export type DeliveryState = "delivered" | "delayed" | "bounced" | "complained";

export type UndeliverableReason = "bounced" | "complained" | "inactive";

export type Undeliverable = { address: string, reason: UndeliverableReason, 
/**
 * The provider's own words, when it gave some.
 */
detail: string | null, since: string, };

export type Delivery = { state: DeliveryState, 
/**
 * The provider's own words for a bounce or complaint, when it gives them.
 */
reason: string | null, 
/**
 * When the app learnt it.
 */
at: string | null, };

export type OutboxEntry = { id: OutboxId, reference: string | null, recipient: string, subject: string, state: OutboxState, 
/**
 * Why a queued email waits ("Sin conexión: se enviará automáticamente").
 */
reason: WaitReason | null, 
/**
 * Why a cancelled email will never go ("Cancelado: la cuenta ya está pagada").
 */
cancelled: CancelReason | null, 
/**
 * Why an email waits for the owner ("Por revisar: copia restaurada").
 */
held: HoldReason | null, 
/**
 * A sent row the owner marked as sent after an uncertain outcome.
 */
confirmedByOwner: boolean, attempts: number, generation: number, nextAttemptAt: string | null, provider: Provider | null, providerMessageId: string | null, 
/**
 * The last failure (kept while retrying; the reason when failed or uncertain).
 */
error: OutboxFailure | null, createdAt: string, updatedAt: string, sentAt: string | null, 
/**
 * The names of the files it carries, in order (a statement's PDF): the lists say so.
 */
attachments: Array<string>, 
/**
 * What the provider said happened after it accepted the email (None: nothing known yet,
 * or SMTP, where no delivery report exists).
 */
delivery: Delivery | null, };

export type EmailAbout = { customerId: number, customerName: string, receivableId: number | null, documentNumber: string | null, };

export type ListedEmail = { about: EmailAbout | null, id: OutboxId, reference: string | null, recipient: string, subject: string, state: OutboxState, 
/**
 * Why a queued email waits ("Sin conexión: se enviará automáticamente").
 */
reason: WaitReason | null, 
/**
 * Why a cancelled email will never go ("Cancelado: la cuenta ya está pagada").
 */
cancelled: CancelReason | null, 
/**
 * Why an email waits for the owner ("Por revisar: copia restaurada").
 */
held: HoldReason | null, 
/**
 * A sent row the owner marked as sent after an uncertain outcome.
 */
confirmedByOwner: boolean, attempts: number, generation: number, nextAttemptAt: string | null, provider: Provider | null, providerMessageId: string | null, 
/**
 * The last failure (kept while retrying; the reason when failed or uncertain).
 */
error: OutboxFailure | null, createdAt: string, updatedAt: string, sentAt: string | null, 
/**
 * The names of the files it carries, in order (a statement's PDF): the lists say so.
 */
attachments: Array<string>, 
/**
 * What the provider said happened after it accepted the email (None: nothing known yet,
 * or SMTP, where no delivery report exists).
 */
delivery: Delivery | null, };

export type OutboxListing = { entries: Array<ListedEmail>, nextBefore: OutboxId | null, 
/**
 * How many rows wait for the owner (held or uncertain), whatever the page.
 */
needsOwner: number, 
/**
 * The last 7 days at a glance (entregados, demorados, rebotados…), whatever the filter.
 */
summary: OutboxSummary, };

export type OutboxChanged = { id: OutboxId, state: OutboxState, };

export type SendReminder = { receivableId: number, 
/**
 * Another address for this send (after "Cambiar correo destino"); empty: the customer's.
 */
recipient: string | null, 
/**
 * Keep the typed address as the customer's registered one.
 */
saveAsCustomerEmail: boolean, };

export type ImportKind = "customers" | "receivables";

export type RowProblem = { 
/**
 * The file's line number, as a spreadsheet shows it (the header is line 1).
 */
line: number, 
/**
 * The column's header as written in the file.
 */
column: string, problem: FieldProblem, 
/**
 * What the problem is about, when the words need it (the currency's largest amount).
 */
detail?: string, };

export type DifferenceKind = "name" | "email" | "archived" | "similar_customer";

export type RowDifference = { line: number, kind: DifferenceKind, 
/**
 * What the file says.
 */
inFile: string, 
/**
 * What the customer in the books has ("" for no email).
 */
inBooks: string, };

export type ImportRow = { line: number, customer: string, email: string | null, documentNumber: string | null, concept: string | null, amount: Money | null, dueDate: DateShown | null, 
/**
 * The customer is not in the books yet and will be created.
 */
newCustomer: boolean, };

export type ImportPreview = { kind: ImportKind, 
/**
 * "UTF-8" or "Windows-1252".
 */
encoding: string, delimiter: string, rows: number, newCustomers: number, newReceivables: number, problems: Array<RowProblem>, differences: Array<RowDifference>, 
/**
 * The first rows, as they will be imported.
 */
sample: Array<ImportRow>, };

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

export type Stage = "copying" | "checking" | "saving_current" | "replacing";

export type Progress = { stage: Stage, done: number, total: number, };

export type Exported = { path: string, };

export type ReminderTemplate = { subject: string, body: string, };

export type VariableKey = "customer" | "business" | "document_number" | "concept" | "amount" | "balance" | "issue_date" | "due_date" | "days_overdue" | "payment_instructions";

export type Variable = { key: VariableKey, 
/**
 * What to write between `{{ }}` in this language.
 */
name: string, 
/**
 * A line using it is omitted when it has no value.
 */
mayBeEmpty: boolean, };

export type TemplateView = { language: Language, template: ReminderTemplate, 
/**
 * Nothing usable saved: the template Cachicamo ships.
 */
isDefault: boolean, 
/**
 * A saved template did not pass the editor's checks (it came in a restored copy, say), so
 * the default is used instead until the owner saves one.
 */
savedWasInvalid: boolean, variables: Array<Variable>, };

export type RenderedReminder = { language: Language, 
/**
 * One line, free of control characters.
 */
subject: string, text: string, html: string, };

export type ReminderRequest = { receivableId: number, 
/**
 * Another address for this one reminder; the customer's own when absent or empty.
 */
recipient: string | null, };

export type ReminderDraft = { receivableId: number, 
/**
 * Normalised address; `None` when the customer has none and none was given.
 */
recipient: string | null, message: RenderedReminder, };

export type AccountType = "checking" | "savings";

export type PaymentOptionDetails = { "kind": "pago_movil", bank: string, phone: string, 
/**
 * Cédula or RIF.
 */
idNumber: string, } | { "kind": "transfer", bank: string, account: string, holder: string, accountType: AccountType, } | { "kind": "zelle", email: string, holder: string, } | { "kind": "cash", note: string, } | { "kind": "spei", clabe: string, bank: string, } | { "kind": "other", text: string, };

export type PaymentOption = { details: PaymentOptionDetails, 
/**
 * ISO 4217 codes it accepts; `null`: every currency.
 */
currencies: Array<string> | null, };

export type PaymentOptionsView = { 
/**
 * As saved, in the owner's order (the unusable ones too, to be fixed).
 */
methods: Array<PaymentOption>, 
/**
 * What saving the list as it is would refuse (`"2.clabe"`…): empty unless it came from
 * somewhere that skipped the checks (a restored copy).
 */
problems: Array<FieldError>, };

export type ReferenceRateForm = { 
/**
 * The currency a subtotal is in ("USD").
 */
base: string, 
/**
 * The currency its equivalent is shown in ("VES").
 */
quote: string, 
/**
 * One `base` in `quote` ("36,50").
 */
rate: string, 
/**
 * The day the rate is for; empty: today.
 */
rateOn: string, 
/**
 * Who publishes it ("BCV").
 */
source: string, };

export type ReferenceRate = { base: string, quote: string, 
/**
 * The rate written the region's way ("36,50").
 */
rate: string, 
/**
 * As stored ("36.50").
 */
rateText: string, rateOn: DateShown, source: string, 
/**
 * It is for today: statements made today show it.
 */
isToday: boolean, };

export type Party = { name: string, taxId: string | null, address: string | null, phone: string | null, };

export type StatementLine = { receivableId: number, documentNumber: string | null, concept: string, 
/**
 * ISO 8601 calendar dates.
 */
issueDate: string, dueDate: string, 
/**
 * 0 when not yet due.
 */
daysOverdue: number, amount: number, paid: number, balance: number, };

export type Equivalent = { currency: string, amount: number, 
/**
 * The rate as typed ("36.50": one unit of the subtotal's currency in `currency`).
 */
rate: string, 
/**
 * Who publishes it ("BCV").
 */
source: string, 
/**
 * ISO date the rate is for (always the statement's date: only today's rate is shown).
 */
rateOn: string, };

export type CurrencyGroup = { currency: string, lines: Array<StatementLine>, 
/**
 * What of the balance is past due.
 */
overdue: number, equivalent: Equivalent | null, amount: number, paid: number, balance: number, };

export type PaymentReceived = { paidOn: string, currency: string, amount: number, documentNumber: string | null, };

export type Statement = { customerId: number, 
/**
 * The customer's email language: every part is written in it.
 */
language: Language, 
/**
 * How amounts and dates are written (the language's way, see `region_for`).
 */
region: Region, 
/**
 * The statement's date (ISO), the local day it was made.
 */
date: string, business: Party, customer: Party, 
/**
 * One per currency owed, in code order; never empty.
 */
groups: Array<CurrencyGroup>, 
/**
 * Payments received since the last statement that was sent, oldest first.
 */
payments: Array<PaymentReceived>, 
/**
 * How to pay what is owed, one block per way, already worded in `language`.
 */
paymentInstructions: Array<string>, };

export type RenderedStatement = { language: Language, subject: string, text: string, html: string, 
/**
 * "Estado de cuenta – Ana Pérez – 2026-11-30.pdf".
 */
fileName: string, };

export type SendStatement = { customerId: number, 
/**
 * Another address for this one statement; empty: the customer's registered one.
 */
recipient: string | null, 
/**
 * Attach the PDF (on unless turned off).
 */
attachPdf: boolean, };

export type StatementDraft = { customerId: number, 
/**
 * Normalised address; `None` when the customer has none and none was given.
 */
recipient: string | null, message: RenderedStatement, 
/**
 * What the three parts are written from (the screens show the table from it).
 */
statement: Statement, attachPdf: boolean, 
/**
 * How many pages the PDF has (0 without one).
 */
pdfPages: number, };

export type BulkSelection = { "kind": "customers", ids: number[], } | { "kind": "overdue" };

export type PlannedStatement = { customerId: number, customer: string, recipient: string, language: Language, 
/**
 * What it states, per currency.
 */
balances: Array<Money>, };

export type SetAsideReason = "no_address" | "nothing_owed" | "no_email_service" | "already_waiting" | "not_found" | "undeliverable";

export type SetAside = { customerId: number, customer: string, reason: SetAsideReason, 
/**
 * Why the address does not receive mail, for [`SetAsideReason::Undeliverable`].
 */
undeliverable: Undeliverable | null, };

export type BulkPlan = { 
/**
 * In customer-name order.
 */
messages: Array<PlannedStatement>, setAside: Array<SetAside>, };

export type BulkQueued = { queued: Array<OutboxId>, setAside: Array<SetAside>, };

export type StatementTemplate = { subject: string, 
/**
 * Before the table.
 */
intro: string, 
/**
 * After the table and the payment methods.
 */
closing: string, };

export type StatementVariable = "customer" | "business" | "date" | "balance";

export type StatementVariableView = { key: StatementVariable, name: string, mayBeEmpty: boolean, };

export type StatementTemplateView = { language: Language, template: StatementTemplate, isDefault: boolean, 
/**
 * A saved template did not pass the editor's checks (a restored copy): the default is used.
 */
savedWasInvalid: boolean, variables: Array<StatementVariableView>, };

export type StepKey = { policyId: number, 
/**
 * The step's offset from the due date, its identity within the policy.
 */
offsetDays: number, };

export type StepStatementTemplateView = { 
/**
 * What the guide proposes for this step, offered and never saved unasked.
 */
proposed: StatementTemplate, language: Language, template: StatementTemplate, isDefault: boolean, 
/**
 * A saved template did not pass the editor's checks (a restored copy): the default is used.
 */
savedWasInvalid: boolean, variables: Array<StatementVariableView>, };

export type StepReminderTemplateView = { proposed: ReminderTemplate, language: Language, template: ReminderTemplate, 
/**
 * Nothing usable saved: the template Cachicamo ships.
 */
isDefault: boolean, 
/**
 * A saved template did not pass the editor's checks (it came in a restored copy, say), so
 * the default is used instead until the owner saves one.
 */
savedWasInvalid: boolean, variables: Array<Variable>, };

export type StepTemplate = { "unit": "statement" } & StatementTemplate | { "unit": "receivable" } & ReminderTemplate;

export type StepTemplateView = { "unit": "statement" } & StepStatementTemplateView | { "unit": "receivable" } & StepReminderTemplateView;

export type WhatsAppRequest = { customerId: number, 
/**
 * One receivable's reminder; without it, the customer's statement.
 */
receivableId: number | null, };

export type WhatsAppLink = { url: string, 
/**
 * The number the link opens, E.164 digits.
 */
phone: string, };

/** Every error code, in the order Rust declares them. */
export const ERROR_CODES: readonly ErrorCode[] = ["database_too_new", "data_in_use", "storage", "invalid_input", "smtp_port_mismatch", "email_failed", "email_not_configured", "email_secret_missing", "email_config_invalid", "keychain_unavailable", "keychain_locked", "keychain_failed", "update_failed", "backup_refused", "import_refused", "not_found", "refused", "open_failed", "autostart_failed", "internal"];

/** The app's commands (`src-tauri/src/commands/names.rs`): the only names `invoke` may be given. */
export type Command = "bootstrap" | "report_first_render" | "set_language" | "email_service_get" | "email_service_save" | "email_service_remove" | "email_service_send_test" | "email_sender_check" | "smtp_presets" | "customers_list" | "customer_get" | "customer_create" | "customer_update" | "customer_set_archived" | "customer_delete" | "customer_address_status" | "customer_address_confirm" | "customer_receivables" | "customer_pauses" | "pause_chips" | "pause_start" | "pause_end" | "collection_policy_get" | "collection_policy_save" | "collection_policy_create" | "collection_policy_rename" | "collection_policy_delete" | "customer_policy" | "customer_set_policy" | "collections_simulate" | "collections_today" | "collection_send" | "collection_send_all" | "collection_skip" | "collection_already_sent" | "collection_postpone" | "step_words_get" | "step_words_save" | "step_words_reset" | "pending_list" | "receivable_get" | "receivable_create" | "receivable_update" | "receivable_void" | "payment_preview" | "payment_record" | "payment_reverse" | "set_region" | "read_amount" | "read_date" | "read_rate" | "today" | "csv_import_preview" | "csv_import" | "pending_export_csv" | "aging_export_csv" | "outbox_list" | "outbox_bounce_alert" | "outbox_bounces_seen" | "outbox_act" | "reminder_send" | "receivable_reminders" | "business_get" | "business_save" | "currencies" | "payment_options_get" | "payment_options_save" | "reference_rates_get" | "reference_rate_save" | "statement_preview" | "statement_send" | "customer_statements" | "statement_pdf_save" | "statements_plan" | "statements_send_bulk" | "statement_templates_get" | "statement_template_save" | "statement_template_reset" | "statement_template_preview" | "whatsapp_open" | "updates_check" | "updates_announced" | "updates_install" | "updates_check_on_startup" | "updates_set_check_on_startup" | "autostart_get" | "autostart_set" | "notices_get" | "notices_set" | "backups_list" | "backups_export" | "backups_restore_copy" | "backups_restore_file" | "templates_get" | "template_save" | "template_reset" | "template_preview" | "reminder_preview";

/** What the core refuses by size, checked in the window before a file crosses the IPC. */
export const LIMITS = { importBytes: 20971520, importRows: 100000, restoreBytes: 268435456 } as const;
