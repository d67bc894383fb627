//! The claim, the outcomes and the restart, row by row against a real database.

use std::sync::Mutex;

use super::*;
use crate::mail::{MailError, MailFailure, Receipt};
use crate::outbox::actions;
use crate::outbox::gate::Unconditional;
use crate::outbox::outcomes::*;
use crate::outbox::state::{AfterAttempt, WaitReason};
use crate::outbox::store::tests::{db, email, queue, state};
use crate::Database;

const SMTP: Sending<'static> = Sending {
    provider: Provider::Smtp,
    domain: "tienda.com",
};
const RESEND: Sending<'static> = Sending {
    provider: Provider::Resend,
    domain: "tienda.com",
};

/// A gate that answers what the test tells it to, and remembers what it was asked.
#[derive(Default)]
struct Scripted {
    answer: Mutex<Option<Verdict>>,
    asked: Mutex<Vec<Option<String>>>,
}

impl Scripted {
    fn answering(verdict: Verdict) -> Self {
        Self {
            answer: Mutex::new(Some(verdict)),
            ..Self::default()
        }
    }
}

impl SendGate for Scripted {
    fn check(
        &self,
        _tx: &Transaction<'_>,
        question: &GateQuestion<'_>,
    ) -> Result<Verdict, Box<dyn std::error::Error + Send + Sync>> {
        self.asked
            .lock()
            .expect("lock")
            .push(question.facts.map(str::to_owned));
        match self.answer.lock().expect("lock").clone() {
            Some(verdict) => Ok(verdict),
            None => Err("the books are unreadable".into()),
        }
    }
}

fn claim_with(db: &Database, gate: &dyn SendGate, sending: Sending<'_>) -> Claim {
    db.write(|tx| claim_due(tx, gate, sending, 5))
        .expect("claim")
}

fn claim_one(db: &Database) -> Claimed {
    claim_with(db, &Unconditional, SMTP)
        .claimed
        .pop()
        .expect("a due row")
}

fn record_outcome(db: &Database, id: OutboxId, outcome: AfterAttempt) {
    db.write(|tx| record(tx, id, Provider::Smtp, &outcome))
        .expect("record");
}

fn sent() -> AfterAttempt {
    AfterAttempt::Sent(Receipt {
        provider_message_id: "re_1".into(),
        provider_response: "id re_1".into(),
        rate_limit: None,
    })
}

fn uuid_of(db: &Database, id: OutboxId) -> String {
    db.read(|c| {
        c.query_row("SELECT uuid FROM outbox WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
    })
    .expect("uuid")
}

#[test]
fn a_claim_marks_the_row_sending_with_keys_from_its_uuid() {
    let (_dir, db) = db();
    let id = queue(&db, Some("receivable:42"));
    let claimed = claim_one(&db);
    let uuid = uuid_of(&db, id);
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.html, "<p>Hola Ana</p>");
    assert_eq!(claimed.idempotency_key(), format!("{uuid}-1"));
    assert_eq!(claimed.message_id, format!("<{uuid}.1@tienda.com>"));
    assert_eq!(state(&db, id).state, OutboxState::Sending);
    assert!(
        claim_with(&db, &Unconditional, SMTP).claimed.is_empty(),
        "a sending row is not claimed twice"
    );
}

#[test]
fn the_gate_is_asked_in_the_claim_and_its_verdict_applied() {
    let (_dir, db) = db();
    let paid = queue(&db, Some("receivable:1"));
    let gate = Scripted::answering(Verdict::Cancel(CancelReason::Paid));
    let claim = claim_with(&db, &gate, SMTP);
    assert!(claim.claimed.is_empty(), "nothing leaves");
    assert_eq!(
        claim.changed,
        vec![OutboxChanged {
            id: paid,
            state: OutboxState::Cancelled
        }]
    );
    assert_eq!(state(&db, paid).cancelled, Some(CancelReason::Paid));

    let broken = queue(&db, Some("receivable:2"));
    let claim = claim_with(&db, &Scripted::default(), SMTP);
    assert!(
        claim.claimed.is_empty(),
        "an unanswered check sends nothing"
    );
    assert_eq!(state(&db, broken).held, Some(HoldReason::CheckFailed));

    let changed = queue(&db, Some("receivable:3"));
    let rewritten = QueuedEmail {
        subject: "Recordatorio: saldo USD 50,00".into(),
        text: "Saldo USD 50,00".into(),
        html: "<p>Saldo USD 50,00</p>".into(),
        facts: Some("{\"balance\":5000}".into()),
        ..email(Some("receivable:3"))
    };
    let gate = Scripted::answering(Verdict::Rewrite(Box::new(rewritten)));
    let claim = claim_with(&db, &gate, SMTP);
    let claimed = &claim.claimed[0];
    assert_eq!(claimed.id, changed);
    assert_eq!(claimed.text, "Saldo USD 50,00", "the new facts leave");
    assert_eq!(claimed.generation, 2, "under a new key and Message-ID");
    assert!(claimed.message_id.contains(".2@"));
}

#[test]
fn waiting_offline_counts_no_attempt_and_parks_the_other_due_rows() {
    let (_dir, db) = db();
    let first = queue(&db, None);
    let second = queue(&db, None);
    db.write(|tx| claim_due(tx, &Unconditional, SMTP, 1))
        .expect("claim one");
    record_outcome(
        &db,
        first,
        AfterAttempt::Wait {
            after: Duration::from_secs(30),
            reason: WaitReason::Offline,
        },
    );
    let parked = db
        .write(|tx| park_due(tx, WaitReason::Offline, Duration::from_secs(30)))
        .expect("park");
    assert_eq!(parked, vec![second]);
    for id in [first, second] {
        let entry = state(&db, id);
        assert_eq!(entry.state, OutboxState::Queued);
        assert_eq!(entry.reason, Some(WaitReason::Offline));
        assert_eq!(entry.attempts, 0);
    }
    assert!(claim_with(&db, &Unconditional, SMTP).claimed.is_empty());
    let wait = db.read(next_due_in).expect("next").expect("some");
    assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
    db.write(wake_waiting).expect("wake");
    assert_eq!(db.read(next_due_in).expect("next"), Some(Duration::ZERO));
}

#[test]
fn a_retry_keeps_its_key_and_an_owner_retry_of_a_failed_row_takes_a_new_one() {
    let (_dir, db) = db();
    let id = queue(&db, None);
    let first = claim_one(&db);
    record_outcome(
        &db,
        id,
        AfterAttempt::Retry {
            after: Duration::ZERO,
            error: MailError::new(Provider::Smtp, MailFailure::ProviderUnavailable).code("421"),
        },
    );
    let entry = state(&db, id);
    assert_eq!((entry.state, entry.attempts), (OutboxState::Retrying, 1));
    assert_eq!(
        entry.error.and_then(|e| e.provider_code).as_deref(),
        Some("421")
    );
    let second = claim_one(&db);
    assert_eq!(second.message_id, first.message_id);
    assert_eq!(second.idempotency_key(), first.idempotency_key());
    record_outcome(
        &db,
        id,
        AfterAttempt::Fail(MailError::new(Provider::Smtp, MailFailure::AuthFailed)),
    );
    let again = db
        .write(|tx| actions::retry_now(tx, &Unconditional, id))
        .expect("retry a failed row");
    assert_eq!(
        (again.state, again.generation, again.attempts),
        (OutboxState::Queued, 2, 0)
    );
    let third = claim_one(&db);
    assert_ne!(third.idempotency_key(), first.idempotency_key());
    record_outcome(&db, id, sent());
    let entry = state(&db, id);
    assert_eq!(entry.state, OutboxState::Sent);
    assert!(entry.error.is_none() && entry.sent_at.is_some());
}

#[test]
fn a_message_that_may_have_arrived_becomes_uncertain_and_waits_for_the_owner() {
    let (_dir, db) = db();
    let id = queue(&db, Some("receivable:7"));
    claim_one(&db);
    let error = MailError::new(Provider::Smtp, MailFailure::Timeout).maybe_delivered();
    record_outcome(&db, id, AfterAttempt::Uncertain(error));
    let entry = state(&db, id);
    assert_eq!((entry.state, entry.attempts), (OutboxState::Uncertain, 1));
    assert_eq!(entry.error.map(|e| e.code), Some(MailFailure::Timeout));
    assert!(claim_with(&db, &Unconditional, SMTP).claimed.is_empty());
    assert!(
        db.write(|tx| actions::cancel(tx, id)).is_err(),
        "it may have arrived: it cannot be cancelled"
    );

    // "Reenviar": a deliberate send under a new generation, checked first.
    let gate = Scripted::answering(Verdict::Send);
    let again = db
        .write(|tx| actions::send_again(tx, &gate, id))
        .expect("send again");
    assert_eq!((again.state, again.generation), (OutboxState::Queued, 2));
    assert_eq!(gate.asked.lock().expect("lock").len(), 1);
    claim_one(&db);
    record_outcome(
        &db,
        id,
        AfterAttempt::Uncertain(MailError::new(Provider::Smtp, MailFailure::Timeout)),
    );
    // "Marcar como enviado".
    let marked = db.write(|tx| actions::mark_sent(tx, id)).expect("mark");
    assert_eq!(marked.state, OutboxState::Sent);
    assert!(marked.confirmed_by_owner);
}

#[test]
fn an_owner_resend_of_a_paid_receivables_reminder_is_cancelled_not_queued() {
    let (_dir, db) = db();
    let id = queue(&db, Some("receivable:7"));
    claim_one(&db);
    record_outcome(
        &db,
        id,
        AfterAttempt::Uncertain(MailError::new(Provider::Smtp, MailFailure::Timeout)),
    );
    let gate = Scripted::answering(Verdict::Cancel(CancelReason::Paid));
    let entry = db
        .write(|tx| actions::send_again(tx, &gate, id))
        .expect("checked");
    assert_eq!(entry.state, OutboxState::Cancelled);
    assert_eq!(entry.cancelled, Some(CancelReason::Paid));
}

#[test]
fn rows_left_sending_are_uncertain_unless_a_key_covers_them() {
    let (_dir, db) = db();
    let smtp = queue(&db, None);
    db.write(|tx| claim_due(tx, &Unconditional, SMTP, 1))
        .expect("claim");
    let keyed = queue(&db, None);
    let before = db
        .write(|tx| claim_due(tx, &Unconditional, RESEND, 1))
        .expect("claim")
        .claimed
        .pop()
        .expect("claimed");
    let interrupted = db.write(resume_interrupted).expect("resume");
    assert_eq!(interrupted.uncertain, vec![smtp]);
    assert_eq!(interrupted.resumed, vec![keyed]);
    assert_eq!(state(&db, smtp).state, OutboxState::Uncertain);
    // The keyed one goes again under the same key while the window lasts…
    let again = claim_with(&db, &Unconditional, RESEND)
        .claimed
        .pop()
        .expect("due");
    assert_eq!(again.idempotency_key(), before.idempotency_key());
    db.write(|tx| {
        record(
            tx,
            keyed,
            Provider::Resend,
            &AfterAttempt::Retry {
                after: Duration::ZERO,
                error: MailError::new(Provider::Resend, MailFailure::ProviderUnavailable),
            },
        )
    })
    .expect("record");
    // …but not through another provider, which would not recognise the key.
    let claim = claim_with(&db, &Unconditional, SMTP);
    assert!(claim.claimed.is_empty());
    assert_eq!(state(&db, keyed).state, OutboxState::Uncertain);
}

#[test]
fn a_keyed_retry_past_the_window_is_uncertain() {
    let (_dir, db) = db();
    let id = keyed_retry_that_may_have_arrived(&db, None);
    db.write(|tx| {
        tx.execute(
            "UPDATE outbox SET maybe_delivered_at = '2000-01-01T00:00:00.000Z' WHERE id = ?1",
            [id.0],
        )
    })
    .expect("age it");
    let claim = claim_with(&db, &Unconditional, RESEND);
    assert!(claim.claimed.is_empty(), "the key expired: not sent again");
    assert_eq!(state(&db, id).state, OutboxState::Uncertain);
}

#[test]
fn a_restore_holds_every_row_that_was_not_finished_for_review() {
    let (_dir, db) = db();
    let queued = queue(&db, None);
    let sending = queue(&db, None);
    db.write(|tx| {
        tx.execute(
            "UPDATE outbox SET state = 'sending' WHERE id = ?1",
            [sending.0],
        )
    })
    .expect("sending");
    let done = queue(&db, None);
    db.write(|tx| tx.execute("UPDATE outbox SET state = 'sent' WHERE id = ?1", [done.0]))
        .expect("sent");
    let held = db.write(actions::hold_restored).expect("hold");
    assert_eq!(held, vec![queued, sending]);
    for id in [queued, sending] {
        assert_eq!(state(&db, id).held, Some(HoldReason::Restored));
    }
    assert_eq!(state(&db, done).state, OutboxState::Sent);
    assert!(claim_with(&db, &Unconditional, SMTP).claimed.is_empty());
    let entry = db
        .write(|tx| actions::send_again(tx, &Unconditional, queued))
        .expect("send");
    assert_eq!((entry.state, entry.generation), (OutboxState::Queued, 2));
    let entry = db.write(|tx| actions::cancel(tx, sending)).expect("cancel");
    assert_eq!(entry.cancelled, Some(CancelReason::Owner));
}

/// A keyed retry whose message may already be at Resend (the last attempt timed out after the
/// hand-over), about `reference` when there is one.
fn keyed_retry_that_may_have_arrived(db: &Database, reference: Option<&str>) -> OutboxId {
    let id = queue(db, reference);
    db.write(|tx| claim_due(tx, &Unconditional, RESEND, 1))
        .expect("claim");
    let error = MailError::new(Provider::Resend, MailFailure::Timeout).maybe_delivered();
    db.write(|tx| {
        record(
            tx,
            id,
            Provider::Resend,
            &AfterAttempt::Retry {
                after: Duration::ZERO,
                error,
            },
        )
    })
    .expect("record");
    id
}

/// The check's answer when a payment changed the balance the message states.
fn balance_changed(reference: &str) -> Verdict {
    Verdict::Rewrite(Box::new(QueuedEmail {
        subject: "Recordatorio: saldo USD 50,00".into(),
        text: "Saldo USD 50,00".into(),
        html: "<p>Saldo USD 50,00</p>".into(),
        facts: Some("{\"balance\":5000}".into()),
        ..email(Some(reference))
    }))
}

#[test]
fn a_message_that_may_have_arrived_is_never_rewritten_and_sent_under_a_new_key() {
    let (_dir, db) = db();
    // At the claim (the books changed where the re-check did not see it).
    let at_claim = keyed_retry_that_may_have_arrived(&db, Some("receivable:8"));
    let gate = Scripted::answering(balance_changed("receivable:8"));
    let claim = claim_with(&db, &gate, RESEND);
    assert!(claim.claimed.is_empty(), "nothing leaves under a new key");
    assert_eq!(
        claim.changed,
        vec![OutboxChanged {
            id: at_claim,
            state: OutboxState::Uncertain
        }]
    );
    let entry = state(&db, at_claim);
    assert_eq!(
        (entry.state, entry.generation),
        (OutboxState::Uncertain, 1),
        "the owner decides; the old message's key is kept"
    );

    // In the payment's own transaction (the re-check).
    let at_payment = keyed_retry_that_may_have_arrived(&db, Some("receivable:9"));
    let gate = Scripted::answering(balance_changed("receivable:9"));
    let changed = db
        .write(|tx| actions::recheck(tx, &gate, "receivable:9"))
        .expect("recheck");
    assert_eq!(
        changed,
        vec![OutboxChanged {
            id: at_payment,
            state: OutboxState::Uncertain
        }]
    );
    let entry = state(&db, at_payment);
    assert_eq!((entry.state, entry.generation), (OutboxState::Uncertain, 1));

    // A payment in full still cancels it: nothing more goes, whatever the first attempt did.
    let paid = keyed_retry_that_may_have_arrived(&db, Some("receivable:10"));
    let gate = Scripted::answering(Verdict::Cancel(CancelReason::Paid));
    db.write(|tx| actions::recheck(tx, &gate, "receivable:10"))
        .expect("recheck");
    assert_eq!(state(&db, paid).state, OutboxState::Cancelled);
}
