//! Cobros automáticos: the política de cobranza, who follows which (or none), and the
//! evaluator that turns them, the books and the pauses into slots — one per (customer, step,
//! anchoring due date), UNIQUE in the database — on the user's calendar day, which is always
//! passed in. Sending what a slot asks for belongs to the screens of the next slice (Cobros de
//! hoy); nothing here sends. Several named policies may exist (`policies`): which rules are
//! per policy and which are the shop's alone is written there.

pub mod batch;
pub mod evaluate;
pub mod form;
pub mod policies;
pub mod policy;
pub mod proposed_words;
pub mod simulate;
pub mod slots;
pub mod step_words;
pub mod today;

use std::collections::HashMap;

use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::books::dates::DateShown;
use crate::books::BooksError;
use crate::db::{Database, DbError};
use crate::settings::SettingsError;
use crate::validation::FieldError;
use policy::PolicyRules;

/// What Ajustes → Cobranza shows: every policy, the one being edited, what the guide proposes,
/// and whose calendar day the evaluator follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CollectionSettings {
    /// The shop's first.
    pub policies: Vec<policies::PolicySummary>,
    /// The policy `policy` is.
    #[ts(type = "number")]
    pub policy_id: i64,
    /// The policy, its minimums written the region's way.
    pub policy: form::PolicyForm,
    /// The four steps the first-run guide offers.
    pub proposed: PolicyRules,
    /// The OS time zone ("America/Caracas"), or `None` when it cannot be named.
    pub time_zone: Option<String>,
    pub today: DateShown,
}

/// The shop's own policy (row 1, created by the migration).
pub const DEFAULT_POLICY: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CollectionsError {
    #[error("some fields are invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A stored policy that its own form would refuse (a hand-edited or hostile file).
    #[error("the stored collection policy {id} is unreadable")]
    Corrupt { id: i64 },
    /// Deleted meanwhile (another window).
    #[error("there is no collection policy {id}")]
    UnknownPolicy { id: i64 },
    /// The shop's own policy is neither renamed nor deleted (the window never offers it).
    #[error("the shop's own collection policy cannot be renamed or deleted")]
    ShopPolicy,
    #[error(transparent)]
    Books(#[from] BooksError),
    /// The statement could not be made or stored (a bug, not the owner's doing).
    #[error("the statement could not be queued: {0}")]
    Statement(String),
    /// The receivable's reminder could not be made or stored (a bug, not the owner's doing).
    #[error("the reminder could not be queued: {0}")]
    Reminder(String),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for CollectionsError {
    fn from(err: rusqlite::Error) -> Self {
        CollectionsError::Db(DbError::Sqlite(err))
    }
}

fn parse(id: i64, json: &str) -> Result<PolicyRules, CollectionsError> {
    serde_json::from_str::<PolicyRules>(json)
        .ok()
        .and_then(|rules| rules.validate().ok())
        .ok_or(CollectionsError::Corrupt { id })
}

/// Every readable policy by id, each read back through its form's validation. One that its form
/// would refuse (a restored or hand-edited file) is left out with a warning: its customers get
/// nothing automatic — the safe way to be wrong — and the others go on as before.
pub(crate) fn policies_in(
    conn: &Connection,
) -> Result<HashMap<i64, PolicyRules>, CollectionsError> {
    let mut statement = conn.prepare_cached("SELECT id, rules FROM collection_policies")?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut policies = HashMap::new();
    for row in rows {
        let (id, json) = row?;
        match parse(id, &json) {
            Ok(rules) => {
                policies.insert(id, rules);
            }
            Err(err) => {
                tracing::warn!(policy = id, error = %err, "a collection policy is unreadable; its customers are left alone")
            }
        }
    }
    Ok(policies)
}

/// The shop's política de cobranza (policy 1).
pub fn policy(db: &Database) -> Result<PolicyRules, CollectionsError> {
    db.read(|conn| policies::rules_of(conn, DEFAULT_POLICY))
}

/// Saves the shop's policy (policy 1) as the form gave it, refused by field when it does not hold.
pub fn save_policy(db: &Database, rules: PolicyRules) -> Result<PolicyRules, CollectionsError> {
    policies::save_rules(db, DEFAULT_POLICY, rules)
}

/// Whether `customer_id` gets automatic reminders (they follow a policy).
pub fn automatic(db: &Database, customer_id: i64) -> Result<bool, CollectionsError> {
    Ok(policies::followed(db, customer_id)?.is_some())
}

/// `false` is "sin recordatorios automáticos"; `true` puts the customer on the shop's policy.
pub fn set_automatic(
    db: &Database,
    customer_id: i64,
    automatic: bool,
) -> Result<(), CollectionsError> {
    policies::follow(db, customer_id, automatic.then_some(DEFAULT_POLICY))
}
