//! Desktop notices over real books in a real SQLite file: off until turned on; one notice when
//! new lines wait for review, none again for the same lines (also after reopening the file), a
//! new one for a line decided later; the payments gate's notice in Automático; nothing in
//! "Enviar a las HH:MM" before the hour, when the app sends on its own.

mod common;

use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections::batch;
use cachicamo_core::collections::policy::{PolicyRules, SendMode};
use cachicamo_core::collections::{self as collections, slots};
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::notices::{self, Decision, Notice};
use cachicamo_core::{settings, Database};
use common::{cement_owed_on, customer_at};
use time::macros::date;
use time::{Date, OffsetDateTime};

fn on(today: Date) -> Reading {
    Reading {
        region: Region::EsVe,
        today,
    }
}

fn policy(db: &Database, mode: SendMode) {
    let mut rules = PolicyRules::proposed();
    rules.enabled = true;
    rules.mode = mode;
    collections::save_policy(db, rules).expect("policy");
}

fn owes(db: &Database, customer: i64, document: &str) {
    cement_owed_on(
        db,
        customer,
        (document, "100"),
        ("01/10/2026", "01/11/2026"),
        &on(date!(2026 - 10 - 01)),
    );
}

/// One evaluation as the app runs it, and what it would announce.
fn evaluate(db: &Database, now: OffsetDateTime) -> Option<Notice> {
    let day = on(now.date());
    slots::run(db, day.today).expect("run");
    let batch = batch::run(db, &day, now).expect("batch");
    match notices::after_evaluation(db, day.today, &batch).expect("notice") {
        Decision::Announce(announcement) => {
            notices::shown(db, &announcement).expect("remembered");
            Some(announcement.notice)
        }
        Decision::Off | Decision::NothingNew => None,
    }
}

#[test]
fn new_lines_waiting_for_review_are_announced_once_even_across_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("books.sqlite3");
    let db = Database::open(&file).expect("db");
    let now = OffsetDateTime::now_utc();
    policy(&db, SendMode::Review);
    let pena = customer_at(&db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&db, pena, "F-1");

    assert_eq!(evaluate(&db, now), None, "off until the owner turns it on");
    settings::set_notify_waiting(&db, true).expect("on");
    assert_eq!(
        evaluate(&db, now),
        Some(Notice::Review { waiting: 1 }),
        "what already waits is announced once notices are on"
    );
    assert_eq!(evaluate(&db, now), None, "never twice for the same lines");
    drop(db);

    let db = Database::open(&file).expect("reopened");
    assert_eq!(evaluate(&db, now), None, "nor after a restart");
    let esquina = customer_at(&db, "Bodega La Esquina", "pagos@esquina.com");
    owes(&db, esquina, "F-2");
    assert_eq!(
        evaluate(&db, now),
        Some(Notice::Review { waiting: 2 }),
        "a line decided later brings one notice, counting all that wait"
    );
    assert_eq!(evaluate(&db, now), None);
}

#[test]
fn the_payments_gate_is_announced_once_and_the_timed_mode_before_its_hour_says_nothing() {
    let books = common::Books::new();
    let db = &books.db;
    settings::set_notify_waiting(db, true).expect("on");
    let now = OffsetDateTime::now_utc();
    policy(
        db,
        SendMode::At {
            hour: 23,
            minute: 59,
        },
    );
    let pena = customer_at(db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(db, pena, "F-1");
    let early = now.replace_time(time::macros::time!(00:00));
    assert_eq!(
        evaluate(db, early),
        None,
        "the app will send at 23:59 itself"
    );

    policy(db, SendMode::Automatic);
    assert_eq!(
        evaluate(db, now),
        Some(Notice::PaymentsGate {
            waiting: 1,
            days: 7
        }),
        "nobody recorded a payment: the batch waits, and the owner is told"
    );
    assert_eq!(evaluate(db, now), None, "once");
}

#[test]
fn the_words_count_the_lines_in_the_owners_language() {
    let (title, body) = notices::words(Notice::Review { waiting: 3 }, Language::Es);
    assert_eq!(title, "Cobros de hoy");
    assert_eq!(body, "3 recordatorios esperan su revisión en Cachicamo.");
    let (title, body) = notices::words(Notice::Review { waiting: 1 }, Language::En);
    assert_eq!(title, "Today's collections");
    assert_eq!(body, "1 reminder is waiting for your review in Cachicamo.");
    let (_, body) = notices::words(
        Notice::PaymentsGate {
            waiting: 2,
            days: 7,
        },
        Language::Es,
    );
    assert!(
        body.starts_with("2 recordatorios quedaron sin enviar")
            && body.contains("¿Registró los pagos recientes?"),
        "{body}"
    );
}
