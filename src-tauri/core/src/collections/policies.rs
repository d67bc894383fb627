//! Named políticas de cobranza and the one each customer follows. Policy 1 is "la política del
//! negocio": created by the migration, followed by every customer not told otherwise, never
//! renamed or deleted. Others ("Mayoristas" with 30-day terms, "Mostrador"…) are created,
//! renamed, edited and deleted by the owner, their names unique without regard to case.
//!
//! Per policy: whether it is on, the steps, the repeat, the minimums, the cooldown and the caps
//! — what differs between a wholesaler and a walk-in customer. Shop-wide, read from policy 1
//! only: the send mode and the payments gate, because there is one Cobros de hoy and one batch
//! a day; another policy stores them at their defaults.
//!
//! A customer's choice is a row of `customer_collection`: absent, policy 1; `NULL`, "sin
//! recordatorios automáticos"; else the policy's id. Moving a customer from one policy to
//! another drops the lines the old one decided that still wait (due, held, postponed: nothing
//! was sent for them), so the new policy decides afresh; sent and queued slots stay, and count
//! for its cooldown and caps. Switching to "sin recordatorios" and back keeps them, as before.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::policy::{PolicyRules, StepUnit};
use super::{parse, today, CollectionsError, DEFAULT_POLICY};
use crate::books::customers;
use crate::db::Database;
use crate::settings;
use crate::validation::{FieldErrors, FieldProblem};

const MAX_NAME: usize = 100;

/// What a policy looks like in Ajustes → Cobranza's list and in a customer's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    #[ts(type = "number")]
    pub id: i64,
    /// As stored; the window names policy 1 "Política del negocio" in its own language.
    pub name: String,
    pub enabled: bool,
    /// Customers who chose it (for policy 1: those who chose nothing else).
    pub customers: u32,
}

/// What "Eliminar" did: a policy that customers follow is deleted only once confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDeletion {
    pub deleted: bool,
    /// Who followed it: now on policy 1 when `deleted`, the question's number when not.
    pub customers: u32,
}

/// Every policy, the shop's first, then by name.
pub fn list(conn: &Connection) -> Result<Vec<PolicySummary>, CollectionsError> {
    let mut statement = conn.prepare_cached(
        "SELECT p.id, p.name, p.rules,
                CASE WHEN p.id = ?1
                     THEN (SELECT count(*) FROM customers c WHERE NOT EXISTS
                              (SELECT 1 FROM customer_collection cc WHERE cc.customer_id = c.id))
                     ELSE (SELECT count(*) FROM customer_collection cc WHERE cc.policy_id = p.id)
                END
         FROM collection_policies p ORDER BY p.id <> ?1, p.name COLLATE NOCASE",
    )?;
    let rows = statement.query_map([DEFAULT_POLICY], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u32>(3)?,
        ))
    })?;
    let mut policies = Vec::new();
    for row in rows {
        let (id, name, json, customers) = row?;
        policies.push(PolicySummary {
            id,
            name,
            // Unreadable: shown off (it decides nothing), still listed so it can be fixed or
            // deleted.
            enabled: parse(id, &json).is_ok_and(|rules| rules.enabled),
            customers,
        });
    }
    Ok(policies)
}

/// Policy `id`'s rules, read back through its form's validation.
pub fn rules_of(conn: &Connection, id: i64) -> Result<PolicyRules, CollectionsError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT rules FROM collection_policies WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    match json {
        Some(json) => parse(id, &json),
        None if id == DEFAULT_POLICY => Ok(PolicyRules::default()),
        None => Err(CollectionsError::UnknownPolicy { id }),
    }
}

/// Saves policy `id`'s rules as the form gave them, refused by field when they do not hold.
pub fn save_rules(
    db: &Database,
    id: i64,
    rules: PolicyRules,
) -> Result<PolicyRules, CollectionsError> {
    let mut rules = rules
        .validate()
        .map_err(|errors| CollectionsError::Invalid(errors.into_vec()))?;
    if id != DEFAULT_POLICY {
        // Shop-wide: read from policy 1 alone, so another policy keeps no value that looks
        // like it counts.
        let shop_wide = PolicyRules::default();
        rules.mode = shop_wide.mode;
        rules.payments_gate_days = shop_wide.payments_gate_days;
    }
    let json = serde_json::to_string(&rules).expect("rules serialize");
    db.write(|tx| {
        let changed = if id == DEFAULT_POLICY {
            tx.execute(
                "INSERT INTO collection_policies (id, name, rules)
                 VALUES (?1, 'Política de cobranza', ?2)
                 ON CONFLICT (id) DO UPDATE SET rules = excluded.rules",
                params![id, json],
            )?
        } else {
            tx.execute(
                "UPDATE collection_policies SET rules = ?2 WHERE id = ?1",
                params![id, json],
            )?
        };
        if changed == 0 {
            return Err(CollectionsError::UnknownPolicy { id });
        }
        forget_words_of_removed_steps(tx, id, &rules)?;
        withdraw_what_no_longer_goes(tx, id, &rules)
    })?;
    Ok(rules)
}

/// A step's words belong to the step: once the policy no longer has it (moved from +7 to +8,
/// say), they go, rather than come back unseen if +7 is added again one day. A message already
/// queued for the old step then says the default words if the send check has to rewrite it.
fn forget_words_of_removed_steps(
    tx: &Connection,
    id: i64,
    rules: &PolicyRules,
) -> Result<(), CollectionsError> {
    let offsets = serde_json::to_string(
        &rules
            .steps
            .iter()
            .map(|step| step.offset_days)
            .collect::<Vec<_>>(),
    )
    .expect("offsets serialize");
    tx.execute(
        "DELETE FROM step_templates WHERE policy_id = ?1
             AND offset_days NOT IN (SELECT value FROM json_each(?2))",
        params![id, offsets],
    )?;
    Ok(())
}

/// What the saved rules no longer send leaves Cobros de hoy now, rather than stay listed (or go
/// out with the day's batch of another policy still on) until Enviar refuses it: every waiting
/// line of a policy turned off, and of a step removed or now sent another way (its words gone
/// with it, it would say a neighbouring step's — a second "segundo aviso"); a saldo mínimo
/// raised above what a line is about — only for the customers following the policy: one
/// without automatic reminders keeps that line for when they come back, checked again at
/// Enviar.
fn withdraw_what_no_longer_goes(
    tx: &Connection,
    id: i64,
    rules: &PolicyRules,
) -> Result<(), CollectionsError> {
    let mut waiting = tx.prepare_cached(
        "SELECT s.id, s.customer_id, s.receivable_key, s.offset_days,
                EXISTS (SELECT 1 FROM customer_collection c
                        WHERE c.customer_id = s.customer_id AND c.policy_id IS NULL)
         FROM collection_slots s
         WHERE s.state IN ('due', 'held', 'postponed') AND s.policy_id = ?1",
    )?;
    let lines = waiting
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i32>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let ladder = rules.ladder();
    for (slot_id, customer_id, receivable_key, offset_days, without_automatic) in lines {
        let unit = if receivable_key == 0 {
            StepUnit::Statement
        } else {
            StepUnit::Receivable
        };
        let goes = rules.enabled && ladder.contains(&(offset_days, unit));
        if !goes
            || (!without_automatic && !today::worth_under(tx, rules, customer_id, receivable_key)?)
        {
            today::supersede(tx, slot_id)?;
        }
    }
    Ok(())
}

/// How the window shows policy 1, in Spanish and English (`collections.shopPolicy`).
const SHOP_POLICY_NAMES: [&str; 2] = ["Política del negocio", "Business policy"];

/// The name as typed, trimmed, 1–100 characters, not another policy's (without regard to case).
fn checked_name(conn: &Connection, raw: &str, except: i64) -> Result<String, CollectionsError> {
    let mut errors = FieldErrors::default();
    let Some(name) = errors.required_text("name", raw, MAX_NAME) else {
        return Err(CollectionsError::Invalid(errors.into_vec()));
    };
    let wanted = name.to_lowercase();
    // The window names policy 1 itself, in either language: another of that name would read as
    // the shop's own.
    if SHOP_POLICY_NAMES
        .iter()
        .any(|shown| shown.to_lowercase() == wanted)
    {
        errors.add("name", FieldProblem::DuplicatePolicyName);
        return Err(CollectionsError::Invalid(errors.into_vec()));
    }
    let mut statement = conn.prepare_cached("SELECT id, name FROM collection_policies")?;
    let names = statement.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in names {
        let (id, other) = row?;
        if id != except && other.to_lowercase() == wanted {
            errors.add("name", FieldProblem::DuplicatePolicyName);
            return Err(CollectionsError::Invalid(errors.into_vec()));
        }
    }
    Ok(name)
}

fn summary(conn: &Connection, id: i64) -> Result<PolicySummary, CollectionsError> {
    list(conn)?
        .into_iter()
        .find(|policy| policy.id == id)
        .ok_or(CollectionsError::UnknownPolicy { id })
}

/// "Nueva política": named, off and without steps until the owner fills it in.
pub fn create(db: &Database, name: &str) -> Result<PolicySummary, CollectionsError> {
    let json = serde_json::to_string(&PolicyRules::default()).expect("rules serialize");
    db.write(|tx| {
        let name = checked_name(tx, name, 0)?;
        // Never a deleted policy's id: a message queued for that policy's step remembers it, and
        // must not say a newer policy's words should the send check rewrite it.
        let highest: i64 = tx.query_row(
            "SELECT coalesce(max(id), 0) FROM collection_policies",
            [],
            |r| r.get(0),
        )?;
        // An unreadable mark (a hand-edited copy) only loses what it was for.
        let given = settings::last_policy_id_in(tx).unwrap_or(None).unwrap_or(0);
        let id = highest.max(given).saturating_add(1);
        tx.execute(
            "INSERT INTO collection_policies (id, name, rules) VALUES (?1, ?2, ?3)",
            params![id, name, json],
        )?;
        settings::set_last_policy_id_in(tx, id)?;
        summary(tx, id)
    })
}

/// "Renombrar" (not the shop's own policy: the window names that one itself).
pub fn rename(db: &Database, id: i64, name: &str) -> Result<PolicySummary, CollectionsError> {
    if id == DEFAULT_POLICY {
        return Err(CollectionsError::ShopPolicy);
    }
    db.write(|tx| {
        let name = checked_name(tx, name, id)?;
        if tx.execute(
            "UPDATE collection_policies SET name = ?2 WHERE id = ?1",
            params![id, name],
        )? == 0
        {
            return Err(CollectionsError::UnknownPolicy { id });
        }
        summary(tx, id)
    })
}

/// The lines that wait for `customer_id` (nothing sent for them): a new policy decides afresh.
const WITHDRAW_WAITING: &str = "DELETE FROM collection_slots
     WHERE customer_id = ?1 AND state IN ('due', 'held', 'postponed')";

/// The lines another policy than `?2` decided for `customer_id`: gone once the customer follows
/// `?2`, so its own steps decide (a line of the shop's +7 must not wait for a +30-only customer).
const WITHDRAW_OTHER_POLICIES: &str = "DELETE FROM collection_slots
     WHERE customer_id = ?1 AND state IN ('due', 'held', 'postponed') AND policy_id <> ?2";

/// "Eliminar": a policy nobody follows goes at once; one that customers follow only when
/// `confirmed`, and those customers move to policy 1 in the same transaction.
pub fn delete(db: &Database, id: i64, confirmed: bool) -> Result<PolicyDeletion, CollectionsError> {
    if id == DEFAULT_POLICY {
        return Err(CollectionsError::ShopPolicy);
    }
    db.write(|tx| {
        let followers: Vec<i64> = {
            let mut statement = tx.prepare_cached(
                "SELECT customer_id FROM customer_collection WHERE policy_id = ?1",
            )?;
            let rows = statement.query_map([id], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let customers = u32::try_from(followers.len()).unwrap_or(u32::MAX);
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM collection_policies WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(CollectionsError::UnknownPolicy { id });
        }
        if customers > 0 && !confirmed {
            return Ok(PolicyDeletion {
                deleted: false,
                customers,
            });
        }
        let mut withdraw = tx.prepare_cached(WITHDRAW_WAITING)?;
        for customer in &followers {
            withdraw.execute([customer])?;
        }
        tx.execute("DELETE FROM customer_collection WHERE policy_id = ?1", [id])?;
        tx.execute("DELETE FROM collection_policies WHERE id = ?1", [id])?;
        Ok(PolicyDeletion {
            deleted: true,
            customers,
        })
    })
}

/// The policy `customer_id` follows; `None`: "sin recordatorios automáticos".
pub(crate) fn followed_in(
    conn: &Connection,
    customer_id: i64,
) -> Result<Option<i64>, CollectionsError> {
    let chosen: Option<Option<i64>> = conn
        .query_row(
            "SELECT policy_id FROM customer_collection WHERE customer_id = ?1",
            [customer_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(chosen.unwrap_or(Some(DEFAULT_POLICY)))
}

/// The policy `customer_id` follows; `None`: "sin recordatorios automáticos".
pub fn followed(db: &Database, customer_id: i64) -> Result<Option<i64>, CollectionsError> {
    db.read(|conn| {
        customers::find(conn, customer_id)?;
        followed_in(conn, customer_id)
    })
}

/// A customer's choice as their page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPolicy {
    /// `None`: "sin recordatorios automáticos".
    #[ts(type = "number | null")]
    pub policy_id: Option<i64>,
    /// Every policy they could follow, the shop's first.
    pub policies: Vec<PolicySummary>,
}

/// The policy `customer_id` follows, with the choices.
pub fn of_customer(db: &Database, customer_id: i64) -> Result<CustomerPolicy, CollectionsError> {
    db.read(|conn| {
        customers::find(conn, customer_id)?;
        Ok(CustomerPolicy {
            policy_id: followed_in(conn, customer_id)?,
            policies: list(conn)?,
        })
    })
}

/// The customer's choice: a policy, or `None` for "sin recordatorios automáticos". Re-run the
/// evaluator after it.
pub fn follow(
    db: &Database,
    customer_id: i64,
    policy: Option<i64>,
) -> Result<(), CollectionsError> {
    db.write(|tx| {
        customers::find(tx, customer_id)?;
        if let Some(id) = policy {
            if id != DEFAULT_POLICY {
                rules_of(tx, id)?;
            }
        }
        // Also after a spell without automatic reminders: the lines kept through it are the
        // policy's that decided them, and wait again only for a customer back on it.
        if let Some(after) = policy {
            tx.execute(WITHDRAW_OTHER_POLICIES, [customer_id, after])?;
        }
        match policy {
            Some(DEFAULT_POLICY) => {
                tx.execute(
                    "DELETE FROM customer_collection WHERE customer_id = ?1",
                    [customer_id],
                )?;
            }
            chosen => {
                tx.execute(
                    "INSERT INTO customer_collection (customer_id, policy_id) VALUES (?1, ?2)
                     ON CONFLICT (customer_id) DO UPDATE SET policy_id = excluded.policy_id",
                    params![customer_id, chosen],
                )?;
            }
        }
        Ok(())
    })
}
