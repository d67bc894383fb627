//! Each step of the política de cobranza in its own words, over real books in a real SQLite
//! file, the user's day passed in: the +15 slot's statement says the último aviso's subject, not
//! the +7's nor the default's; a partial payment re-renders the waiting message in the same
//! step's words with the new balance; a customer who reads English gets the step's English
//! words; a step without words — or with words a restored file made invalid — says the
//! default statement's; a step sent per receivable says its own reminder words, also after a
//! re-render.

mod common;

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections::policy::{PolicyRules, Repeat};
use cachicamo_core::collections::step_words::{
    self, StepStatementTemplateView, StepTemplate, StepTemplateView,
};
use cachicamo_core::collections::{self as collections, policies, slots, today, CollectionsError};
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::outbox::OutboxId;
use cachicamo_core::reminders::{Rechecks, ReminderTemplate};
use cachicamo_core::statements::{self, SendStatement, StatementTemplate};
use cachicamo_core::step_templates::StepKey;
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use common::{cement_owed_in, customer_at, Books};
use time::macros::date;
use time::Date;

fn on(today: Date) -> Reading {
    Reading {
        region: Region::EsVe,
        today,
    }
}

/// Fifteen days after the receivables fall due (01/11/2026): the último aviso's day.
const LAST_NOTICE_DAY: Date = date!(2026 - 11 - 16);

fn step(offset_days: i32) -> StepKey {
    StepKey {
        policy_id: collections::DEFAULT_POLICY,
        offset_days,
    }
}

/// The guide's four steps, turned on.
fn four_steps(books: &Books) {
    let rules = PolicyRules {
        enabled: true,
        ..PolicyRules::proposed()
    };
    collections::save_policy(&books.db, rules).expect("policy");
}

/// `customer` owes `amount` dollars (typed the Venezuelan way), due 01/11/2026.
fn owes(db: &Database, customer: i64, document: &str, amount: &str) -> i64 {
    cement_owed_in(
        db,
        customer,
        "USD",
        (document, amount),
        ("01/10/2026", "01/11/2026"),
        &on(date!(2026 - 10 - 01)),
    )
}

/// The words of a step sent as the customer's statement.
fn statement(view: StepTemplateView) -> StepStatementTemplateView {
    match view {
        StepTemplateView::Statement(view) => view,
        other => panic!("statement words expected, got {other:?}"),
    }
}

/// The statement words `step` shows in `language`.
fn statement_words(books: &Books, step: StepKey, language: Language) -> StepStatementTemplateView {
    statement(step_words::words(&books.db, step, language).expect("view"))
}

/// The guide's words for `offset_days` in `language`, saved as the step's.
fn take_proposed(books: &Books, offset_days: i32, language: Language) -> StatementTemplate {
    let view = statement_words(books, step(offset_days), language);
    let saved = statement(
        step_words::save_words(
            &books.db,
            step(offset_days),
            language,
            StepTemplate::Statement(view.proposed.clone()),
        )
        .expect("saved"),
    );
    assert!(!saved.view.is_default);
    view.proposed
}

/// Cobros de hoy on `day`: the evaluator runs, and the customer's one line is sent.
fn send_the_line(books: &Books, customer: i64, day: Date) -> OutboxId {
    let reading = on(day);
    slots::run(&books.db, day).expect("run");
    let page = today::list(&books.db, &reading, 50).expect("today");
    let line = page
        .lines
        .iter()
        .find(|line| line.customer_id == customer)
        .expect("a line for the customer");
    today::send(&books.db, line.slot_id, &reading)
        .expect("send")
        .expect("queued")
}

/// The stored subject, text part and generation of an outbox row.
fn stored(db: &Database, id: OutboxId) -> (String, String, i64) {
    db.read(|conn| {
        conn.query_row(
            "SELECT subject, text_body, generation FROM outbox WHERE id = ?1",
            [id.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    })
    .expect("row")
}

fn paid(books: &Books, receivable: i64, amount: &str, day: Date) {
    let form = PaymentForm {
        paid_on: Region::EsVe.date(day),
        amount: amount.into(),
        method: Some(PaymentMethod::Cash),
        ..PaymentForm::default()
    };
    payments::record(&books.db, &Rechecks::default(), receivable, &form, &on(day)).expect("paid");
}

#[test]
fn the_plus_15_slot_says_the_ultimo_aviso_and_a_partial_payment_keeps_its_words() {
    let books = Books::new();
    four_steps(&books);
    let second = StatementTemplate {
        subject: "Segundo aviso para {{ cliente }}".into(),
        ..StatementTemplate::standard(Language::Es)
    };
    step_words::save_words(
        &books.db,
        step(7),
        Language::Es,
        StepTemplate::Statement(second),
    )
    .expect("+7");
    let last = take_proposed(&books, 15, Language::Es);
    assert!(last.subject.starts_with("Último aviso"), "{}", last.subject);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let cement = owes(&books.db, pena, "F-0042", "80");

    let id = send_the_line(&books, pena, LAST_NOTICE_DAY);
    let (subject, text, first) = stored(&books.db, id);
    assert_eq!(subject, "Último aviso: saldo vencido de USD 80,00");
    assert!(
        text.contains("Este es nuestro último aviso sobre su saldo vencido de USD 80,00"),
        "{text}"
    );

    // USD 30 paid at the counter: the waiting statement is said again from the books — in the
    // último aviso's words, with what is owed now.
    paid(&books, cement, "30", LAST_NOTICE_DAY);
    let (subject, text, generation) = stored(&books.db, id);
    assert_eq!(generation, first + 1, "re-rendered under a new generation");
    assert_eq!(subject, "Último aviso: saldo vencido de USD 50,00");
    assert!(
        text.contains("Este es nuestro último aviso sobre su saldo vencido de USD 50,00"),
        "{text}"
    );
    assert!(
        text.contains("suspenderemos las ventas a crédito"),
        "{text}"
    );
}

#[test]
fn a_customer_who_reads_english_gets_the_steps_english_words() {
    let books = Books::new();
    four_steps(&books);
    take_proposed(&books, 15, Language::Es);
    let english = take_proposed(&books, 15, Language::En);
    let harbour = customers::create(
        &books.db,
        CustomerForm {
            name: "Harbour Supplies".into(),
            email: "ap@harbour.example".into(),
            email_language: Some(Language::En),
            ..CustomerForm::default()
        },
        Language::Es,
    )
    .expect("customer")
    .id;
    owes(&books.db, harbour, "F-0050", "120");

    let id = send_the_line(&books, harbour, LAST_NOTICE_DAY);
    let (subject, text, _) = stored(&books.db, id);
    assert!(english.subject.starts_with("Final notice"));
    assert_eq!(subject, "Final notice: overdue balance of USD 120.00");
    assert!(
        text.starts_with("Dear Harbour Supplies,\n\nThis is our final notice"),
        "{text}"
    );
}

#[test]
fn a_step_without_words_says_the_default_statement() {
    let books = Books::new();
    four_steps(&books);
    // Words for another step only.
    take_proposed(&books, 7, Language::Es);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books.db, pena, "F-0042", "80");
    let view = statement_words(&books, step(15), Language::Es);
    assert!(view.view.is_default);
    assert!(!view.view.saved_was_invalid);

    let id = send_the_line(&books, pena, LAST_NOTICE_DAY);
    let by_hand = statements::queue::preview(
        &books.db,
        &SendStatement {
            customer_id: pena,
            ..SendStatement::default()
        },
        &on(LAST_NOTICE_DAY),
    )
    .expect("the statement sent by hand");
    let (subject, _, _) = stored(&books.db, id);
    assert_eq!(subject, by_hand.message.subject);
    assert!(subject.starts_with("Estado de cuenta al"), "{subject}");
}

#[test]
fn words_a_restored_file_made_invalid_are_not_used_and_the_editor_says_so() {
    let books = Books::new();
    four_steps(&books);
    // As a hand-edited or foreign copy could hold them: an unknown variable, and no JSON at all.
    books
        .db
        .write(|tx| {
            tx.execute(
                "INSERT INTO step_templates (policy_id, offset_days, unit, language, template)
                 VALUES (1, 15, 'statement', 'es',
                         '{\"subject\":\"Pague a {{ banco }}\",\"intro\":\"x\",\"closing\":\"y\"}'),
                        (1, 15, 'statement', 'en', 'not json')",
                [],
            )
        })
        .expect("forged");
    for language in [Language::Es, Language::En] {
        let StepStatementTemplateView { view, .. } = statement_words(&books, step(15), language);
        assert!(view.is_default && view.saved_was_invalid, "{language:?}");
        assert_eq!(
            view.template,
            statements::template::view(&books.db, language)
                .expect("default")
                .template,
            "the default statement's words stand in"
        );
    }
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books.db, pena, "F-0042", "80");
    let id = send_the_line(&books, pena, LAST_NOTICE_DAY);
    let (subject, _, _) = stored(&books.db, id);
    assert!(subject.starts_with("Estado de cuenta al"), "{subject}");
}

#[test]
fn words_are_refused_by_field_and_kept_only_for_a_step_the_policy_has() {
    let books = Books::new();
    four_steps(&books);
    let refused = step_words::save_words(
        &books.db,
        step(15),
        Language::Es,
        StepTemplate::Statement(StatementTemplate {
            subject: "Último aviso\nBcc: todos@example.com".into(),
            intro: "Pague a {{ banco }}".into(),
            closing: " ".into(),
        }),
    )
    .expect_err("refused");
    let CollectionsError::Invalid(fields) = refused else {
        panic!("field errors expected, got {refused:?}");
    };
    let problems: Vec<(&str, FieldProblem)> = fields
        .iter()
        .map(|f| (f.field.as_str(), f.problem))
        .collect();
    assert_eq!(
        problems,
        [
            ("subject", FieldProblem::MultipleLines),
            ("intro", FieldProblem::UnknownVariable),
            ("closing", FieldProblem::Required),
        ]
    );
    assert!(
        statement_words(&books, step(15), Language::Es)
            .view
            .is_default,
        "nothing kept from a refused form"
    );
    let missing = step_words::words(&books.db, step(30), Language::Es).expect_err("no +30 step");
    assert!(matches!(missing, CollectionsError::Books(_)), "{missing:?}");

    // Restablecer: the step says the default words again.
    take_proposed(&books, 15, Language::Es);
    let reset =
        statement(step_words::reset_words(&books.db, step(15), Language::Es).expect("reset"));
    assert!(reset.view.is_default);
    assert_eq!(
        reset.view.template,
        StatementTemplate::standard(Language::Es)
    );
}

#[test]
fn a_step_sent_per_receivable_says_its_reminder_words_also_after_a_partial_payment() {
    let books = Books::new();
    let rules = cachicamo_e2e::books::second_notice_per_receivable();
    collections::save_policy(&books.db, rules).expect("policy");
    let words = ReminderTemplate {
        subject: "Segundo aviso: {{ concepto }} ({{ saldo }})".into(),
        body: "{{ cliente }}, su saldo de {{ saldo }} sigue pendiente.".into(),
    };
    let saved = step_words::save_words(
        &books.db,
        step(7),
        Language::Es,
        StepTemplate::Receivable(words),
    )
    .expect("saved");
    assert!(
        matches!(saved, StepTemplateView::Receivable(ref view) if !view.view.is_default),
        "{saved:?}"
    );
    // Statement words for it find no such step: it sends reminders.
    let refused = step_words::save_words(
        &books.db,
        step(7),
        Language::Es,
        StepTemplate::Statement(StatementTemplate::standard(Language::Es)),
    )
    .expect_err("not a statement step");
    assert!(matches!(refused, CollectionsError::Books(_)), "{refused:?}");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let cement = owes(&books.db, pena, "F-0042", "80");

    let day = date!(2026 - 11 - 09);
    let id = send_the_line(&books, pena, day);
    let (subject, text, first) = stored(&books.db, id);
    assert_eq!(subject, "Segundo aviso: Cemento (USD 80,00)");
    assert_eq!(
        text,
        "Peña & Hijos, su saldo de USD 80,00 sigue pendiente.\n"
    );

    paid(&books, cement, "30", day);
    let (subject, text, generation) = stored(&books.db, id);
    assert_eq!(generation, first + 1);
    assert_eq!(subject, "Segundo aviso: Cemento (USD 50,00)");
    assert_eq!(
        text,
        "Peña & Hijos, su saldo de USD 50,00 sigue pendiente.\n"
    );
}

#[test]
fn a_repeat_after_the_last_step_says_the_last_steps_words() {
    let books = Books::new();
    let rules = PolicyRules {
        enabled: true,
        repeat: Some(Repeat {
            every_days: 10,
            times: 2,
        }),
        ..PolicyRules::proposed()
    };
    collections::save_policy(&books.db, rules).expect("policy");
    take_proposed(&books, 15, Language::Es);
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    owes(&books.db, pena, "F-0042", "80");

    // Ten days after the último aviso: the first repeat (+25), which has no words of its own.
    let id = send_the_line(&books, pena, date!(2026 - 11 - 26));
    let offset: i64 = books
        .db
        .read(|conn| {
            conn.query_row(
                "SELECT offset_days FROM collection_slots WHERE outbox_id = ?1",
                [id.0],
                |r| r.get(0),
            )
        })
        .expect("slot");
    assert_eq!(offset, 25, "the repeat's slot");
    let (subject, _, _) = stored(&books.db, id);
    assert_eq!(subject, "Último aviso: saldo vencido de USD 80,00");
}

#[test]
fn a_customer_on_a_named_policy_gets_that_policys_step_words() {
    let books = Books::new();
    four_steps(&books);
    // The shop's +15 has its own words; Mayoristas' +15 says something else.
    take_proposed(&books, 15, Language::Es);
    let wholesale = policies::create(&books.db, "Mayoristas")
        .expect("created")
        .id;
    let rules = PolicyRules {
        enabled: true,
        ..PolicyRules::proposed()
    };
    policies::save_rules(&books.db, wholesale, rules).expect("rules");
    let theirs = StatementTemplate {
        subject: "Mayoristas: su saldo de {{ saldo }}".into(),
        ..StatementTemplate::standard(Language::Es)
    };
    let key = StepKey {
        policy_id: wholesale,
        offset_days: 15,
    };
    step_words::save_words(
        &books.db,
        key,
        Language::Es,
        StepTemplate::Statement(theirs),
    )
    .expect("saved");
    let pena = customer_at(&books.db, "Peña & Hijos", "cobros@pena.com.ve");
    let ferreteria = customer_at(&books.db, "Ferretería El Tornillo", "pagos@tornillo.com.ve");
    policies::follow(&books.db, ferreteria, Some(wholesale)).expect("follows");
    owes(&books.db, pena, "F-0042", "80");
    owes(&books.db, ferreteria, "F-0043", "90");

    let shop = send_the_line(&books, pena, LAST_NOTICE_DAY);
    let wholesale_line = send_the_line(&books, ferreteria, LAST_NOTICE_DAY);
    assert_eq!(
        stored(&books.db, shop).0,
        "Último aviso: saldo vencido de USD 80,00"
    );
    assert_eq!(
        stored(&books.db, wholesale_line).0,
        "Mayoristas: su saldo de USD 90,00"
    );
}
