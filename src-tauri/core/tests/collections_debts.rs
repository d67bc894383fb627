//! A line of Cobros de hoy, and the message it queued, stand only for the debt the step was
//! counted from, over real books in a real SQLite file with the user's day passed in: a higher
//! step replaces the lower ones still waiting (one message, never three at once), the cooldown
//! counts from the day a message was queued, the statement's oldest invoice paid takes its step
//! away even while newer ones are owed (waiting, or already in the outbox), a receivable's due
//! date moved later does the same for its own step, a policy turned off or a step removed
//! leaves nothing to send, and a restored copy sends nothing that may have gone out since it was
//! made.

mod common;

use cachicamo_core::backup::{Backups, RestoreSource};
use cachicamo_core::books::receivables::{self, ReceivableForm};
use cachicamo_core::collections::evaluate::HeldFor;
use cachicamo_core::collections::policy::{PolicyRules, PolicyStep, StepUnit};
use cachicamo_core::collections::{self, slots, today};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::Database;
use common::collections::{on, owes, pay, policy, slots_of};
use common::{customer_at, one, Books};
use time::macros::date;
use time::Date;

/// The one line waiting on `day`, sent as Enviar would.
fn send_the_line(db: &Database, day: Date) -> i64 {
    let page = today::list(db, &on(day), 50).expect("list");
    assert_eq!(page.lines.len(), 1, "{:?}", page.lines);
    today::send(db, page.lines[0].slot_id, &on(day))
        .expect("send")
        .expect("queued")
        .0
}

fn outbox_row(db: &Database, id: i64) -> String {
    one(
        db,
        &format!("SELECT state || ' ' || coalesce(reason, '') FROM outbox WHERE id = {id}"),
    )
}

fn waiting_on(db: &Database, day: Date) -> u32 {
    today::list(db, &on(day), 50).expect("list").total
}

#[test]
fn a_higher_step_replaces_the_lower_ones_still_waiting_and_one_message_goes() {
    let books = Books::new();
    policy(&books.db, &[1, 7, 15]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-1", "100", "01/11/2026");

    // Decided on the 2nd, never sent (Revisar antes de enviar, nobody at the shop).
    slots::run(&books.db, date!(2026 - 11 - 02)).expect("run");
    let later = slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    assert_eq!((later.due, later.superseded), (1, 1), "{later:?}");
    assert_eq!(
        slots_of(&books.db),
        [
            (pena, 1, "superseded".to_owned()),
            (pena, 7, "due".to_owned())
        ]
    );
    let queued = today::send_all(&books.db, &on(date!(2026 - 11 - 08))).expect("send all");
    assert_eq!(queued.len(), 1, "only the segundo aviso goes");
}

#[test]
fn the_cooldown_counts_from_the_day_the_owner_sent_the_line() {
    let books = Books::new();
    policy(&books.db, &[1, 7]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 02)).expect("run");
    // The owner sends the +1 on the 6th, four days after it was decided.
    send_the_line(&books.db, date!(2026 - 11 - 06));
    let next = slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    assert_eq!(
        (next.due, next.held),
        (0, 1),
        "two days after the last message: cooldown 3"
    );
}

/// Peña owes F-1, due 1 November, and F-2, due 30 December; on 8 November the +7 step is decided
/// from F-1 alone. Returns the books and F-1.
fn a_week_late_on_one_invoice_with_another_due_in_december() -> (Books, i64) {
    let books = Books::new();
    policy(&books.db, &[7]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let old = owes(&books, pena, "F-1", "100", "01/11/2026");
    owes(&books, pena, "F-2", "50", "30/12/2026");
    slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    (books, old)
}

#[test]
fn the_oldest_invoice_paid_takes_the_statements_step_away_while_newer_ones_are_owed() {
    let (books, old) = a_week_late_on_one_invoice_with_another_due_in_december();
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 09)), 1);

    pay(&books.db, old, "100", date!(2026 - 11 - 09));
    assert_eq!(
        waiting_on(&books.db, date!(2026 - 11 - 09)),
        0,
        "F-2 is not due until December: no segundo aviso for it"
    );
    assert!(today::send_all(&books.db, &on(date!(2026 - 11 - 09)))
        .expect("send all")
        .is_empty());
}

#[test]
fn a_queued_statement_is_cancelled_when_the_invoice_it_was_counted_from_is_paid() {
    let (books, old) = a_week_late_on_one_invoice_with_another_due_in_december();
    // Sent while offline: it waits in the outbox.
    let queued = send_the_line(&books.db, date!(2026 - 11 - 08));
    assert_eq!(outbox_row(&books.db, queued), "queued ");

    pay(&books.db, old, "100", date!(2026 - 11 - 09));
    assert_eq!(
        outbox_row(&books.db, queued),
        "cancelled step_no_longer_due"
    );
}

/// A policy whose one step sends each receivable's own reminder at +7.
fn per_receivable(db: &Database) {
    let rules = PolicyRules {
        enabled: true,
        steps: vec![PolicyStep {
            offset_days: 7,
            label: "Segundo aviso".into(),
            unit: StepUnit::Receivable,
        }],
        ..PolicyRules::default()
    };
    collections::save_policy(db, rules).expect("policy");
}

fn move_due_date(db: &Database, receivable: i64, customer: i64, due: &str, day: Date) {
    let form = ReceivableForm {
        customer_id: Some(customer),
        document_number: "F-1".into(),
        concept: "Cemento".into(),
        currency: "USD".into(),
        amount: "100".into(),
        issue_date: "01/10/2026".into(),
        due_date: due.into(),
    };
    receivables::update(db, &Rechecks::default(), receivable, &form, &on(day)).expect("moved");
}

#[test]
fn a_due_date_moved_later_takes_the_receivables_step_away_waiting_or_queued() {
    let books = Books::new();
    per_receivable(&books.db);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let f1 = owes(&books, pena, "F-1", "100", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 08)), 1);
    move_due_date(&books.db, f1, pena, "01/12/2026", date!(2026 - 11 - 08));
    assert_eq!(
        waiting_on(&books.db, date!(2026 - 11 - 08)),
        0,
        "not due until December"
    );

    // Decided on the old date again and queued, then the date moves: the reminder is cancelled.
    move_due_date(&books.db, f1, pena, "01/11/2026", date!(2026 - 11 - 08));
    let queued = send_the_line(&books.db, date!(2026 - 11 - 08));
    move_due_date(&books.db, f1, pena, "01/12/2026", date!(2026 - 11 - 08));
    assert_eq!(
        outbox_row(&books.db, queued),
        "cancelled step_no_longer_due"
    );
}

#[test]
fn a_policy_turned_off_or_a_step_removed_leaves_nothing_waiting() {
    let books = Books::new();
    policy(&books.db, &[1, 7]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 08)), 1);

    // The +7 step removed: its line would say the +1's words a second time.
    policy(&books.db, &[1]);
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 08)), 0);

    let esquina = customer_at(&books.db, "Bodega La Esquina", "pagos@esquina.com");
    owes(&books, esquina, "F-2", "80", "05/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 08)), 1);
    let mut off = collections::policy(&books.db).expect("rules");
    off.enabled = false;
    collections::save_policy(&books.db, off).expect("off");
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 08)), 0);
    assert!(today::send_all(&books.db, &on(date!(2026 - 11 - 08)))
        .expect("send all")
        .is_empty());
}

fn slot_states(db: &Database) -> Vec<(i32, String)> {
    db.read(|conn| {
        let mut statement = conn.prepare(
            "SELECT offset_days, state || coalesce(' ' || held_for, '') FROM collection_slots
             ORDER BY offset_days",
        )?;
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>();
        rows
    })
    .expect("slots")
}

#[test]
fn a_restored_copy_holds_what_may_have_gone_out_since_it_was_made() {
    let books = Books::new();
    policy(&books.db, &[1, 7, 15, 30]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 02)).expect("run");
    // The daily copy of the 2nd holds the +1 waiting.
    let copies = tempfile::tempdir().expect("dir");
    let backups = Backups::new(copies.path().to_owned());
    let copy = backups
        .make_daily(&books.db, date!(2026 - 11 - 02))
        .expect("copy")
        .expect("made");
    // Since then the +1 went out on the 2nd and the +7 on the 8th.
    send_the_line(&books.db, date!(2026 - 11 - 02));
    slots::run(&books.db, date!(2026 - 11 - 08)).expect("run");
    send_the_line(&books.db, date!(2026 - 11 - 08));

    let bytes = std::fs::read(copy).expect("read the copy");
    let restored_at = time::macros::datetime!(2026 - 11 - 09 12:00 UTC);
    backups
        .restore(
            &books.db,
            RestoreSource::File(&bytes),
            restored_at,
            &mut |_| {},
        )
        .expect("restore");
    slots::run(&books.db, date!(2026 - 11 - 09)).expect("run");
    assert_eq!(
        slot_states(&books.db),
        [(1, "superseded".into()), (7, "held restored".into())],
        "the copy's +1 and the +7 caught up: the latest waits for the owner, it may have gone out"
    );
    assert!(
        today::send_all(&books.db, &on(date!(2026 - 11 - 09)))
            .expect("send all")
            .is_empty(),
        "Enviar todos and the day's batch leave held lines to the owner"
    );

    // A step for a day after the restore could not have gone out: it is due as always.
    slots::run(&books.db, date!(2026 - 11 - 16)).expect("run");
    assert_eq!(
        slot_states(&books.db)[2],
        (15, "due".into()),
        "the +15 decided after the restore"
    );
}

#[test]
fn a_line_held_after_enviar_todos_listed_it_is_left_to_the_owner() {
    let books = Books::new();
    policy(&books.db, &[1]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 02)).expect("run");
    let day = on(date!(2026 - 11 - 02));
    let listed = today::sendable(&books.db, &day).expect("listed");
    assert_eq!(listed.len(), 1);

    // A restore lands between the listing and the sending.
    books
        .db
        .write(|tx| slots::hold_after_restore(tx, date!(2026 - 11 - 02)))
        .expect("held");
    assert!(
        today::send_lines(&books.db, &listed, &day)
            .expect("send")
            .is_empty(),
        "the batch passes over a line held since it listed it"
    );
    let page = today::list(&books.db, &day, 50).expect("list");
    assert_eq!(page.lines[0].held_for, Some(HeldFor::Restored));
    assert!(
        !today::postpone(&books.db, listed[0], "05/11/2026", &day).expect("postpone"),
        "postponed, it would come back an ordinary line for the batch, unchecked"
    );
    // Once she has checked, the owner's own Enviar sends it.
    send_the_line(&books.db, date!(2026 - 11 - 02));
}

#[test]
fn ya_se_envio_on_a_line_held_by_a_restore_counts_toward_the_cooldown() {
    let books = Books::new();
    policy(&books.db, &[1, 3]);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books, pena, "F-1", "100", "01/11/2026");
    slots::run(&books.db, date!(2026 - 11 - 02)).expect("run");
    books
        .db
        .write(|tx| slots::hold_after_restore(tx, date!(2026 - 11 - 02)))
        .expect("held");
    let line = today::list(&books.db, &on(date!(2026 - 11 - 02)), 50)
        .expect("list")
        .lines[0]
        .slot_id;

    assert!(today::already_sent(&books.db, line, date!(2026 - 11 - 02)).expect("noted"));
    assert_eq!(waiting_on(&books.db, date!(2026 - 11 - 02)), 0);
    let next = slots::run(&books.db, date!(2026 - 11 - 04)).expect("run");
    assert_eq!(
        (next.due, next.held),
        (0, 1),
        "the +3, two days after the message that went out: cooldown 3"
    );
}
