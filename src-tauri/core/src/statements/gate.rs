//! The send check for statements (asked through the reminders' gate, which the app hands the
//! outbox): a statement leaves only while the customer still owes exactly what it says, in
//! every currency, to the address it should go to.
//!
//! Nothing owed any more → cancelled (paid). Balances changed → rendered again from the books,
//! PDF included, under a new generation. The registered address changed → rendered again for
//! the new one (an address the owner typed for this statement stays). A customer that is gone
//! or facts that do not read → held for the owner: nothing leaves unchecked.

use rusqlite::{params, Transaction};

use super::model::{build_in, STATEMENT_REFERENCE};
use super::queue::{draft_of, queued_email, StatementFacts};
use super::StatementError;
use crate::books::customers;
use crate::books::dates::iso;
use crate::books::reading::Reading;
use crate::books::BooksError;
use crate::clock;
use crate::mail::EmailAddress;
use crate::outbox::{CancelReason, GateQuestion, HoldReason, Verdict};

type GateError = Box<dyn std::error::Error + Send + Sync>;

/// Whether a row is a statement's (`statement:<customer id>`).
pub fn is_statement(reference: &str) -> bool {
    reference.starts_with(STATEMENT_REFERENCE)
}

pub fn check(tx: &Transaction<'_>, question: &GateQuestion<'_>) -> Result<Verdict, GateError> {
    let Some(customer_id) = question
        .reference
        .and_then(|r| r.strip_prefix(STATEMENT_REFERENCE))
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(Verdict::Hold(HoldReason::CheckFailed));
    };
    let Some(facts) = question
        .facts
        .and_then(|json| serde_json::from_str::<StatementFacts>(json).ok())
        .filter(|facts| facts.customer_id == customer_id)
    else {
        return Ok(Verdict::Hold(HoldReason::CheckFailed));
    };
    let reading = Reading {
        region: facts.region,
        today: clock::local_today(),
    };
    let statement = match build_in(tx, customer_id, &reading) {
        Ok(statement) => statement,
        Err(StatementError::NothingOwed) => return Ok(Verdict::Cancel(CancelReason::Paid)),
        Err(StatementError::Books(BooksError::NotFound { .. })) => {
            return Ok(Verdict::Hold(HoldReason::CheckFailed))
        }
        Err(err) => return Err(err.into()),
    };
    // Only the customer's own pauses stop a statement: one paused receivable among several is
    // still part of what they owe.
    if let Some(paused) = crate::reminders::gate::paused(tx, customer_id, None)? {
        return Ok(paused);
    }
    if let Some(anchor) = &facts.counted_from {
        if !still_owed_by(tx, customer_id, anchor)? {
            return Ok(Verdict::Cancel(CancelReason::StepNoLongerDue));
        }
    }
    let recipient = if facts.recipient_typed {
        question.recipient.to_owned()
    } else {
        match customers::find(tx, customer_id)?
            .email
            .as_deref()
            .and_then(|email| email.parse::<EmailAddress>().ok())
        {
            Some(address) => address.to_string(),
            None => return Ok(Verdict::Cancel(CancelReason::NoAddress)),
        }
    };
    if statement.balances() == facts.balances && recipient == question.recipient {
        return Ok(Verdict::Send);
    }
    // A statement queued for a step of the policy keeps saying that step's words.
    let template = super::template::template_for_in(tx, facts.step, statement.language)?;
    let mut draft = draft_of(tx, statement, &template, Some(recipient), facts.attach_pdf)?;
    draft.facts.recipient_typed = facts.recipient_typed;
    draft.facts.step = facts.step;
    draft.facts.counted_from = facts.counted_from;
    Ok(Verdict::Rewrite(Box::new(queued_email(draft)?)))
}

/// Whether the customer still owes, unpaused, something due by `anchor` (ISO): what a step's
/// statement was counted from.
fn still_owed_by(tx: &Transaction<'_>, customer_id: i64, anchor: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM receivables r
                        WHERE r.customer_id = ?1 AND r.status = 'pending' AND r.due_date <= ?2
                          AND NOT EXISTS (SELECT 1 FROM collection_pauses p
                                          WHERE p.customer_id = ?1 AND p.receivable_id = r.id
                                            AND p.ended_at IS NULL
                                            AND (p.until IS NULL OR p.until >= ?3)))",
        params![customer_id, anchor, iso(clock::local_today())],
        |r| r.get(0),
    )
}
