//! A customer moving between políticas de cobranza, over real books in a real SQLite file, the
//! user's day passed in: a line the old policy decided is never listed nor sent once the
//! customer follows another — also by way of "sin recordatorios automáticos" —, while coming
//! back to the same policy finds a postponed line still postponed; a policy whose stored rules
//! are unreadable is listed (off) and leaves the other policies' customers alone; a step's words
//! go with the step; a deleted policy's id is never given to another.

mod common;

use cachicamo_core::collections::policies;
use cachicamo_core::collections::policy::{PolicyRules, PolicyStep, StepUnit};
use cachicamo_core::collections::step_words::{self, StepTemplate, StepTemplateView};
use cachicamo_core::collections::{slots, today, DEFAULT_POLICY};
use cachicamo_core::locale::Language;
use cachicamo_core::statements::StatementTemplate;
use cachicamo_core::step_templates::StepKey;
use cachicamo_core::Database;
use common::collections::{on, owes, policy, slots_of};
use common::{customer_at, Books};
use time::macros::date;

/// "Mayoristas": on, a single +30 step.
fn wholesale(db: &Database) -> i64 {
    let id = policies::create(db, "Mayoristas").expect("created").id;
    let rules = PolicyRules {
        enabled: true,
        steps: vec![PolicyStep {
            offset_days: 30,
            label: "Mayoristas: 30 días".into(),
            unit: StepUnit::Statement,
        }],
        ..PolicyRules::default()
    };
    policies::save_rules(db, id, rules).expect("rules");
    id
}

#[test]
fn a_line_of_the_old_policy_is_never_sent_after_a_move_by_way_of_sin_recordatorios() {
    let books = Books::new();
    let day = on(date!(2026 - 11 - 09));
    policy(&books.db, &[1, 7]);
    let mayoristas = wholesale(&books.db);
    let pena = customer_at(&books.db, "Distribuidora Peña", "pena@example.com");
    owes(&books, pena, "F-0001", "80", "01/11/2026");
    slots::run(&books.db, day.today).expect("run");
    let line = today::list(&books.db, &day, 50).expect("today").lines[0].slot_id;

    // The shop's +7 waits; the owner first stops automatic reminders, then puts the customer
    // on Mayoristas (+30 only): that +7 must not reach them.
    policies::follow(&books.db, pena, None).expect("sin recordatorios");
    policies::follow(&books.db, pena, Some(mayoristas)).expect("mayoristas");
    slots::run(&books.db, day.today).expect("run again");
    assert_eq!(today::list(&books.db, &day, 50).expect("today").total, 0);
    assert_eq!(
        today::send(&books.db, line, &day).expect("send"),
        None,
        "the old policy's line queues nothing"
    );
    assert!(
        !slots_of(&books.db)
            .iter()
            .any(|(_, offset, state)| *offset == 7 && state != "superseded"),
        "{:?}",
        slots_of(&books.db)
    );

    // At +30 it is Mayoristas' own step that goes.
    let later = on(date!(2026 - 12 - 01));
    slots::run(&books.db, later.today).expect("run at +30");
    let lines = today::list(&books.db, &later, 50).expect("today").lines;
    let labels: Vec<&str> = lines.iter().map(|l| l.step_label.as_str()).collect();
    assert_eq!(labels, ["Mayoristas: 30 días"]);
}

#[test]
fn back_on_the_same_policy_a_postponed_line_is_still_postponed() {
    let books = Books::new();
    let day = on(date!(2026 - 11 - 09));
    policy(&books.db, &[1, 7]);
    let pena = customer_at(&books.db, "Distribuidora Peña", "pena@example.com");
    owes(&books, pena, "F-0001", "80", "01/11/2026");
    slots::run(&books.db, day.today).expect("run");
    let line = today::list(&books.db, &day, 50).expect("today").lines[0].slot_id;
    assert!(today::postpone(&books.db, line, "20/11/2026", &day).expect("postponed"));

    policies::follow(&books.db, pena, None).expect("sin recordatorios");
    policies::follow(&books.db, pena, Some(DEFAULT_POLICY)).expect("back");
    slots::run(&books.db, day.today).expect("run again");

    assert_eq!(today::list(&books.db, &day, 50).expect("today").total, 0);
    let postponed: String = books
        .db
        .read(|conn| {
            conn.query_row(
                "SELECT postponed_until FROM collection_slots WHERE id = ?1 AND state = 'postponed'",
                [line],
                |r| r.get(0),
            )
        })
        .expect("still postponed");
    assert_eq!(postponed, "2026-11-20");
    let back = on(date!(2026 - 11 - 20));
    let lines = today::list(&books.db, &back, 50).expect("today").lines;
    assert_eq!(lines.iter().map(|l| l.slot_id).collect::<Vec<_>>(), [line]);
}

#[test]
fn an_unreadable_policy_is_listed_off_and_leaves_the_shops_customers_alone() {
    let books = Books::new();
    let day = on(date!(2026 - 11 - 09));
    policy(&books.db, &[1, 7]);
    let mayoristas = wholesale(&books.db);
    let pena = customer_at(&books.db, "Distribuidora Peña", "pena@example.com");
    let rios = customer_at(&books.db, "Ríos Mayor", "rios@example.com");
    owes(&books, pena, "F-0001", "80", "01/11/2026");
    owes(&books, rios, "F-0002", "80", "01/10/2026");
    policies::follow(&books.db, rios, Some(mayoristas)).expect("mayoristas");
    // A restored copy with Mayoristas' rules mangled by hand.
    books
        .db
        .write(|tx| {
            tx.execute(
                "UPDATE collection_policies SET rules = '{\"steps\": 7}' WHERE id = ?1",
                [mayoristas],
            )
        })
        .expect("mangled");

    let listed = books.db.read(policies::list).expect("the list still reads");
    let shown: Vec<(i64, bool)> = listed.iter().map(|p| (p.id, p.enabled)).collect();
    assert_eq!(shown, [(DEFAULT_POLICY, true), (mayoristas, false)]);
    slots::run(&books.db, day.today).expect("the evaluator still runs");
    let names: Vec<String> = today::list(&books.db, &day, 50)
        .expect("today")
        .lines
        .into_iter()
        .map(|l| l.customer_name)
        .collect();
    assert_eq!(
        names,
        ["Distribuidora Peña"],
        "Ríos's unreadable policy decides nothing"
    );
}

#[test]
fn a_steps_words_go_with_the_step() {
    let books = Books::new();
    policy(&books.db, &[1, 7]);
    let seven = StepKey {
        policy_id: DEFAULT_POLICY,
        offset_days: 7,
    };
    let words = StatementTemplate {
        subject: "Segundo aviso para {{ cliente }}".into(),
        ..StatementTemplate::standard(Language::Es)
    };
    step_words::save_words(
        &books.db,
        seven,
        Language::Es,
        StepTemplate::Statement(words),
    )
    .expect("saved");

    // +7 becomes +8, then +7 comes back: it says the default words, not the forgotten ones.
    policy(&books.db, &[1, 8]);
    policy(&books.db, &[1, 7, 8]);
    let view = step_words::words(&books.db, seven, Language::Es).expect("view");
    assert!(
        matches!(view, StepTemplateView::Statement(ref view) if view.view.is_default),
        "{view:?}"
    );
}

#[test]
fn a_deleted_policys_id_is_never_given_again() {
    let books = Books::new();
    let first = wholesale(&books.db);
    policies::delete(&books.db, first, true).expect("deleted");
    let second = policies::create(&books.db, "Mostrador")
        .expect("created")
        .id;
    assert!(second > first, "{second} after {first}");
}
