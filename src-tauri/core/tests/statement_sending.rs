//! Sending a statement through the outbox with the reminders' guarantees: it arrives with its
//! PDF; it is cancelled once nothing is owed, rewritten (PDF included) when a balance or the
//! registered address changes; what leaves is what the row holds.
//!
//! Run inside `.ci/desktop-session` (the keychain needs a Secret Service).

mod common;

use std::sync::Arc;

use cachicamo_core::books::customers::{self, CustomerForm};
use cachicamo_core::books::history::HistoryKind;
use cachicamo_core::books::receivables;
use cachicamo_core::locale::Language;
use cachicamo_core::outbox::{self, CancelReason, OutboxState};
use cachicamo_core::reminders::{Rechecks, ReminderGate};
use cachicamo_core::statements::queue::{self, SendStatement};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::FakeServer;
use common::*;
use mail_parser::{MessageParser, MimeHeaders};

fn send(customer_id: i64) -> SendStatement {
    SendStatement {
        customer_id,
        ..SendStatement::default()
    }
}

/// The PDF stored with an outbox row, read back by poppler.
fn stored_pdf(db: &Database, id: outbox::OutboxId) -> String {
    let bytes: Vec<u8> = db
        .read(|c| {
            c.query_row(
                "SELECT content FROM outbox_attachments WHERE outbox_id = ?1",
                [id.0],
                |r| r.get(0),
            )
        })
        .expect("the PDF is stored with the row");
    pdf_text(&bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customers_statement_arrives_at_the_smtp_server_with_its_pdf() {
    let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
    let shop = common::Shop::open();
    statement_business(&shop.db);
    let ana = shop.ana(Language::Es);
    shop.configure_smtp(server.port).await;
    let preview = queue::preview(&shop.db, &send(ana), &STATEMENT_DAY).expect("preview");
    assert_eq!(preview.recipient.as_deref(), Some("cobros@cliente.com"));
    assert_eq!(preview.pdf_pages, 1);
    let id = queue::queue(&shop.db, &send(ana), &STATEMENT_DAY).expect("queued");
    let handle = shop.start_with(Arc::new(ReminderGate));
    handle.queued(id);
    shop.wait_state(id, OutboxState::Sent, LONG).await;
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "one statement, one message");
    let message = MessageParser::default()
        .parse(messages[0].1.as_bytes())
        .expect("MIME");
    assert_eq!(message.subject(), Some(preview.message.subject.as_str()));
    // What was previewed is what arrived (SMTP writes line ends as CRLF).
    assert_eq!(
        message
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n"))
            .as_deref(),
        Some(preview.message.text.as_str())
    );
    let attachment = message.attachment(0).expect("the PDF");
    assert_eq!(
        attachment.attachment_name(),
        Some("Estado de cuenta – Inversiones Ana Pérez, C.A. – 2026-11-30.pdf")
    );
    let pdf = pdf_text(attachment.contents());
    assert!(
        pdf.contains("1.100,00") && pdf.contains("2.000,00"),
        "{pdf}"
    );
    assert_eq!(queue::of_customer(&shop.db, ana).expect("listed").len(), 1);
    handle.stop().await.expect("stopped");
}

#[test]
fn a_payment_rewrites_a_waiting_statement_and_paying_everything_cancels_it() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    let id = queue::queue(&shop.db, &send(ana), &STATEMENT_DAY).expect("queued");
    assert!(stored_pdf(&shop.db, id).contains("1.100,00"));
    // A partial payment: the waiting statement says the new balance, in its text and its PDF.
    let rechecks = Rechecks::default();
    cachicamo_core::books::payments::record(
        &shop.db,
        &rechecks,
        shop.receivable_numbered("F-0002"),
        &transfer("400,00", "29/11/2026"),
        &STATEMENT_DAY,
    )
    .expect("payment");
    assert_eq!(rechecks.changed().len(), 1, "the statement was re-checked");
    let entry = shop.db.read(|c| outbox::get(c, id)).expect("entry");
    assert_eq!((entry.state, entry.generation), (OutboxState::Queued, 2));
    let text: String = shop
        .db
        .read(|c| {
            c.query_row("SELECT text_body FROM outbox WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
        })
        .expect("text");
    assert!(text.contains("Saldo USD 700,00"), "{text}");
    let pdf = stored_pdf(&shop.db, id);
    assert!(pdf.contains("700,00") && !pdf.contains("1.100,00"), "{pdf}");

    // Everything paid: the statement never goes.
    for (document, amount) in [
        ("F-0001", "100,00"),
        ("F-0002", "600,00"),
        ("F-0003", "2.000,00"),
    ] {
        shop.pay(shop.receivable_numbered(document), amount, "30/11/2026");
    }
    let entry = shop.db.read(|c| outbox::get(c, id)).expect("entry");
    assert_eq!(entry.state, OutboxState::Cancelled);
    assert_eq!(entry.cancelled, Some(CancelReason::Paid));
}

#[test]
fn a_new_registered_address_rewrites_the_statement_and_none_cancels_it() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    let id = queue::queue(&shop.db, &send(ana), &STATEMENT_DAY).expect("queued");
    let edit = |email: &str| {
        customers::update(
            &shop.db,
            &Rechecks::default(),
            ana,
            CustomerForm {
                name: "Inversiones Ana Pérez, C.A.".into(),
                email: email.into(),
                tax_id: "V-11222333".into(),
                address: "Calle 5, Maracay".into(),
                email_language: Some(Language::Es),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("customer saved")
    };
    edit("pagos@anaperez.com");
    let entry = shop.db.read(|c| outbox::get(c, id)).expect("entry");
    assert_eq!(entry.recipient, "pagos@anaperez.com");
    assert_eq!(entry.generation, 2);
    edit("");
    let entry = shop.db.read(|c| outbox::get(c, id)).expect("entry");
    assert_eq!(entry.cancelled, Some(CancelReason::NoAddress));
}

#[test]
fn a_customer_who_owes_nothing_gets_no_statement_queued() {
    let shop = Books::for_statements();
    let nobody = shop.customer_speaking("Cliente al día", Language::Es);
    let refused = queue::queue(&shop.db, &send(nobody), &STATEMENT_DAY);
    assert!(matches!(
        refused,
        Err(cachicamo_core::statements::StatementError::NothingOwed)
    ));
    let count: i64 = shop
        .db
        .read(|c| c.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0)))
        .expect("count");
    assert_eq!(count, 0);
}

#[test]
fn a_queued_statement_is_in_the_history_of_every_receivable_it_lists_and_no_other() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    queue::queue(&shop.db, &send(ana), &STATEMENT_DAY).expect("queued");
    let queued_to = |document: &str| -> Vec<Option<String>> {
        let id = shop.receivable_numbered(document);
        receivables::detail(&shop.db, id, &STATEMENT_DAY)
            .expect("detail")
            .history
            .into_iter()
            .filter(|entry| entry.kind == HistoryKind::StatementQueued)
            .map(|entry| entry.recipient)
            .collect()
    };
    for listed in ["F-0001", "F-0002", "F-0003"] {
        assert_eq!(
            queued_to(listed),
            [Some("cobros@cliente.com".to_owned())],
            "{listed}"
        );
    }
    // Paid, voided, or another customer's: not on Ana's statement, not in their history.
    for unlisted in ["F-0004", "F-0005", "F-0006"] {
        assert!(queued_to(unlisted).is_empty(), "{unlisted}");
    }
}
