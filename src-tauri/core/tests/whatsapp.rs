//! "Enviar por WhatsApp" against a real SQLite file: the link carries the statement's (or the
//! reminder's) text part to the customer's phone in E.164, and the history says WhatsApp was
//! opened.

mod common;

use cachicamo_core::books::history::HistoryKind;
use cachicamo_core::books::receivables;
use cachicamo_core::books::{BooksError, Refusal};
use cachicamo_core::locale::Language;
use cachicamo_core::statements::{self, StatementTemplate};
use cachicamo_core::whatsapp::{self, WhatsAppError, WhatsAppRequest};
use common::*;

fn text_of(url: &str) -> String {
    whatsapp::text_in(url).expect("the link carries a text")
}

#[test]
fn the_link_carries_the_statement_to_the_customers_phone_and_the_history_records_it() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    shop.db
        .write(|tx| {
            tx.execute(
                "UPDATE customers SET phone = '0414-765.43.21' WHERE id = ?1",
                [ana],
            )
        })
        .expect("phone");
    let request = WhatsAppRequest {
        customer_id: ana,
        receivable_id: None,
    };
    let link = whatsapp::link_for(&shop.db, &request, &STATEMENT_DAY).expect("link");
    assert_eq!(link.phone, "584147654321");
    assert!(link.url.starts_with("https://wa.me/584147654321?text="));
    let statement = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
    let text = statements::render(&statement, &StatementTemplate::standard(Language::Es))
        .expect("render")
        .text;
    assert_eq!(text_of(&link.url), text.trim_end());

    let first: i64 = statement.groups[0].lines[0].receivable_id;
    let reminder = whatsapp::link_for(
        &shop.db,
        &WhatsAppRequest {
            customer_id: ana,
            receivable_id: Some(first),
        },
        &STATEMENT_DAY,
    )
    .expect("link");
    assert!(text_of(&reminder.url).starts_with("Estimado(a) Inversiones Ana Pérez, C.A.:"));
    assert!(text_of(&reminder.url).contains("Indique como referencia F-0001."));

    whatsapp::record_opened(&shop.db, &request, &link.phone).expect("recorded");
    let detail = receivables::detail(&shop.db, first, &STATEMENT_DAY).expect("detail");
    let opened = detail
        .history
        .iter()
        .find(|entry| entry.kind == HistoryKind::WhatsappOpened)
        .expect("WhatsApp abierto");
    assert_eq!(opened.recipient.as_deref(), Some("+584147654321"));
}

#[test]
fn a_customer_without_a_phone_is_refused_with_the_reason() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    let refused = whatsapp::link_for(
        &shop.db,
        &WhatsAppRequest {
            customer_id: ana,
            receivable_id: None,
        },
        &STATEMENT_DAY,
    );
    assert!(
        matches!(
            refused,
            Err(WhatsAppError::Books(BooksError::Refused(Refusal::NoPhone)))
        ),
        "{refused:?}"
    );
}
