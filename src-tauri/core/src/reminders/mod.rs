//! Payment reminders' content: the template per language the owner edits in Ajustes →
//! Plantillas, and the exact message (recipient, subject, text, HTML) for a receivable.
//!
//! This module renders and never sends: the outbox stores what `for_receivable` returns and sends
//! that, so what the owner confirmed is what leaves. Templates are kept through `settings`.

mod bookkeeper;
pub mod facts;
pub mod gate;
pub mod listing;
pub mod queue;
pub mod render;
pub mod template;
pub mod variables;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::reading::Reading;
use crate::books::receivables::{self, ReceivableStatus};
use crate::books::{customers, BooksError, Refusal};
use crate::business;
use crate::db::Database;
use crate::locale::Language;
use crate::mail::address::EmailAddress;
use crate::payment_options;
use crate::settings::{self, SettingsError};
use crate::step_templates::{self, StepKey, StepWords};
use crate::templating;
use crate::validation::{FieldError, FieldErrors, FieldProblem};

pub use bookkeeper::Bookkeeper;
pub use facts::ReminderFacts;
pub use gate::{Rechecks, ReminderGate, Stated};
pub use render::{render, RenderedReminder};
pub use template::ReminderTemplate;
pub use variables::{Variable, VariableKey};

#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error("some fields are invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A template that passed validation failed to render: a bug, not the owner's doing.
    #[error("the template could not be rendered: {0}")]
    Render(#[from] minijinja::Error),
    #[error(transparent)]
    Books(#[from] BooksError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Outbox(#[from] crate::outbox::OutboxError),
    /// What the reminder states could not be written down for the send check (a bug).
    #[error("the reminder's facts could not be stored")]
    Unstorable,
}

impl From<rusqlite::Error> for ReminderError {
    fn from(err: rusqlite::Error) -> Self {
        ReminderError::Books(err.into())
    }
}

/// A language's template as Ajustes → Plantillas shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    pub language: Language,
    pub template: ReminderTemplate,
    /// Nothing usable saved: the template Cachicamo ships.
    pub is_default: bool,
    /// A saved template did not pass the editor's checks (it came in a restored copy, say), so
    /// the default is used instead until the owner saves one.
    pub saved_was_invalid: bool,
    pub variables: Vec<Variable>,
}

/// What the send-confirmation dialog shows and what gets queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReminderRequest {
    #[ts(type = "number")]
    pub receivable_id: i64,
    /// Another address for this one reminder; the customer's own when absent or empty.
    #[serde(default)]
    pub recipient: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReminderDraft {
    #[ts(type = "number")]
    pub receivable_id: i64,
    /// Normalised address; `None` when the customer has none and none was given.
    pub recipient: Option<String>,
    pub message: RenderedReminder,
    /// What the message states, kept with the queued row for the send check.
    #[serde(skip)]
    #[ts(skip)]
    pub stated: Stated,
}

/// The owner's template for `language`, else the default one. What is read back is checked as
/// the editor checks what is typed: one that would be refused there (a statement, a loop, an
/// unknown variable) is never rendered; the default stands in for it.
pub fn template(db: &Database, language: Language) -> Result<TemplateView, ReminderError> {
    db.read(|conn| template_in(conn, language))
}

/// [`template`] inside a transaction the caller holds. A saved template that would be refused
/// today (a restored copy, an older version) is not used: the default applies, and the view says
/// so.
pub fn template_in(conn: &Connection, language: Language) -> Result<TemplateView, ReminderError> {
    let saved = match settings::reminder_template_in(conn, language) {
        Ok(saved) => saved.map(|template| template.validated(language)),
        Err(SettingsError::Corrupt { .. }) => Some(Err(ReminderError::Invalid(Vec::new()))),
        Err(err) => return Err(err.into()),
    };
    if let Some(Err(err)) = &saved {
        tracing::warn!(language = ?language, error = %err, "the saved reminder template is invalid; the default is used");
    }
    shown(language, saved, || Ok(ReminderTemplate::standard(language)))
}

/// The words of a step of a política de cobranza sent per receivable, for `language`, checked
/// like what is typed; without any (or with one that would be refused: a restored copy) the
/// owner's default reminder template stands in, and the view says so.
pub fn step_template_in(
    conn: &Connection,
    step: StepKey,
    language: Language,
) -> Result<TemplateView, ReminderError> {
    let saved =
        step_templates::stored_in(conn, step, StepWords::Receivable, language)?.map(|json| {
            serde_json::from_str::<ReminderTemplate>(&json)
                .map_err(|_| ReminderError::Invalid(Vec::new()))
                .and_then(|template| template.validated(language))
        });
    if let Some(Err(err)) = &saved {
        tracing::warn!(?step, ?language, error = %err, "a step's reminder template is invalid; the default is used");
    }
    shown(
        language,
        saved,
        || Ok(template_in(conn, language)?.template),
    )
}

/// The words a reminder for `step` says (`None`: not for a step) in `language`.
pub fn template_for_in(
    conn: &Connection,
    step: Option<StepKey>,
    language: Language,
) -> Result<ReminderTemplate, ReminderError> {
    Ok(match step {
        Some(step) => step_template_in(conn, step, language)?,
        None => template_in(conn, language)?,
    }
    .template)
}

/// The view of what was read back (`None`: nothing saved), `fallback` standing in for nothing
/// or for what would be refused.
fn shown(
    language: Language,
    saved: Option<Result<ReminderTemplate, ReminderError>>,
    fallback: impl FnOnce() -> Result<ReminderTemplate, ReminderError>,
) -> Result<TemplateView, ReminderError> {
    let chosen = templating::chosen(saved, fallback)?;
    Ok(TemplateView {
        language,
        is_default: chosen.is_default,
        saved_was_invalid: chosen.saved_was_invalid,
        template: chosen.template,
        variables: variables::list(language),
    })
}

/// Validates and keeps the owner's template; nothing changes when a field is refused.
pub fn save(
    db: &Database,
    language: Language,
    template: ReminderTemplate,
) -> Result<TemplateView, ReminderError> {
    let valid = template.validated(language)?;
    settings::set_reminder_template(db, language, &valid)?;
    self::template(db, language)
}

/// "Restaurar predeterminada": forgets the owner's template, so the default applies again (and
/// a better default in a later version reaches them too).
pub fn reset(db: &Database, language: Language) -> Result<TemplateView, ReminderError> {
    settings::remove_reminder_template(db, language)?;
    self::template(db, language)
}

/// The template being edited, unsaved, rendered with a sample receivable and the owner's real
/// business, so the preview shows what customers would read.
pub fn preview(
    db: &Database,
    language: Language,
    template: ReminderTemplate,
    reading: &Reading,
) -> Result<RenderedReminder, ReminderError> {
    let valid = template.validated(language)?;
    let (business, methods) = db.read(|conn| {
        Ok::<_, ReminderError>((business::get_in(conn)?, payment_options::usable_in(conn)?))
    })?;
    let mut facts = ReminderFacts::sample(language, &business, reading.today);
    facts.payment_instructions = payment_options::instructions(
        &methods,
        &[&facts.currency],
        language,
        facts.document_number.as_deref(),
    )
    .join("\n");
    render(&valid, &facts, language, reading.region)
}

/// The exact reminder for a pending receivable, in its customer's email language, to the
/// customer's address or to `request.recipient` when given.
pub fn for_receivable(
    db: &Database,
    request: &ReminderRequest,
    reading: &Reading,
) -> Result<ReminderDraft, ReminderError> {
    let recipient = match request.recipient.as_deref().map(str::trim) {
        Some(typed) if !typed.is_empty() => Some(parse_recipient(typed)?),
        _ => None,
    };
    db.read(|conn| {
        let draft = draft_in(conn, request.receivable_id, recipient, reading)?;
        if let Some(to) = &draft.recipient {
            queue::refuse_undeliverable(conn, to)?;
        }
        Ok(draft)
    })
}

/// The reminder as the books say it now, inside a transaction the caller holds (the send check
/// re-renders with this). `recipient` is an address typed for this reminder; `None` means the
/// customer's registered one.
pub fn draft_in(
    conn: &Connection,
    receivable_id: i64,
    recipient: Option<String>,
    reading: &Reading,
) -> Result<ReminderDraft, ReminderError> {
    draft_for_step_in(conn, receivable_id, recipient, reading, None)
}

/// [`draft_in`] for a step of a política de cobranza sent per receivable: that step's words,
/// remembered in what the reminder states for every later render.
pub(crate) fn draft_for_step_in(
    conn: &Connection,
    receivable_id: i64,
    recipient: Option<String>,
    reading: &Reading,
    step: Option<StepKey>,
) -> Result<ReminderDraft, ReminderError> {
    let receivable = receivables::find(conn, receivable_id, reading)?;
    if receivable.status != ReceivableStatus::Pending {
        return Err(BooksError::Refused(Refusal::NotPending).into());
    }
    let customer = customers::find(conn, receivable.customer_id)?;
    let language = customer.email_language;
    let template = template_for_in(conn, step, language)?;
    let mut facts = ReminderFacts::new(&receivable, &business::get_in(conn)?)?;
    // The formas de pago that accept what this reminder asks to be paid.
    facts.payment_instructions = payment_options::instructions(
        &payment_options::usable_in(conn)?,
        &[&facts.currency],
        language,
        facts.document_number.as_deref(),
    )
    .join("\n");
    let message = render(&template, &facts, language, reading.region)?;
    let recipient = match recipient {
        Some(typed) => Some(typed),
        None => receivable
            .customer_email
            .as_deref()
            .and_then(|saved| saved.parse::<EmailAddress>().ok())
            .map(|address| address.to_string()),
    };
    Ok(ReminderDraft {
        receivable_id: receivable.id,
        recipient,
        message,
        stated: Stated {
            receivable_id: receivable.id,
            customer_id: receivable.customer_id,
            currency: receivable.balance.currency.clone(),
            balance_minor: receivable.balance.minor,
            region: reading.region,
            recipient_typed: false,
            step,
            due_date: Some(receivable.due_date.iso.clone()),
        },
    })
}

fn parse_recipient(typed: &str) -> Result<String, ReminderError> {
    typed
        .parse::<EmailAddress>()
        .map(|address| address.to_string())
        .map_err(|_| {
            let mut errors = FieldErrors::default();
            errors.add("recipient", FieldProblem::InvalidEmail);
            ReminderError::Invalid(errors.into_vec())
        })
}
