//! Several políticas de cobranza over real books in a real SQLite file, the user's day passed
//! in: a wholesaler on a +30 policy and a walk-in customer on the shop's +1 are each reminded at
//! their own step; a customer moved to a policy that is off gets nothing (and the line the old
//! policy decided leaves Cobros de hoy); deleting a policy in use asks, then moves its customers
//! to the shop's policy; names are unique; the shop-wide send mode stays the shop's; a backup
//! carries who follows which.

mod common;

use cachicamo_core::backup::{self, Backups, RestoreSource};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections::policies::{self, PolicyDeletion};
use cachicamo_core::collections::policy::{PolicyRules, PolicyStep, SendMode, StepUnit};
use cachicamo_core::collections::simulate::simulate;
use cachicamo_core::collections::DEFAULT_POLICY;
use cachicamo_core::collections::{self as collections, slots, today, CollectionsError};
use cachicamo_core::locale::Region;
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use common::{cement_owed_on, customer_at, Books};
use time::macros::{date, datetime};
use time::Date;

fn on(today: Date) -> Reading {
    Reading {
        region: Region::EsVe,
        today,
    }
}

fn steps(enabled: bool, steps: &[(i32, &str)]) -> PolicyRules {
    PolicyRules {
        enabled,
        steps: steps
            .iter()
            .map(|&(offset_days, label)| PolicyStep {
                offset_days,
                label: label.into(),
                unit: StepUnit::Statement,
            })
            .collect(),
        ..PolicyRules::default()
    }
}

/// `customer` owes USD 80, due 01/11/2026.
fn owes(db: &Database, customer: i64, document: &str) {
    cement_owed_on(
        db,
        customer,
        (document, "80"),
        ("01/10/2026", "01/11/2026"),
        &on(date!(2026 - 10 - 01)),
    );
}

/// Eight days after the receivables fell due: the shop's +1 reached, a +30 not yet.
const EIGHTH_DAY: Date = date!(2026 - 11 - 09);

/// Books whose shop's policy is on with one step, +1 "Vencida", beside a named policy `name`
/// with `rules` (its id).
fn shop_on_plus_one_and(name: &str, rules: PolicyRules) -> (Books, i64) {
    let books = Books::new();
    collections::save_policy(&books.db, steps(true, &[(1, "Vencida")])).expect("shop");
    let id = named(&books.db, name, rules);
    (books, id)
}

/// A walk-in customer and a wholesaler: (name, email).
const ESQUINA: (&str, &str) = ("Bodega La Esquina", "esquina@example.com");
const PENA: (&str, &str) = ("Distribuidora Peña", "pena@example.com");

/// A customer, (name, email), who owes USD 80 on `document`, due 01/11/2026.
fn owing(db: &Database, (name, email): (&str, &str), document: &str) -> i64 {
    let customer = customer_at(db, name, email);
    owes(db, customer, document);
    customer
}

/// A named policy with `rules`, saved through the same check as the shop's.
fn named(db: &Database, name: &str, rules: PolicyRules) -> i64 {
    let id = policies::create(db, name).expect("created").id;
    policies::save_rules(db, id, rules).expect("rules");
    id
}

/// Every slot decided for `customer`: (step, state).
fn slots_of(db: &Database, customer: i64) -> Vec<(i32, String)> {
    db.read(|conn| {
        let mut statement = conn.prepare(
            "SELECT offset_days, state FROM collection_slots WHERE customer_id = ?1
             ORDER BY offset_days",
        )?;
        let rows = statement.query_map([customer], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })
    .expect("slots")
}

fn waiting(db: &Database, day: Date) -> Vec<(String, String)> {
    today::list(db, &on(day), 50)
        .expect("today")
        .lines
        .into_iter()
        .map(|line| (line.customer_name, line.step_label))
        .collect()
}

/// The policies' names, the shop's first.
fn policy_names(db: &Database) -> Vec<String> {
    db.read(policies::list)
        .expect("list")
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn refusals(err: CollectionsError) -> Vec<(String, FieldProblem)> {
    match err {
        CollectionsError::Invalid(fields) => {
            fields.into_iter().map(|f| (f.field, f.problem)).collect()
        }
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_wholesaler_on_plus_thirty_and_a_walk_in_on_plus_one_are_each_reminded_at_their_own_step() {
    let (books, wholesale) =
        shop_on_plus_one_and("Mayoristas", steps(true, &[(30, "Mayoristas: 30 días")]));
    let walk_in = owing(&books.db, ESQUINA, "F-0001");
    let wholesaler = owing(&books.db, PENA, "F-0002");
    policies::follow(&books.db, wholesaler, Some(wholesale)).expect("follows");

    // Eight days overdue: the shop's +1 reached, the wholesaler's +30 not yet.
    slots::run(&books.db, EIGHTH_DAY).expect("run");
    assert_eq!(slots_of(&books.db, walk_in), [(1, "due".to_owned())]);
    assert_eq!(slots_of(&books.db, wholesaler), []);
    assert_eq!(
        waiting(&books.db, EIGHTH_DAY),
        [("Bodega La Esquina".to_owned(), "Vencida".to_owned())]
    );

    // The simulation follows each customer's policy too, naming the step by it.
    let simulated = books
        .db
        .read(|conn| simulate(conn, &on(EIGHTH_DAY), 30))
        .expect("simulated");
    let wholesaler_days: Vec<(String, String)> = simulated
        .iter()
        .flat_map(|day| {
            day.messages
                .iter()
                .filter(|m| m.customer_id == wholesaler)
                .map(|m| (day.day.iso.clone(), m.step_label.clone()))
        })
        .collect();
    assert_eq!(
        wholesaler_days,
        [("2026-12-01".to_owned(), "Mayoristas: 30 días".to_owned())]
    );

    // Thirty days overdue: the wholesaler's own step, named by their policy.
    let thirtieth = date!(2026 - 12 - 01);
    slots::run(&books.db, thirtieth).expect("run");
    assert_eq!(slots_of(&books.db, wholesaler), [(30, "due".to_owned())]);
    assert_eq!(slots_of(&books.db, walk_in), [(1, "due".to_owned())]);
    let lines = waiting(&books.db, thirtieth);
    assert!(
        lines.contains(&(
            "Distribuidora Peña".to_owned(),
            "Mayoristas: 30 días".to_owned()
        )),
        "{lines:?}"
    );
}

#[test]
fn a_customer_moved_to_a_policy_that_is_off_gets_nothing_and_the_old_line_leaves() {
    let (books, resting) = shop_on_plus_one_and("En pausa", steps(false, &[(1, "Vencida")]));
    let esquina = owing(&books.db, ESQUINA, "F-0001");
    slots::run(&books.db, EIGHTH_DAY).expect("run");
    assert_eq!(waiting(&books.db, EIGHTH_DAY).len(), 1);

    policies::follow(&books.db, esquina, Some(resting)).expect("moved");
    assert_eq!(
        policies::followed(&books.db, esquina).expect("followed"),
        Some(resting)
    );
    assert_eq!(waiting(&books.db, EIGHTH_DAY), []);
    slots::run(&books.db, EIGHTH_DAY).expect("run again");
    slots::run(&books.db, date!(2026 - 12 - 20)).expect("weeks later");
    assert_eq!(
        slots_of(&books.db, esquina),
        [],
        "an off policy decides nothing"
    );

    // Back on the shop's policy, it decides afresh.
    policies::follow(&books.db, esquina, Some(DEFAULT_POLICY)).expect("back");
    slots::run(&books.db, EIGHTH_DAY).expect("run");
    assert_eq!(slots_of(&books.db, esquina), [(1, "due".to_owned())]);
}

#[test]
fn deleting_a_policy_in_use_asks_then_moves_its_customers_to_the_shops_policy() {
    let (books, wholesale) = shop_on_plus_one_and("Mayoristas", steps(true, &[(30, "Mayoristas")]));
    let pena = owing(&books.db, PENA, "F-0001");
    let rios = owing(&books.db, ("Ríos Mayor", "rios@example.com"), "F-0002");
    for customer in [pena, rios] {
        policies::follow(&books.db, customer, Some(wholesale)).expect("follows");
    }
    let counted = books.db.read(policies::list).expect("list");
    assert_eq!(
        counted
            .iter()
            .map(|p| (p.id, p.customers))
            .collect::<Vec<_>>(),
        [(DEFAULT_POLICY, 0), (wholesale, 2)]
    );

    assert_eq!(
        policies::delete(&books.db, wholesale, false).expect("asked"),
        PolicyDeletion {
            deleted: false,
            customers: 2
        }
    );
    assert_eq!(
        policies::followed(&books.db, pena).expect("followed"),
        Some(wholesale),
        "nothing moves before the owner confirms"
    );
    assert_eq!(
        policies::delete(&books.db, wholesale, true).expect("deleted"),
        PolicyDeletion {
            deleted: true,
            customers: 2
        }
    );
    assert_eq!(books.db.read(policies::list).expect("list").len(), 1);
    for customer in [pena, rios] {
        assert_eq!(
            policies::followed(&books.db, customer).expect("followed"),
            Some(DEFAULT_POLICY)
        );
    }
    slots::run(&books.db, EIGHTH_DAY).expect("run");
    assert_eq!(slots_of(&books.db, pena), [(1, "due".to_owned())]);
    assert_eq!(
        policies::follow(&books.db, pena, Some(wholesale)).map_err(|e| e.to_string()),
        Err(CollectionsError::UnknownPolicy { id: wholesale }.to_string())
    );

    // The shop's own policy stays, under its own name.
    assert!(matches!(
        policies::delete(&books.db, DEFAULT_POLICY, true),
        Err(CollectionsError::ShopPolicy)
    ));
    assert!(matches!(
        policies::rename(&books.db, DEFAULT_POLICY, "Otra"),
        Err(CollectionsError::ShopPolicy)
    ));
    // One nobody follows goes without asking.
    let unused = named(&books.db, "Mostrador", steps(false, &[]));
    assert_eq!(
        policies::delete(&books.db, unused, false).expect("deleted"),
        PolicyDeletion {
            deleted: true,
            customers: 0
        }
    );
}

#[test]
fn policy_names_are_trimmed_unique_without_regard_to_case_and_refused_by_field() {
    let books = Books::new();
    let wholesale = policies::create(&books.db, "  Mayoristas  ").expect("created");
    assert_eq!(wholesale.name, "Mayoristas");
    assert!(!wholesale.enabled, "off until the owner fills it in");
    assert_eq!(
        refusals(policies::create(&books.db, "mayoristas").expect_err("taken")),
        [("name".to_owned(), FieldProblem::DuplicatePolicyName)]
    );
    // The shop's own policy as the window names it, in either language.
    for shown in ["política del negocio", "Business Policy"] {
        assert_eq!(
            refusals(policies::create(&books.db, shown).expect_err("the shop's")),
            [("name".to_owned(), FieldProblem::DuplicatePolicyName)]
        );
    }
    assert_eq!(
        refusals(policies::create(&books.db, "   ").expect_err("empty")),
        [("name".to_owned(), FieldProblem::Required)]
    );
    assert_eq!(
        refusals(policies::create(&books.db, &"M".repeat(101)).expect_err("long")),
        [("name".to_owned(), FieldProblem::TooLong)]
    );
    assert_eq!(
        policies::create(&books.db, &"M".repeat(100))
            .expect("100 characters fit")
            .name
            .len(),
        100
    );
    let counter = policies::create(&books.db, "Mostrador").expect("created");
    assert_eq!(
        refusals(policies::rename(&books.db, counter.id, "MAYORISTAS").expect_err("taken")),
        [("name".to_owned(), FieldProblem::DuplicatePolicyName)]
    );
    let renamed = policies::rename(&books.db, counter.id, "mostrador ").expect("its own name");
    assert_eq!(renamed.name, "mostrador");
    let names = policy_names(&books.db);
    assert_eq!(
        names,
        [
            "Política de cobranza".to_owned(),
            "Mayoristas".to_owned(),
            "M".repeat(100),
            "mostrador".to_owned()
        ]
    );
}

#[test]
fn the_send_mode_and_the_payments_gate_stay_the_shops_and_rules_are_checked_per_policy() {
    let books = Books::new();
    let wholesale = policies::create(&books.db, "Mayoristas")
        .expect("created")
        .id;
    let mut rules = steps(true, &[(30, "Mayoristas")]);
    rules.mode = SendMode::Automatic;
    rules.payments_gate_days = 30;
    let saved = policies::save_rules(&books.db, wholesale, rules).expect("saved");
    assert_eq!(
        (saved.mode, saved.payments_gate_days),
        (SendMode::Review, PolicyRules::default().payments_gate_days)
    );
    assert_eq!(
        refusals(
            policies::save_rules(&books.db, wholesale, steps(true, &[])).expect_err("no steps")
        ),
        [("steps".to_owned(), FieldProblem::Required)]
    );
    let stored = books
        .db
        .read(|conn| policies::rules_of(conn, wholesale))
        .expect("stored");
    assert_eq!(stored.steps.len(), 1);
    assert!(matches!(
        policies::save_rules(&books.db, 999, steps(false, &[])),
        Err(CollectionsError::UnknownPolicy { id: 999 })
    ));
}

#[test]
fn a_backup_carries_who_follows_which_policy() {
    let books = Books::new();
    let dir = tempfile::tempdir().expect("dir");
    let wholesale = named(&books.db, "Mayoristas", steps(true, &[(30, "Mayoristas")]));
    let pena = customer_at(&books.db, PENA.0, PENA.1);
    let quiet = customer_at(&books.db, "Cliente Tranquilo", "tranquilo@example.com");
    policies::follow(&books.db, pena, Some(wholesale)).expect("follows");
    policies::follow(&books.db, quiet, None).expect("sin recordatorios");
    let now = datetime!(2026-11-29 15:30:12 UTC);
    let copy =
        backup::export(&books.db, &dir.path().join("export"), now, &mut |_| {}).expect("export");

    policies::delete(&books.db, wholesale, true).expect("deleted");
    policies::follow(&books.db, quiet, Some(DEFAULT_POLICY)).expect("back");
    let bytes = std::fs::read(copy).expect("read copy");
    Backups::new(dir.path().join("backups"))
        .restore(&books.db, RestoreSource::File(&bytes), now, &mut |_| {})
        .expect("restored");

    assert_eq!(
        policies::followed(&books.db, pena).expect("followed"),
        Some(wholesale)
    );
    assert_eq!(
        policies::followed(&books.db, quiet).expect("followed"),
        None
    );
    let names = policy_names(&books.db);
    assert_eq!(names, ["Política de cobranza", "Mayoristas"]);
}
