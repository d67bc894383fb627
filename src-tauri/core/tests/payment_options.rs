//! Formas de pago against a real SQLite file: checked field by field, saved as a whole list,
//! carried over from the free-text instructions of earlier versions, and quoted by reminders and
//! statements for the currencies the message asks to be paid.

mod common;

use cachicamo_core::books::BooksError;
use cachicamo_core::locale::Language;
use cachicamo_core::payment_options::{
    self, AccountType, PaymentOption, PaymentOptionDetails, PaymentOptionsView,
};
use cachicamo_core::reminders::{self, ReminderRequest};
use cachicamo_core::statements::{self, StatementTemplate};
use cachicamo_core::validation::FieldProblem;
use cachicamo_core::Database;
use common::*;

fn only(codes: &[&str]) -> Option<Vec<String>> {
    Some(codes.iter().map(|c| (*c).to_owned()).collect())
}

fn every_kind() -> Vec<PaymentOption> {
    vec![
        PaymentOption {
            details: PaymentOptionDetails::PagoMovil {
                bank: " Banesco ".into(),
                phone: "+58 414 123 4567".into(),
                id_number: "v12345678".into(),
            },
            currencies: only(&["ves"]),
        },
        PaymentOption {
            details: PaymentOptionDetails::Transfer {
                bank: "Banco de Venezuela".into(),
                account: "0102-0000-00-0000000000".into(),
                holder: "Ferretería El Tornillo".into(),
                account_type: AccountType::Checking,
            },
            currencies: only(&["VES"]),
        },
        PaymentOption {
            details: PaymentOptionDetails::Zelle {
                email: "cobros@tornillo.com".into(),
                holder: "José Pérez".into(),
            },
            currencies: only(&["USD"]),
        },
        PaymentOption {
            details: PaymentOptionDetails::Cash {
                note: "Lunes a sábado, 8 a 5".into(),
            },
            currencies: None,
        },
        PaymentOption {
            details: PaymentOptionDetails::Spei {
                clabe: "0321 8000 0118 3597 19".into(),
                bank: "BBVA México".into(),
            },
            currencies: only(&["MXN"]),
        },
        PaymentOption {
            details: PaymentOptionDetails::Other {
                text: "Binance Pay: tornillo".into(),
            },
            currencies: only(&["USD", "USD"]),
        },
    ]
}

#[test]
fn every_kind_is_kept_normalised_and_the_list_in_the_owners_order() {
    let shop = Books::for_statements();
    let view = payment_options::save(&shop.db, every_kind()).expect("saved");
    assert!(view.problems.is_empty());
    assert_eq!(view.methods.len(), 6);
    assert_eq!(
        view.methods[0].details,
        PaymentOptionDetails::PagoMovil {
            bank: "Banesco".into(),
            phone: "0414-1234567".into(),
            id_number: "V-12345678".into(),
        }
    );
    assert_eq!(view.methods[0].currencies, only(&["VES"]));
    assert_eq!(view.methods[5].currencies, only(&["USD"]), "once each");
    let PaymentOptionDetails::Spei { clabe, .. } = &view.methods[4].details else {
        panic!("SPEI fifth");
    };
    assert_eq!(clabe, "032180000118359719");
    let json = serde_json::to_value(&view.methods[0]).expect("json");
    assert_eq!(json["details"]["kind"], "pago_movil");
    assert_eq!(json["details"]["idNumber"], "V-12345678");
    // Saved whole: a shorter list replaces it.
    let fewer = payment_options::save(&shop.db, every_kind()[3..4].to_vec()).expect("saved");
    assert_eq!(fewer.methods.len(), 1);
}

#[test]
fn a_bad_field_is_named_by_method_and_nothing_changes() {
    let shop = Books::for_statements();
    let before: PaymentOptionsView =
        payment_options::save(&shop.db, every_kind()[..1].to_vec()).expect("saved");
    let mut bad = every_kind();
    bad[0].details = PaymentOptionDetails::PagoMovil {
        bank: String::new(),
        phone: "0212-5551234".into(),
        id_number: "X-1".into(),
    };
    bad[2].details = PaymentOptionDetails::Zelle {
        email: "no-es-un-correo".into(),
        holder: "Ana".into(),
    };
    bad[4].details = PaymentOptionDetails::Spei {
        clabe: "032180000118359718".into(),
        bank: "BBVA".into(),
    };
    bad[5].currencies = Some(vec!["XYZ".into()]);
    bad[3].currencies = Some(Vec::new());
    let Err(BooksError::Invalid(fields)) = payment_options::save(&shop.db, bad) else {
        panic!("refused");
    };
    assert_eq!(
        refused(&fields),
        [
            ("0.bank", FieldProblem::Required),
            ("0.phone", FieldProblem::InvalidPhone),
            ("0.idNumber", FieldProblem::InvalidIdNumber),
            ("2.email", FieldProblem::InvalidEmail),
            ("3.currencies", FieldProblem::Required),
            ("4.clabe", FieldProblem::InvalidClabe),
            ("5.currencies", FieldProblem::UnknownCurrency),
        ]
    );
    assert_eq!(payment_options::view(&shop.db).expect("view"), before);
}

#[test]
fn the_free_text_of_an_earlier_version_becomes_an_other_for_every_currency_and_reminders_keep_it() {
    // A database exactly as version 7 left it, made from its own migrations, with the
    // free-text instructions in the business profile.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("cachicamo.sqlite3");
    {
        let conn = books_at_version(&path, 7);
        let profile = serde_json::json!({
            "name": "Ferretería El Tornillo", "taxId": "", "address": "", "phone": "",
            "defaultCurrency": "USD",
            "paymentInstructions": "  Pago móvil: Banesco 0414-1234567\nZelle: cobros@tornillo.com ",
        });
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('business.profile', ?1)",
            [profile.to_string()],
        )
        .expect("profile");
    }
    let db = Database::open(&path).expect("upgraded");
    let shop = Upgraded(db);
    let usd = shop.customer_speaking("Ana Pérez", Language::Es);
    let usd_receivable = shop.owes(usd, "F-0101", "Cemento", "USD 100,00", DUE_NOV_15);
    let english = shop.customer_speaking("Smith & Co", Language::En);
    let ves_receivable = shop.owes(english, "F-0102", "Freight", "VES 3.500,00", DUE_NOV_15);
    let db = &shop.0;
    let view = payment_options::view(db).expect("view");
    assert_eq!(
        view.methods,
        vec![PaymentOption {
            details: PaymentOptionDetails::Other {
                text: "Pago móvil: Banesco 0414-1234567\nZelle: cobros@tornillo.com".into(),
            },
            currencies: None,
        }]
    );
    // The reminders' own default templates still quote them, whatever the currency.
    let es = reminders::for_receivable(
        db,
        &ReminderRequest {
            receivable_id: usd_receivable,
            recipient: None,
        },
        &STATEMENT_DAY,
    )
    .expect("reminder");
    assert!(
        es.message.text.contains(
            "Puede realizar su pago de la siguiente manera:\n\
             Pago móvil: Banesco 0414-1234567\nZelle: cobros@tornillo.com\n\
             Indique como referencia F-0101."
        ),
        "{}",
        es.message.text
    );
    let en = reminders::for_receivable(
        db,
        &ReminderRequest {
            receivable_id: ves_receivable,
            recipient: None,
        },
        &STATEMENT_DAY,
    )
    .expect("reminder");
    assert!(en.message.text.contains(
        "You can pay as follows:\nPago móvil: Banesco 0414-1234567\nZelle: cobros@tornillo.com\n\
         Please use F-0102 as the payment reference."
    ));
}

/// A database the test opened itself, with the books' helpers.
struct Upgraded(Database);

impl StatementBooks for Upgraded {
    fn db(&self) -> &Database {
        &self.0
    }
}

#[test]
fn messages_quote_only_the_methods_for_what_they_ask_to_be_paid() {
    let shop = Books::for_statements();
    payment_options::save(&shop.db, every_kind()).expect("saved");
    let ana = shop.ana(Language::Es);
    let usd_only = shop.receivable_numbered("F-0002");
    let reminder = reminders::for_receivable(
        &shop.db,
        &ReminderRequest {
            receivable_id: usd_only,
            recipient: None,
        },
        &STATEMENT_DAY,
    )
    .expect("reminder")
    .message
    .text;
    assert!(reminder.contains("Zelle: cobros@tornillo.com · titular José Pérez"));
    assert!(reminder.contains("Efectivo en tienda: Lunes a sábado, 8 a 5"));
    assert!(reminder.contains("Binance Pay: tornillo"));
    assert!(reminder.contains("Indique como referencia F-0002."));
    for absent in ["Pago Móvil", "Transferencia", "SPEI"] {
        assert!(!reminder.contains(absent), "{absent} takes no dollars");
    }
    // Ana owes dollars and bolívares: her statement offers both currencies' ways.
    let statement = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
    let text = statements::render(&statement, &StatementTemplate::standard(Language::Es))
        .expect("render")
        .text;
    for expected in [
        "Pago Móvil: Banesco · 0414-1234567 · V-12345678",
        "Transferencia (cuenta corriente): Banco de Venezuela · 01020000000000000000 · titular Ferretería El Tornillo",
        "Zelle: cobros@tornillo.com · titular José Pérez",
        "Indique como referencia el número del documento que paga.",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    assert!(!text.contains("SPEI"), "nobody owes pesos");
}

#[test]
fn a_method_a_restored_copy_brings_that_would_be_refused_is_never_quoted() {
    let shop = Books::for_statements();
    payment_options::save(&shop.db, every_kind()[4..].to_vec()).expect("saved");
    shop.db
        .write(|tx| {
            tx.execute(
                "UPDATE payment_options SET currencies = '[\"USD\"]',
                     details = json_set(details, '$.clabe', '032180000118359718')
                 WHERE kind = 'spei'",
                [],
            )
        })
        .expect("tampered");
    let view = payment_options::view(&shop.db).expect("view");
    assert_eq!(view.methods.len(), 2, "shown, to be fixed");
    assert_eq!(view.problems[0].field, "0.clabe");
    let usable = shop.db.read(payment_options::usable_in).expect("usable");
    assert_eq!(usable.len(), 1);
    assert!(matches!(
        usable[0].details,
        PaymentOptionDetails::Other { .. }
    ));
}
