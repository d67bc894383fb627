//! Reminder templates and the exact message for a receivable, against a real SQLite file.

use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::receivables;
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::business::{self, Business};
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::payment_options::{self, PaymentOption, PaymentOptionDetails};
use cachicamo_core::reminders::Rechecks;
use cachicamo_core::reminders::{self, ReminderError, ReminderRequest, ReminderTemplate};
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use cachicamo_e2e::books;
use time::macros::date;

const READING: Reading = Reading {
    region: Region::EsCo,
    today: date!(2026 - 03 - 20),
};

fn open() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("dir");
    let db = Database::open(&dir.path().join("c.sqlite3")).expect("db");
    (dir, db)
}

fn receivable_of(
    db: &Database,
    document: &str,
    name: &str,
    email: &str,
    language: Language,
) -> i64 {
    let customer = books::customer(db, name, email, language);
    let owed = books::cement(document, "1.500,50", "01/03/2026", "10/03/2026");
    books::owes(db, &READING, customer, owed)
}

#[test]
fn an_edited_template_is_kept_until_the_default_is_restored() {
    let (dir, db) = open();
    let standard = reminders::template(&db, Language::Es).expect("default");
    assert!(standard.is_default);
    assert_eq!(standard.template, ReminderTemplate::standard(Language::Es));
    assert_eq!(standard.variables[0].name, "cliente");
    let mine = ReminderTemplate {
        subject: "Su saldo con nosotros".into(),
        body: "Hola {{ cliente }}, debe {{ saldo }}.".into(),
    };
    reminders::save(&db, Language::Es, mine.clone()).expect("saved");
    drop(db);
    let db = Database::open(&dir.path().join("c.sqlite3")).expect("reopen");
    let kept = reminders::template(&db, Language::Es).expect("read");
    assert_eq!((kept.template, kept.is_default), (mine, false));
    assert!(
        reminders::template(&db, Language::En)
            .expect("en")
            .is_default,
        "each language has its own template"
    );
    let restored = reminders::reset(&db, Language::Es).expect("reset");
    assert!(restored.is_default);
    assert_eq!(restored.template, ReminderTemplate::standard(Language::Es));
}

#[test]
fn a_refused_template_changes_nothing() {
    let (_dir, db) = open();
    let err = reminders::save(
        &db,
        Language::Es,
        ReminderTemplate {
            subject: "Hola".into(),
            body: "{{ clientes }}".into(),
        },
    )
    .expect_err("unknown variable");
    let ReminderError::Invalid(fields) = err else {
        panic!("field errors expected");
    };
    assert_eq!(fields[0].problem, FieldProblem::UnknownVariable);
    assert_eq!(fields[0].detail.as_deref(), Some("clientes"));
    assert!(
        reminders::template(&db, Language::Es)
            .expect("read")
            .is_default
    );
}

#[test]
fn the_reminder_speaks_the_customers_email_language_with_the_businesss_formas_de_pago() {
    let (_dir, db) = open();
    business::save(
        &db,
        Business {
            name: "Ferretería Peña".into(),
            default_currency: "USD".into(),
            ..Business::default()
        },
    )
    .expect("business");
    payment_options::save(
        &db,
        vec![PaymentOption {
            details: PaymentOptionDetails::Zelle {
                email: "cobros@ferreteria.com".into(),
                holder: "José Peña".into(),
            },
            currencies: Some(vec!["USD".into()]),
        }],
    )
    .expect("formas de pago");
    let english = receivable_of(
        &db,
        "F-0041",
        "Smith & Co",
        "ap@smith.example",
        Language::En,
    );
    let draft = reminders::for_receivable(
        &db,
        &ReminderRequest {
            receivable_id: english,
            recipient: None,
        },
        &READING,
    )
    .expect("draft");
    assert_eq!(draft.recipient.as_deref(), Some("ap@smith.example"));
    assert_eq!(draft.message.language, Language::En);
    assert_eq!(draft.message.subject, "Payment reminder: Cemento gris");
    assert!(draft.message.text.contains("a balance of USD 1,500.50"));
    assert!(draft.message.text.contains("due on 03/10/2026"));
    assert!(
        draft.message.text.contains(
            "You can pay as follows:\nZelle: cobros@ferreteria.com · holder José Peña\n\
             Please use F-0041 as the payment reference."
        ),
        "{}",
        draft.message.text
    );
    assert!(draft.message.html.contains("Smith &amp; Co"));

    let spanish = receivable_of(&db, "F-0042", "José Peña", "", Language::Es);
    reminders::save(
        &db,
        Language::Es,
        ReminderTemplate {
            subject: "Aviso {{ documento }}".into(),
            body: "{{ cliente }}: {{ saldo }}, {{ dias_vencidos }} días de atraso.".into(),
        },
    )
    .expect("saved");
    let request = ReminderRequest {
        receivable_id: spanish,
        recipient: None,
    };
    let draft = reminders::for_receivable(&db, &request, &READING).expect("draft");
    assert_eq!(draft.recipient, None, "no address saved, none given");
    assert_eq!(draft.message.subject, "Aviso F-0042");
    // Colombia writes the amounts of a Spanish reminder when it is the app's region.
    assert_eq!(
        draft.message.text,
        "José Peña: USD 1.500,50, 10 días de atraso.\n"
    );
    let elsewhere = ReminderRequest {
        recipient: Some(" pagos@pena.example ".into()),
        ..request.clone()
    };
    let draft = reminders::for_receivable(&db, &elsewhere, &READING).expect("draft");
    assert_eq!(draft.recipient.as_deref(), Some("pagos@pena.example"));
    let wrong = ReminderRequest {
        recipient: Some("no es un correo".into()),
        ..request.clone()
    };
    let Err(ReminderError::Invalid(fields)) = reminders::for_receivable(&db, &wrong, &READING)
    else {
        panic!("an invalid recipient is refused");
    };
    assert_eq!(fields[0].field, "recipient");

    receivables::void(
        &db,
        &Rechecks::default(),
        spanish,
        "Error de carga",
        &READING,
    )
    .expect("void");
    assert!(matches!(
        reminders::for_receivable(&db, &request, &READING),
        Err(ReminderError::Books(BooksError::Refused(
            Refusal::NotPending
        )))
    ));
    assert!(matches!(
        reminders::for_receivable(
            &db,
            &ReminderRequest {
                receivable_id: 999,
                recipient: None
            },
            &READING
        ),
        Err(ReminderError::Books(BooksError::NotFound { .. }))
    ));
}

#[test]
fn the_preview_renders_the_unsaved_template_with_a_sample_receivable() {
    let (_dir, db) = open();
    let preview = reminders::preview(
        &db,
        Language::Es,
        ReminderTemplate {
            subject: "Prueba {{ documento }}".into(),
            body: "Hola {{ cliente }}".into(),
        },
        &READING,
    )
    .expect("preview");
    assert_eq!(preview.subject, "Prueba F-000123");
    assert_eq!(preview.text, "Hola Inversiones Pérez & Hijos, C.A.\n");
    assert!(
        reminders::template(&db, Language::Es)
            .expect("read")
            .is_default
    );
}
