//! Each step of a política de cobranza in its own words (Ajustes → Plantillas): the statement's
//! subject, intro and closing — or, for a step sent per receivable, the reminder's subject and
//! body — per language, checked exactly like the unit's default template, which stands in when
//! a step has none (or only one a restored file made invalid). Also which step a message from
//! Cobros de hoy is for, so the statement or reminder it queues remembers it and every later
//! render — the send check's, a Reenviar's — keeps that step's words.

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use super::policies::followed_in;
use super::today::{reminder_error, statement_error};
use super::{policies_in, proposed_words, CollectionsError};
use crate::books::BooksError;
use crate::db::Database;
use crate::locale::Language;
use crate::reminders::{self, ReminderTemplate, TemplateView};
use crate::statements::template as statement_template;
use crate::statements::{StatementError, StatementTemplate, StatementTemplateView};
use crate::step_templates::{self, StepKey, StepWords};

/// A step's statement words as the editor shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepStatementTemplateView {
    #[serde(flatten)]
    pub view: StatementTemplateView,
    /// What the guide proposes for this step, offered and never saved unasked.
    pub proposed: StatementTemplate,
}

/// A step's reminder words (a step sent per receivable) as the editor shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepReminderTemplateView {
    #[serde(flatten)]
    pub view: TemplateView,
    pub proposed: ReminderTemplate,
}

/// The step whose words a slot of `customer_id` at `offset_days` says: a step of the policy the
/// customer follows, and for a repeat after the last step, that last step (its words repeat).
/// `None`: the customer follows none, or it has no step that early.
pub(crate) fn step_for_slot(
    conn: &Connection,
    customer_id: i64,
    offset_days: i32,
) -> Result<Option<StepKey>, CollectionsError> {
    let Some(policy_id) = followed_in(conn, customer_id)? else {
        return Ok(None);
    };
    let policies = policies_in(conn)?;
    Ok(policies.get(&policy_id).and_then(|rules| {
        rules
            .steps
            .iter()
            .map(|step| step.offset_days)
            .filter(|&offset| offset <= offset_days)
            .max()
            .map(|offset_days| StepKey {
                policy_id,
                offset_days,
            })
    }))
}

/// Words are kept only for a step the policy has: its policy's offsets, or not found.
fn known(conn: &Connection, step: StepKey) -> Result<Vec<i32>, CollectionsError> {
    let policies = policies_in(conn)?;
    let offsets: Vec<i32> = policies
        .get(&step.policy_id)
        .map(|rules| rules.steps.iter().map(|s| s.offset_days).collect())
        .unwrap_or_default();
    if offsets.contains(&step.offset_days) {
        Ok(offsets)
    } else {
        Err(CollectionsError::Books(BooksError::NotFound {
            what: "step",
            id: i64::from(step.offset_days),
        }))
    }
}

fn statement_view(
    conn: &Connection,
    step: StepKey,
    language: Language,
) -> Result<StepStatementTemplateView, CollectionsError> {
    let offsets = known(conn, step)?;
    Ok(StepStatementTemplateView {
        view: statement_template::step_view_in(conn, step, language).map_err(statement_error)?,
        proposed: proposed_words::statement(step.offset_days, &offsets, language),
    })
}

fn reminder_view(
    conn: &Connection,
    step: StepKey,
    language: Language,
) -> Result<StepReminderTemplateView, CollectionsError> {
    let offsets = known(conn, step)?;
    Ok(StepReminderTemplateView {
        view: reminders::step_template_in(conn, step, language).map_err(reminder_error)?,
        proposed: proposed_words::reminder(step.offset_days, &offsets, language),
    })
}

/// The statement words of `step` in `language` (the default ones until the owner saves some).
pub fn statement_words(
    db: &Database,
    step: StepKey,
    language: Language,
) -> Result<StepStatementTemplateView, CollectionsError> {
    db.read(|conn| statement_view(conn, step, language))
}

/// Keeps the step's statement words once they pass the default template's checks; nothing
/// changes when a field is refused.
pub fn save_statement_words(
    db: &Database,
    step: StepKey,
    language: Language,
    template: StatementTemplate,
) -> Result<StepStatementTemplateView, CollectionsError> {
    let valid = template.validated(language).map_err(statement_error)?;
    let json =
        serde_json::to_string(&valid).map_err(|_| statement_error(StatementError::Unstorable))?;
    db.write(|tx| {
        known(tx, step)?;
        step_templates::store(tx, step, StepWords::Statement, language, &json)?;
        statement_view(tx, step, language)
    })
}

/// "Restablecer": the step's statement says the default words again.
pub fn reset_statement_words(
    db: &Database,
    step: StepKey,
    language: Language,
) -> Result<StepStatementTemplateView, CollectionsError> {
    db.write(|tx| {
        known(tx, step)?;
        step_templates::forget(tx, step, StepWords::Statement, language)?;
        statement_view(tx, step, language)
    })
}

/// The reminder words of `step` (sent per receivable) in `language`.
pub fn reminder_words(
    db: &Database,
    step: StepKey,
    language: Language,
) -> Result<StepReminderTemplateView, CollectionsError> {
    db.read(|conn| reminder_view(conn, step, language))
}

/// Keeps the step's reminder words once they pass the default template's checks.
pub fn save_reminder_words(
    db: &Database,
    step: StepKey,
    language: Language,
    template: ReminderTemplate,
) -> Result<StepReminderTemplateView, CollectionsError> {
    let valid = template.validated(language).map_err(reminder_error)?;
    let json = serde_json::to_string(&valid)
        .map_err(|_| reminder_error(reminders::ReminderError::Unstorable))?;
    db.write(|tx| {
        known(tx, step)?;
        step_templates::store(tx, step, StepWords::Receivable, language, &json)?;
        reminder_view(tx, step, language)
    })
}

/// "Restablecer": the step's reminder says the default words again.
pub fn reset_reminder_words(
    db: &Database,
    step: StepKey,
    language: Language,
) -> Result<StepReminderTemplateView, CollectionsError> {
    db.write(|tx| {
        known(tx, step)?;
        step_templates::forget(tx, step, StepWords::Receivable, language)?;
        reminder_view(tx, step, language)
    })
}
