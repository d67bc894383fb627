//! "Enviar estado de cuenta": the statement as it will leave (recipient, subject, text, HTML and
//! the PDF), and queuing it — rendered inside the queuing transaction from the books as they are
//! then, stored in the outbox with its PDF and with what it states (the balance per currency,
//! the recipient, the reference rates used) for the send check.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{build_in, Equivalent, Statement, STATEMENT_REFERENCE};
use super::render::{render, RenderedStatement};
use super::template::StatementTemplate;
use super::{pdf, StatementError};
use crate::books::history::{self, Facts, HistoryKind};
use crate::books::reading::Reading;
use crate::books::{customers, export};
use crate::db::Database;
use crate::locale::Region;
use crate::mail::{Attachment, EmailAddress};
use crate::outbox::{self, OutboxEntry, OutboxId, QueuedEmail};
use crate::step_templates::StepKey;
use crate::validation::{FieldErrors, FieldProblem};

/// A statement to show or send.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SendStatement {
    #[ts(type = "number")]
    pub customer_id: i64,
    /// Another address for this one statement; empty: the customer's registered one.
    pub recipient: Option<String>,
    /// Attach the PDF (on unless turned off).
    pub attach_pdf: bool,
}

impl Default for SendStatement {
    fn default() -> Self {
        SendStatement {
            customer_id: 0,
            recipient: None,
            attach_pdf: true,
        }
    }
}

/// What a queued statement states, stored with its outbox row (JSON) for the send check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementFacts {
    pub customer_id: i64,
    /// Balance per currency, code order.
    pub balances: Vec<(String, i64)>,
    /// How figures were written, so a re-render writes them the same way.
    pub region: Region,
    /// The owner typed this statement's address: it stays whatever the customer's becomes.
    pub recipient_typed: bool,
    pub attach_pdf: bool,
    /// The reference rates the statement quoted (kept with the sent message).
    #[serde(default)]
    pub equivalents: Vec<Equivalent>,
    /// The step of a política de cobranza it was queued for (Cobros de hoy): every re-render
    /// says that step's words. Kept in these facts rather than a column of the outbox, which
    /// stays generic: the send check that re-renders reads exactly these facts, and rows
    /// queued before steps had words (no `step`) read back as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepKey>,
    /// For a step: the oldest due date it was counted from ("2026-11-01"). It goes only while
    /// a debt due by then is still owed and not paused — the invoice that made it a "segundo
    /// aviso" paid, the newer ones are not that late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted_from: Option<String>,
}

/// The statement exactly as it would leave.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementDraft {
    #[ts(type = "number")]
    pub customer_id: i64,
    /// Normalised address; `None` when the customer has none and none was given.
    pub recipient: Option<String>,
    pub message: RenderedStatement,
    /// What the three parts are written from (the screens show the table from it).
    pub statement: Statement,
    pub attach_pdf: bool,
    /// How many pages the PDF has (0 without one).
    pub pdf_pages: u32,
    #[serde(skip)]
    #[ts(skip)]
    pub pdf: Option<Vec<u8>>,
    #[serde(skip)]
    #[ts(skip)]
    pub facts: StatementFacts,
}

/// The outbox reference of a customer's statements.
pub fn reference(customer_id: i64) -> String {
    format!("{STATEMENT_REFERENCE}{customer_id}")
}

/// The statement of `customer_id` as the books say it now, inside the caller's transaction;
/// `recipient` is an address typed for it (`None`: the customer's registered one).
pub fn draft_in(
    conn: &Connection,
    customer_id: i64,
    recipient: Option<String>,
    attach_pdf: bool,
    reading: &Reading,
) -> Result<StatementDraft, StatementError> {
    draft_for_step_in(conn, customer_id, recipient, attach_pdf, reading, None)
}

/// [`draft_in`] for a step of a política de cobranza: that step's words, remembered in the
/// facts for every later render.
pub(crate) fn draft_for_step_in(
    conn: &Connection,
    customer_id: i64,
    recipient: Option<String>,
    attach_pdf: bool,
    reading: &Reading,
    step: Option<StepKey>,
) -> Result<StatementDraft, StatementError> {
    let statement = build_in(conn, customer_id, reading)?;
    let template = super::template::template_for_in(conn, step, statement.language)?;
    let mut draft = draft_of(conn, statement, &template, recipient, attach_pdf)?;
    draft.facts.step = step;
    Ok(draft)
}

pub(crate) fn draft_of(
    conn: &Connection,
    statement: Statement,
    template: &StatementTemplate,
    recipient: Option<String>,
    attach_pdf: bool,
) -> Result<StatementDraft, StatementError> {
    let message = render(&statement, template)?;
    let (pdf, pdf_pages) = if attach_pdf {
        (
            Some(pdf::render(&statement)?),
            pdf::page_count(&statement) as u32,
        )
    } else {
        (None, 0)
    };
    let typed = recipient.is_some();
    let recipient = match recipient {
        Some(typed) => Some(typed),
        None => customers::find(conn, statement.customer_id)?
            .email
            .as_deref()
            .and_then(|saved| saved.parse::<EmailAddress>().ok())
            .map(|address| address.to_string()),
    };
    let facts = StatementFacts {
        customer_id: statement.customer_id,
        balances: statement.balances(),
        region: statement.region,
        recipient_typed: typed,
        attach_pdf,
        equivalents: statement
            .groups
            .iter()
            .filter_map(|g| g.equivalent.clone())
            .collect(),
        step: None,
        counted_from: None,
    };
    Ok(StatementDraft {
        customer_id: statement.customer_id,
        recipient,
        message,
        statement,
        attach_pdf,
        pdf_pages,
        pdf,
        facts,
    })
}

/// The statement for the confirmation dialog.
pub fn preview(
    db: &Database,
    request: &SendStatement,
    reading: &Reading,
) -> Result<StatementDraft, StatementError> {
    let typed = typed_recipient(request)?;
    db.read(|conn| {
        draft_in(
            conn,
            request.customer_id,
            typed,
            request.attach_pdf,
            reading,
        )
    })
}

/// "Guardar PDF": the PDF the statement would carry, written into `dir` (the user's Downloads)
/// under the attachment's own name, never over a file already there. The window cannot show a
/// PDF (its CSP allows no `object`, `blob:` or plug-in), so the owner opens it from the folder.
pub fn save_pdf(
    db: &Database,
    customer_id: i64,
    reading: &Reading,
    dir: &Path,
) -> Result<PathBuf, StatementError> {
    let draft = db.read(|conn| draft_in(conn, customer_id, None, true, reading))?;
    let bytes = draft.pdf.ok_or(StatementError::Pdf("no PDF was made"))?;
    let name = &draft.message.file_name;
    let stem = name.strip_suffix(".pdf").unwrap_or(name);
    Ok(export::write_unique(dir, stem, "pdf", &bytes)?)
}

fn typed_recipient(request: &SendStatement) -> Result<Option<String>, StatementError> {
    match request.recipient.as_deref().map(str::trim) {
        Some(typed) if !typed.is_empty() => parse_address(typed).map(|a| Some(a.to_string())),
        _ => Ok(None),
    }
}

fn parse_address(text: &str) -> Result<EmailAddress, StatementError> {
    text.parse().map_err(|_| {
        let mut errors = FieldErrors::default();
        errors.add("recipient", FieldProblem::InvalidEmail);
        StatementError::Invalid(errors.into_vec())
    })
}

/// The outbox row of a draft: its message, its PDF and what it states.
pub(crate) fn queued_email(draft: StatementDraft) -> Result<QueuedEmail, StatementError> {
    let Some(to) = draft.recipient.as_deref() else {
        let mut errors = FieldErrors::default();
        errors.add("recipient", FieldProblem::Required);
        return Err(StatementError::Invalid(errors.into_vec()));
    };
    let to = parse_address(to)?;
    let attachments = draft
        .pdf
        .map(|bytes| Attachment::pdf(draft.message.file_name.clone(), bytes))
        .into_iter()
        .collect();
    Ok(QueuedEmail {
        to,
        subject: draft.message.subject,
        text: draft.message.text,
        html: draft.message.html,
        reference: Some(reference(draft.customer_id)),
        facts: Some(serde_json::to_string(&draft.facts).map_err(|_| StatementError::Unstorable)?),
        attachments,
    })
}

/// Queues the statement in one transaction; wake the worker with `OutboxHandle::queued` after
/// (`reminders::Bookkeeper::send_statement` does both).
pub fn queue(
    db: &Database,
    request: &SendStatement,
    reading: &Reading,
) -> Result<OutboxId, StatementError> {
    let typed = typed_recipient(request)?;
    db.write(|tx| {
        let draft = draft_in(tx, request.customer_id, typed, request.attach_pdf, reading)?;
        enqueue_in(tx, draft)
    })
}

/// Puts the draft in the outbox (refused to an address marked "No entregable") and writes "Estado de cuenta en cola para …" in the history of
/// every receivable it lists, in the caller's transaction: each receivable's history tells that
/// its customer was sent the statement, as it tells of a reminder.
pub(crate) fn enqueue_in(
    tx: &Transaction<'_>,
    draft: StatementDraft,
) -> Result<OutboxId, StatementError> {
    let covered: Vec<i64> = draft
        .statement
        .groups
        .iter()
        .flat_map(|group| group.lines.iter().map(|line| line.receivable_id))
        .collect();
    let email = queued_email(draft)?;
    // Refused here, not held at send time: the owner sees why now and can write by WhatsApp.
    if let Some(errors) = crate::undeliverable::refusal(tx, email.to.as_str())? {
        return Err(StatementError::Invalid(errors));
    }
    let facts = Facts {
        recipient: Some(email.to.to_string()),
        ..Facts::default()
    };
    let id = outbox::enqueue(tx, email)?;
    for receivable_id in covered {
        history::record(tx, receivable_id, HistoryKind::StatementQueued, &facts)?;
    }
    Ok(id)
}

/// Every statement sent or waiting for a customer, newest first.
pub fn of_customer(db: &Database, customer_id: i64) -> Result<Vec<OutboxEntry>, StatementError> {
    Ok(db.read(|conn| outbox::list_by_reference(conn, &reference(customer_id)))?)
}
