//! Each step of a política de cobranza in its own words (Ajustes → Plantillas): the statement's
//! subject, intro and closing — or, for a step sent per receivable, the reminder's subject and
//! body — per language, checked exactly like the unit's default template, which stands in when
//! a step has none (or only one a restored file made invalid). Also which step a message from
//! Cobros de hoy is for, so the statement or reminder it queues remembers it and every later
//! render — the send check's, a Reenviar's — keeps that step's words.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::policies::followed_in;
use super::policy::StepUnit;
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

/// A step's own words, those of the message its unit sends: a step sent as the customer's
/// statement has statement words, a step sent per receivable has reminder words. Tagged with
/// the unit's wire name, so the window says which it edits and the core checks it is the step's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum StepTemplate {
    Statement(StatementTemplate),
    Receivable(ReminderTemplate),
}

/// A step's words as the editor shows them, in the words of the step's unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum StepTemplateView {
    Statement(StepStatementTemplateView),
    Receivable(StepReminderTemplateView),
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

/// The step's unit, and its policy's offsets (what the proposed words depend on). Words are
/// kept only for a step the policy has: not found otherwise.
fn known(conn: &Connection, step: StepKey) -> Result<(StepUnit, Vec<i32>), CollectionsError> {
    let policies = policies_in(conn)?;
    let steps = policies
        .get(&step.policy_id)
        .map(|rules| rules.steps.as_slice())
        .unwrap_or_default();
    let offsets = steps.iter().map(|s| s.offset_days).collect();
    match steps.iter().find(|s| s.offset_days == step.offset_days) {
        Some(found) => Ok((found.unit, offsets)),
        None => Err(unknown(step)),
    }
}

fn unknown(step: StepKey) -> CollectionsError {
    CollectionsError::Books(BooksError::NotFound {
        what: "step",
        id: i64::from(step.offset_days),
    })
}

/// Where the words of a step of `unit` are kept.
fn kept_as(unit: StepUnit) -> StepWords {
    match unit {
        StepUnit::Statement => StepWords::Statement,
        StepUnit::Receivable => StepWords::Receivable,
    }
}

fn view_in(
    conn: &Connection,
    step: StepKey,
    language: Language,
) -> Result<StepTemplateView, CollectionsError> {
    let (unit, offsets) = known(conn, step)?;
    Ok(match unit {
        StepUnit::Statement => StepTemplateView::Statement(StepStatementTemplateView {
            view: statement_template::step_view_in(conn, step, language)
                .map_err(statement_error)?,
            proposed: proposed_words::statement(step.offset_days, &offsets, language),
        }),
        StepUnit::Receivable => StepTemplateView::Receivable(StepReminderTemplateView {
            view: reminders::step_template_in(conn, step, language).map_err(reminder_error)?,
            proposed: proposed_words::reminder(step.offset_days, &offsets, language),
        }),
    })
}

/// The words of `step` in `language`, of the message its unit sends (the default ones until
/// the owner saves some).
pub fn words(
    db: &Database,
    step: StepKey,
    language: Language,
) -> Result<StepTemplateView, CollectionsError> {
    db.read(|conn| view_in(conn, step, language))
}

/// Keeps the step's words once they pass the checks of its unit's default template; nothing
/// changes when a field is refused. Words of the other unit than the step's — it changed since
/// the editor opened — find no such step.
pub fn save_words(
    db: &Database,
    step: StepKey,
    language: Language,
    template: StepTemplate,
) -> Result<StepTemplateView, CollectionsError> {
    let (unit, json) = match template {
        StepTemplate::Statement(template) => {
            let valid = template.validated(language).map_err(statement_error)?;
            let json = serde_json::to_string(&valid)
                .map_err(|_| statement_error(StatementError::Unstorable))?;
            (StepUnit::Statement, json)
        }
        StepTemplate::Receivable(template) => {
            let valid = template.validated(language).map_err(reminder_error)?;
            let json = serde_json::to_string(&valid)
                .map_err(|_| reminder_error(reminders::ReminderError::Unstorable))?;
            (StepUnit::Receivable, json)
        }
    };
    db.write(|tx| {
        if known(tx, step)?.0 != unit {
            return Err(unknown(step));
        }
        step_templates::store(tx, step, kept_as(unit), language, &json)?;
        view_in(tx, step, language)
    })
}

/// "Restablecer": the step says its unit's default words again.
pub fn reset_words(
    db: &Database,
    step: StepKey,
    language: Language,
) -> Result<StepTemplateView, CollectionsError> {
    db.write(|tx| {
        let (unit, _) = known(tx, step)?;
        step_templates::forget(tx, step, kept_as(unit), language)?;
        view_in(tx, step, language)
    })
}
