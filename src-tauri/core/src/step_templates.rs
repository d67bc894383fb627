//! Where the words of each step of a política de cobranza are kept: one row per (policy, step
//! offset, unit, language), its template as JSON (migration 0018). This module only stores and
//! names them; the unit that renders a step — `statements` or `reminders` — reads a row back
//! through its own template validation, and `collections::step_words` decides which step a
//! message is for. It sits below all three, so none of them imports another to reach it.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::locale::Language;
use crate::wire;

/// A step of a policy, as a queued message remembers it: every later render of that message —
/// the send check's, a Reenviar's — uses this step's words, not the default ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepKey {
    #[ts(type = "number")]
    pub policy_id: i64,
    /// The step's offset from the due date, its identity within the policy.
    pub offset_days: i32,
}

/// What a step's row holds words for (the step's unit, by its wire name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepWords {
    /// The statement's subject, intro and closing.
    Statement,
    /// The payment reminder's subject and body.
    Receivable,
}

impl StepWords {
    fn code(self) -> &'static str {
        match self {
            StepWords::Statement => "statement",
            StepWords::Receivable => "receivable",
        }
    }
}

/// The stored JSON of `step`'s words for `language`, unchecked: the caller validates it.
pub fn stored_in(
    conn: &Connection,
    step: StepKey,
    words: StepWords,
    language: Language,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT template FROM step_templates
         WHERE policy_id = ?1 AND offset_days = ?2 AND unit = ?3 AND language = ?4",
    )?
    .query_row(
        params![
            step.policy_id,
            step.offset_days,
            words.code(),
            wire::code(&language)
        ],
        |r| r.get(0),
    )
    .optional()
}

/// Keeps `json` (already validated by its unit) as `step`'s words for `language`.
pub fn store(
    tx: &Transaction<'_>,
    step: StepKey,
    words: StepWords,
    language: Language,
    json: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO step_templates (policy_id, offset_days, unit, language, template)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (policy_id, offset_days, unit, language)
         DO UPDATE SET template = excluded.template",
    )?
    .execute(params![
        step.policy_id,
        step.offset_days,
        words.code(),
        wire::code(&language),
        json
    ])?;
    Ok(())
}

/// "Restablecer": the step says the default words again.
pub fn forget(
    tx: &Transaction<'_>,
    step: StepKey,
    words: StepWords,
    language: Language,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM step_templates
         WHERE policy_id = ?1 AND offset_days = ?2 AND unit = ?3 AND language = ?4",
    )?
    .execute(params![
        step.policy_id,
        step.offset_days,
        words.code(),
        wire::code(&language)
    ])?;
    Ok(())
}
