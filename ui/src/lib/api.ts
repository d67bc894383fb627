// The only module that talks to Rust. Every command has a typed wrapper here; the types come
// from the generated bindings, so a change on the Rust side breaks the type check, not the user.
import { invoke, type InvokeArgs, type InvokeOptions } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import {
  ERROR_CODES,
  type AutomaticCopy,
  type AvailableUpdate,
  type Bootstrap,
  type BulkPlan,
  type BulkQueued,
  type BulkSelection,
  type Business,
  type BusinessView,
  type Command,
  type Currency,
  type Customer,
  type CustomerForm,
  type CustomerPage,
  type CustomerQuery,
  type DateShown,
  type EmailServiceForm,
  type EmailServiceView,
  type ErrorCode,
  type Exported,
  type FirstRender,
  type PageTimes,
  type ImportPreview,
  type IpcError,
  type Language,
  type Money,
  type CollectionSettings,
  type CustomerPolicy,
  type PolicyDeletion,
  type PolicySummary,
  type TodayPage,
  type StepKey,
  type StepTemplate,
  type StepTemplateView,
  type SimulatedDay,
  type PolicyForm,
  type Pause,
  type PauseChip,
  type PauseForm,
  type OutboxChanged,
  type OutboxEntry,
  type OutboxFilter,
  type OutboxListing,
  type OwnerAction,
  type PaymentForm,
  type PaymentOption,
  type PaymentOptionsView,
  type PaymentPreview,
  type PendingPage,
  type PendingQuery,
  type Progress,
  type Receivable,
  type ReceivableDetail,
  type ReceivableForm,
  type ReferenceRate,
  type ReferenceRateForm,
  type Region,
  type RegionFormat,
  type ReminderDraft,
  type ReminderRequest,
  type ReminderTemplate,
  type RenderedReminder,
  type RenderedStatement,
  type Restored,
  type RowDifference,
  type Rows,
  type SenderCheck,
  type SendReminder,
  type SendStatement,
  type SmtpPreset,
  type StatementDraft,
  type StatementTemplate,
  type StatementTemplateView,
  type TemplateView,
  type TestEmailSent,
  type Undeliverable,
  type WhatsAppLink,
  type WhatsAppRequest,
} from './bindings';

/** A command failed; `error` is the `{code, message, details}` contract from src-tauri/src/error.rs. */
export class ApiError extends Error {
  readonly error: IpcError;

  constructor(error: IpcError) {
    super(error.message);
    this.name = 'ApiError';
    this.error = error;
  }

  get code(): ErrorCode {
    return this.error.code;
  }
}

/** Anything the IPC rejected with, as the error contract (a bug or a dead core becomes `internal`).
 * The one place the UI trusts Rust's shape: a known code with an object of details is taken as
 * the generated type says; everything past here narrows on `code`. */
export function toIpcError(raw: unknown): IpcError {
  if (typeof raw === 'object' && raw !== null && 'code' in raw) {
    const { code, message, details } = raw as { code: unknown; message?: unknown; details?: unknown };
    if (ERROR_CODES.includes(code as ErrorCode) && typeof details === 'object' && details !== null) {
      return { code, message: String(message ?? ''), details } as IpcError;
    }
  }
  return { code: 'internal', message: String(raw), details: {} };
}

async function call<T>(command: Command, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (raw) {
    throw new ApiError(toIpcError(raw));
  }
}

export const api = {
  bootstrap: () => call<Bootstrap>('bootstrap'),
  reportFirstRender: (page: PageTimes) => call<FirstRender>('report_first_render', { page }),
  setLanguage: (language: Language) => call<Language>('set_language', { language }),
  emailServiceGet: () => call<EmailServiceView | null>('email_service_get'),
  emailServiceSave: (form: EmailServiceForm) => call<EmailServiceView>('email_service_save', { form }),
  emailServiceRemove: () => call<null>('email_service_remove'),
  emailServiceSendTest: (to: string) => call<TestEmailSent>('email_service_send_test', { to }),
  /** "Comprobar remitente": whether the provider can sign as the saved sender. */
  emailSenderCheck: (accountToken: string | null) => call<SenderCheck>('email_sender_check', { accountToken }),
  smtpPresets: () => call<SmtpPreset[]>('smtp_presets'),
  customersList: (query: CustomerQuery) => call<CustomerPage>('customers_list', { query }),
  customerGet: (id: number) => call<Customer>('customer_get', { id }),
  customerCreate: (form: CustomerForm) => call<Customer>('customer_create', { form }),
  customerUpdate: (id: number, form: CustomerForm) => call<Customer>('customer_update', { id, form }),
  customerSetArchived: (id: number, archived: boolean) => call<Customer>('customer_set_archived', { id, archived }),
  customerDelete: (id: number) => call<null>('customer_delete', { id }),
  /** "No entregable": why the customer's address does not receive mail, or null. */
  customerAddressStatus: (id: number) => call<Undeliverable | null>('customer_address_status', { id }),
  /** The owner confirms the customer's address: mail may go to it again. */
  customerAddressConfirm: (id: number) => call<boolean>('customer_address_confirm', { id }),
  customerReceivables: (customerId: number) => call<Receivable[]>('customer_receivables', { customerId }),
  customerPauses: (customerId: number) => call<Pause[]>('customer_pauses', { customerId }),
  pauseChips: (customerIds: number[]) => call<PauseChip[]>('pause_chips', { customerIds }),
  pauseStart: (form: PauseForm) => call<Pause>('pause_start', { form }),
  pauseEnd: (id: number) => call<Pause>('pause_end', { id }),
  collectionPolicyGet: (policyId: number | null = null) =>
    call<CollectionSettings>('collection_policy_get', { policyId }),
  collectionPolicySave: (policyId: number, policy: PolicyForm) =>
    call<PolicyForm>('collection_policy_save', { policyId, policy }),
  collectionPolicyCreate: (name: string) => call<PolicySummary>('collection_policy_create', { name }),
  collectionPolicyRename: (policyId: number, name: string) =>
    call<PolicySummary>('collection_policy_rename', { policyId, name }),
  collectionPolicyDelete: (policyId: number, confirmed: boolean) =>
    call<PolicyDeletion>('collection_policy_delete', { policyId, confirmed }),
  collectionsSimulate: (days: number) => call<SimulatedDay[]>('collections_simulate', { days }),
  collectionsToday: (limit: number) => call<TodayPage>('collections_today', { limit }),
  collectionSend: (slotId: number) => call<boolean>('collection_send', { slotId }),
  collectionSendAll: () => call<number>('collection_send_all'),
  collectionSkip: (slotId: number) => call<boolean>('collection_skip', { slotId }),
  collectionAlreadySent: (slotId: number) => call<boolean>('collection_already_sent', { slotId }),
  collectionPostpone: (slotId: number, until: string) => call<boolean>('collection_postpone', { slotId, until }),
  customerPolicy: (customerId: number) => call<CustomerPolicy>('customer_policy', { customerId }),
  customerSetPolicy: (customerId: number, policyId: number | null) =>
    call<null>('customer_set_policy', { customerId, policyId }),
  pendingList: (query: PendingQuery) => call<PendingPage>('pending_list', { query }),
  receivableGet: (id: number) => call<ReceivableDetail>('receivable_get', { id }),
  receivableCreate: (form: ReceivableForm) => call<ReceivableDetail>('receivable_create', { form }),
  receivableUpdate: (id: number, form: ReceivableForm) => call<ReceivableDetail>('receivable_update', { id, form }),
  receivableVoid: (id: number, reason: string) => call<ReceivableDetail>('receivable_void', { id, reason }),
  paymentPreview: (receivableId: number, form: PaymentForm) =>
    call<PaymentPreview>('payment_preview', { receivableId, form }),
  paymentRecord: (receivableId: number, form: PaymentForm) =>
    call<ReceivableDetail>('payment_record', { receivableId, form }),
  paymentReverse: (paymentId: number, reason: string) =>
    call<ReceivableDetail>('payment_reverse', { paymentId, reason }),
  setRegion: (region: Region) => call<RegionFormat>('set_region', { region }),
  readAmount: (currency: string, text: string) => call<Money>('read_amount', { currency, text }),
  readDate: (text: string) => call<DateShown>('read_date', { text }),
  /** An exchange rate as typed, written back the region's way ("36,50"). */
  readRate: (text: string) => call<string>('read_rate', { text }),
  today: () => call<DateShown>('today'),
  businessGet: () => call<BusinessView>('business_get'),
  businessSave: (business: Business) => call<Business>('business_save', { business }),
  currencies: () => call<Currency[]>('currencies'),
  updatesCheck: () => call<AvailableUpdate | null>('updates_check'),
  updatesInstall: () => call<null>('updates_install'),
  updatesAnnounced: () => call<AvailableUpdate | null>('updates_announced'),
  updatesCheckOnStartup: () => call<boolean>('updates_check_on_startup'),
  updatesSetCheckOnStartup: (enabled: boolean) => call<boolean>('updates_set_check_on_startup', { enabled }),
  /** Whether the session's autostart entry exists (read from the system, not from SQLite). */
  autostartGet: () => call<boolean>('autostart_get'),
  /** Writes or removes the entry; answers what the system now says. */
  autostartSet: (enabled: boolean) => call<boolean>('autostart_set', { enabled }),
  /** Whether a desktop notification says when reminders wait (off unless turned on). */
  noticesGet: () => call<boolean>('notices_get'),
  noticesSet: (enabled: boolean) => call<boolean>('notices_set', { enabled }),
  backupsList: () => call<AutomaticCopy[]>('backups_list'),
  /** CSV files travel as the raw request body, decoded in Rust (UTF-8 or Windows-1252). */
  csvImportPreview: (bytes: Uint8Array) => call<ImportPreview>('csv_import_preview', bytes),
  /** `accepted`: the preview's differences the user accepted, named by line and kind in a
   * header (the file is the body), as `src-tauri/src/commands/csv.rs` reads them. */
  csvImport: (bytes: Uint8Array, accepted: RowDifference[]) =>
    call<ImportPreview>('csv_import', bytes, {
      headers: { 'cachicamo-accept': accepted.map((d) => `${d.line}:${d.kind}`).join(',') },
    }),
  pendingExportCsv: (query: PendingQuery) => call<Exported>('pending_export_csv', { query }),
  /** Antigüedad de saldos of the whole book, as a CSV file in Downloads. */
  agingExportCsv: () => call<Exported>('aging_export_csv'),
  outboxList: (filter: OutboxFilter, before: number | null, limit: number) =>
    call<OutboxListing>('outbox_list', { filter, before, limit }),
  /** How many emails bounced or were marked as spam since Bandeja de salida was last looked at. */
  outboxBounceAlert: () => call<number>('outbox_bounce_alert'),
  /** The owner looked at Bandeja de salida: the banner counts from now. */
  outboxBouncesSeen: () => call<null>('outbox_bounces_seen'),
  /** Reintentar, Cancelar, Reenviar / Enviar, Marcar como enviado — on one row or all in a state. */
  outboxAct: (action: OwnerAction, rows: Rows) => call<OutboxEntry[]>('outbox_act', { action, rows }),
  /** The app is closing and waits for sends in flight (event `app://closing`). */
  onClosing: (handler: () => void): Promise<UnlistenFn> => listen('app://closing', () => handler()),
  reminderSend: (request: SendReminder) => call<OutboxEntry>('reminder_send', { request }),
  receivableReminders: (receivableId: number) => call<OutboxEntry[]>('receivable_reminders', { receivableId }),
  /** The collections evaluator ran: how many lines wait in Cobros de hoy (`collections://changed`). */
  onCollectionsChanged: (handler: (waiting: number) => void): Promise<UnlistenFn> =>
    listen<number>('collections://changed', (event) => handler(event.payload)),
  /** The outbox worker queued, sent, retried or failed an email (event `outbox://changed`). */
  onOutboxChanged: (handler: (change: OutboxChanged) => void): Promise<UnlistenFn> =>
    listen<OutboxChanged>('outbox://changed', (event) => handler(event.payload)),
  backupsExport: () => call<Exported>('backups_export'),
  /** A copy or restore moved on (event `backups://progress`). */
  onBackupProgress: (handler: (progress: Progress) => void): Promise<UnlistenFn> =>
    listen<Progress>('backups://progress', (event) => handler(event.payload)),
  backupsRestoreCopy: (name: string) => call<Restored>('backups_restore_copy', { name }),
  /** The picked file's bytes travel as the raw request body, not as JSON. */
  backupsRestoreFile: (bytes: Uint8Array) => call<Restored>('backups_restore_file', bytes),
  templatesGet: (language: Language) => call<TemplateView>('templates_get', { language }),
  templateSave: (language: Language, template: ReminderTemplate) =>
    call<TemplateView>('template_save', { language, template }),
  templateReset: (language: Language) => call<TemplateView>('template_reset', { language }),
  /** The template being edited, unsaved, with a sample receivable and the real business. */
  templatePreview: (language: Language, template: ReminderTemplate) =>
    call<RenderedReminder>('template_preview', { language, template }),
  /** Exactly what a reminder for this receivable would send, and to whom. */
  reminderPreview: (request: ReminderRequest) => call<ReminderDraft>('reminder_preview', { request }),
  paymentOptionsGet: () => call<PaymentOptionsView>('payment_options_get'),
  /** Formas de pago are saved as a whole list, in the owner's order. */
  paymentOptionsSave: (options: PaymentOption[]) => call<PaymentOptionsView>('payment_options_save', { options }),
  referenceRatesGet: () => call<ReferenceRate[]>('reference_rates_get'),
  referenceRateSave: (form: ReferenceRateForm) => call<ReferenceRate>('reference_rate_save', { form }),
  /** Exactly what a customer's statement would send (text, HTML, the PDF's pages), and to whom. */
  statementPreview: (request: SendStatement) => call<StatementDraft>('statement_preview', { request }),
  statementSend: (request: SendStatement) => call<OutboxEntry>('statement_send', { request }),
  /** "Guardar PDF": the statement's PDF into Downloads, where the owner opens it. */
  statementPdfSave: (customerId: number) => call<Exported>('statement_pdf_save', { customerId }),
  customerStatements: (customerId: number) => call<OutboxEntry[]>('customer_statements', { customerId }),
  /** How many statements a bulk send makes, to whom, and who is set apart and why. */
  statementsPlan: (selection: BulkSelection) => call<BulkPlan>('statements_plan', { selection }),
  /** Queues every planned statement in one transaction. */
  statementsSendBulk: (selection: BulkSelection, attachPdf: boolean) =>
    call<BulkQueued>('statements_send_bulk', { selection, attachPdf }),
  statementTemplatesGet: (language: Language) => call<StatementTemplateView>('statement_templates_get', { language }),
  statementTemplateSave: (language: Language, template: StatementTemplate) =>
    call<StatementTemplateView>('statement_template_save', { language, template }),
  statementTemplateReset: (language: Language) => call<StatementTemplateView>('statement_template_reset', { language }),
  /** The statement template being edited, unsaved, with a sample statement and the real business. */
  statementTemplatePreview: (language: Language, template: StatementTemplate) =>
    call<RenderedStatement>('statement_template_preview', { language, template }),
  /** A step of the política de cobranza in its own words (Ajustes → Plantillas), per language:
   * the statement's, or the reminder's for a step sent per receivable, as the step's unit says. */
  stepWordsGet: (step: StepKey, language: Language) => call<StepTemplateView>('step_words_get', { step, language }),
  stepWordsSave: (step: StepKey, language: Language, template: StepTemplate) =>
    call<StepTemplateView>('step_words_save', { step, language, template }),
  /** "Restablecer": the step says its unit's default words again. */
  stepWordsReset: (step: StepKey, language: Language) => call<StepTemplateView>('step_words_reset', { step, language }),
  /** Opens WhatsApp with the customer's statement (or a receivable's reminder) typed in. */
  whatsappOpen: (request: WhatsAppRequest) => call<WhatsAppLink>('whatsapp_open', { request }),
  /** The quiet start-up check found a new version (event `updates://available`). */
  onUpdateAvailable: (handler: (update: AvailableUpdate) => void): Promise<UnlistenFn> =>
    listen<AvailableUpdate>('updates://available', (event) => handler(event.payload)),
};
