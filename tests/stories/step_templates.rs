//! A step of the política de cobranza in its own words, as the owner sets them in the real
//! window: in Ajustes → Cobranza the +7 step ("Segundo aviso") links to its words in Ajustes →
//! Plantillas, where the guide's words are on offer and its Spanish subject is typed (the live
//! preview says it) and saved; a receivable due eight days ago is then sent from Cobros de hoy,
//! and the real SMTP server receives a statement under that subject, read as a mailbox reads
//! it. The +15 step, sent per receivable, shows and keeps a reminder's words instead. Due dates
//! are relative to today.

use cachicamo_core::collections::policy::{PolicyRules, StepUnit};
use cachicamo_e2e::fakes::FakeServer;

use cachicamo_e2e::{eventually, Window, UI_TIMEOUT};
use mail_parser::{MessageParser, MimeHeaders};

use crate::a11y::assert_accessible;
use crate::helpers::{
    configure_smtp, menu, open_collections, start_for_mail, OverdueBooks, SENDER,
};

const PASSWORD: &str = "app-pass-steps-4e1a";
const SUBJECT: &str = "Segundo aviso: su saldo de {{ saldo }} sigue pendiente";

/// The editor says the step has no words of its own saved.
async fn says_the_default(window: &Window) {
    window
        .wait_for_text(
            "#step-template-state",
            "Se usa la plantilla predeterminada.",
        )
        .await;
}

/// The step uses the default words; the guide's proposal, taken, fills the subject with
/// `subject` and saves nothing yet.
async fn takes_the_proposed_words(window: &Window, subject: &str) {
    says_the_default(window).await;
    window.click("#step-template-proposed").await;
    window
        .wait_for_value("#step-template-subject", subject)
        .await;
    says_the_default(window).await;
}

async fn saves_the_words(window: &Window) {
    window.click("#step-template-save").await;
    window
        .wait_for_text("#step-template-notice", "Plantilla guardada.")
        .await;
    window
        .wait_for_text("#step-template-state", "Se usa su plantilla personalizada.")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_words_saved_for_the_segundo_aviso_are_the_subject_the_customer_receives() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let books = OverdueBooks::new();
    let pena = books.customer("Peña & Hijos", "cobros@pena.com.ve");
    books.owes(pena, "F-0042", "80", -8);
    let mut policy = PolicyRules {
        enabled: true,
        ..PolicyRules::proposed()
    };
    // The último aviso (+15) goes per receivable: its words are a reminder's.
    policy.steps[3].unit = StepUnit::Receivable;
    let app = start_for_mail(books.with_policy(policy), &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;

    // Ajustes → Cobranza: the third step, +7, links to its words.
    open_collections(&window).await;
    window.click("#collections-step-2-template").await;
    window.wait_for_value("#step-templates-step", "7").await;
    window
        .wait_for_text("#step-template-heading", "Segundo aviso: estado de cuenta")
        .await;
    // The guide's words are on offer; taken, they fill the fields and are not saved yet.
    takes_the_proposed_words(&window, "Segundo aviso: saldo vencido de {{ saldo }}").await;
    window.fill("#step-template-subject", SUBJECT).await;
    window
        .wait_for_text_containing(
            "#step-template-preview-subject",
            "Segundo aviso: su saldo de USD",
        )
        .await;
    saves_the_words(&window).await;
    assert_accessible(&window, "Plantillas with a step's words").await;

    // The +15 step sends a reminder per receivable: its editor has a reminder's subject and body,
    // and keeps them.
    window.select("#step-templates-step", "15").await;
    window
        .wait_for_text(
            "#step-template-heading",
            "Último aviso: recordatorio por cuenta",
        )
        .await;
    takes_the_proposed_words(
        &window,
        "Último aviso: {{ concepto }} vencido hace {{ dias_vencidos }} días",
    )
    .await;
    window.wait_for("#step-template-body").await;
    saves_the_words(&window).await;

    window.click(&menu("today")).await;
    window
        .wait_for_text_containing(
            "#today-table tbody tr:first-child",
            "vencida hace 8 días → Segundo aviso",
        )
        .await;
    assert!(
        server.smtp_messages().is_empty(),
        "nothing leaves before Enviar"
    );
    window
        .click("#today-table tbody tr:first-child .today-send")
        .await;
    eventually(
        UI_TIMEOUT,
        "the statement reaches the server",
        async || match server.smtp_messages().len() {
            0 => Err("nothing yet"),
            _ => Ok(()),
        },
    )
    .await;
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1, "exactly one message");
    let (envelope, raw) = &messages[0];
    assert_eq!(envelope["rcpt_tos"][0], "cobros@pena.com.ve");
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a valid MIME message");
    assert_eq!(
        message.subject(),
        Some("Segundo aviso: su saldo de USD 80,00 sigue pendiente")
    );
    let pdf = message
        .attachments()
        .find(|part| part.content_type().and_then(|ct| ct.subtype()) == Some("pdf"));
    assert!(pdf.is_some(), "the customer's statement, with its PDF");
    window.close().await;
}
