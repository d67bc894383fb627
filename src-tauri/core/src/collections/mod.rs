//! Cobros automáticos: the política de cobranza, who follows which (or none), and the
//! evaluator that turns them, the books and the pauses into slots — one per (customer, step,
//! anchoring due date), UNIQUE in the database — on the user's calendar day, which is always
//! passed in. Sending what a slot asks for belongs to the screens of the next slice (Cobros de
//! hoy); nothing here sends.

pub mod batch;
pub mod evaluate;
pub mod form;
pub mod policy;
pub mod proposed_words;
pub mod simulate;
pub mod slots;
pub mod step_words;
pub mod today;

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::books::customers;
use crate::books::dates::DateShown;
use crate::books::BooksError;
use crate::db::{Database, DbError};
use crate::validation::FieldError;
use policy::PolicyRules;

/// What Ajustes → Cobranza shows: the policy, what the guide proposes, and whose calendar day
/// the evaluator follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CollectionSettings {
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
    #[error(transparent)]
    Books(#[from] BooksError),
    /// The statement could not be made or stored (a bug, not the owner's doing).
    #[error("the statement could not be queued: {0}")]
    Statement(String),
    /// The receivable's reminder could not be made or stored (a bug, not the owner's doing).
    #[error("the reminder could not be queued: {0}")]
    Reminder(String),
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

/// Every policy by id, each read back through its form's validation.
pub(crate) fn policies_in(
    conn: &Connection,
) -> Result<HashMap<i64, PolicyRules>, CollectionsError> {
    let mut statement = conn.prepare_cached("SELECT id, rules FROM collection_policies")?;
    let rows = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut policies = HashMap::new();
    for row in rows {
        let (id, json) = row?;
        policies.insert(id, parse(id, &json)?);
    }
    Ok(policies)
}

/// The shop's política de cobranza (Ajustes → Cobranza).
pub fn policy(db: &Database) -> Result<PolicyRules, CollectionsError> {
    db.read(|conn| {
        let json: Option<String> = conn
            .query_row(
                "SELECT rules FROM collection_policies WHERE id = ?1",
                [DEFAULT_POLICY],
                |r| r.get(0),
            )
            .optional()?;
        match json {
            Some(json) => parse(DEFAULT_POLICY, &json),
            None => Ok(PolicyRules::default()),
        }
    })
}

/// Saves the shop's policy as the form gave it, refused by field when it does not hold.
pub fn save_policy(db: &Database, rules: PolicyRules) -> Result<PolicyRules, CollectionsError> {
    let rules = rules
        .validate()
        .map_err(|errors| CollectionsError::Invalid(errors.into_vec()))?;
    let json = serde_json::to_string(&rules).expect("rules serialize");
    db.write(|tx| {
        tx.execute(
            "INSERT INTO collection_policies (id, name, rules) VALUES (?1, 'Política de cobranza', ?2)
             ON CONFLICT (id) DO UPDATE SET rules = excluded.rules",
            params![DEFAULT_POLICY, json],
        )
    })?;
    Ok(rules)
}

/// Whether `customer_id` gets automatic reminders (they follow a policy).
pub fn automatic(db: &Database, customer_id: i64) -> Result<bool, CollectionsError> {
    db.read(|conn| {
        customers::find(conn, customer_id)?;
        let chosen: Option<Option<i64>> = conn
            .query_row(
                "SELECT policy_id FROM customer_collection WHERE customer_id = ?1",
                [customer_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(!matches!(chosen, Some(None)))
    })
}

/// Whether `customer_id` gets automatic reminders: `false` is "sin recordatorios automáticos".
pub fn set_automatic(
    db: &Database,
    customer_id: i64,
    automatic: bool,
) -> Result<(), CollectionsError> {
    db.write(|tx| {
        customers::find(tx, customer_id)?;
        if automatic {
            tx.execute(
                "DELETE FROM customer_collection WHERE customer_id = ?1",
                [customer_id],
            )?;
        } else {
            tx.execute(
                "INSERT INTO customer_collection (customer_id, policy_id) VALUES (?1, NULL)
                 ON CONFLICT (customer_id) DO UPDATE SET policy_id = NULL",
                [customer_id],
            )?;
        }
        Ok(())
    })
}
