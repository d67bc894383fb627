//! Cobros de hoy as the owner lives it: the política de cobranza is on and customers owe since
//! a week ago; the app evaluates on opening, lists one line per customer with its reason, leaves
//! out the customer who promised to pay, drops the one who just paid, and "Enviar todos" sends
//! exactly one statement per customer through a real SMTP server — and nothing more after a
//! restart, or after a copy taken before they went out is restored. Due dates are relative to
//! today.

use cachicamo_core::books::pauses::{self, PauseForm, PauseKind};
use cachicamo_core::books::payments::{self, PaymentForm, PaymentMethod};
use cachicamo_core::collections::policy::{PolicyRules, SendMode};
use cachicamo_core::reminders::Rechecks;
use cachicamo_e2e::fakes::FakeServer;
use cachicamo_e2e::{eventually, UI_TIMEOUT};

use crate::helpers::{
    configure_smtp, forget_keychain_entries, menu, open_backups, open_collections, open_receivable,
    record_cash_payment, start_for_mail, OverdueBooks, SENDER,
};

const PASSWORD: &str = "app-pass-collections-4b7e";

/// Three customers owing since eight days ago; the third promised to pay within five days.
/// The proposed policy (−3, +1, +7, +15) is on, in `mode`; with `paid_today`, a small payment
/// was recorded today (the payments gate lets a batch go).
fn seeded_with(mode: SendMode, paid_today: bool) -> tempfile::TempDir {
    let books = OverdueBooks::new();
    let mut ids = Vec::new();
    let mut owed_ids = Vec::new();
    for (name, email, document) in [
        ("Peña & Hijos", "cobros@pena.com.ve", "F-0042"),
        ("Bodega La Esquina", "pagos@esquina.com", "F-0043"),
        ("Ferretería Tres", "caja@tres.com.ve", "F-0044"),
    ] {
        let customer = books.customer(name, email);
        owed_ids.push(books.owes(customer, document, "80", -8));
        ids.push(customer);
    }
    let promise = PauseForm {
        customer_id: Some(ids[2]),
        kind: Some(PauseKind::Promise),
        until: books.day(5),
        ..PauseForm::default()
    };
    pauses::start(&books.db, &Rechecks::default(), &promise, &books.reading).expect("promise");
    if paid_today {
        let payment = PaymentForm {
            paid_on: books.day(0),
            amount: "1".into(),
            method: Some(PaymentMethod::Cash),
            ..PaymentForm::default()
        };
        payments::record(
            &books.db,
            &Rechecks::default(),
            owed_ids[1],
            &payment,
            &books.reading,
        )
        .expect("payment");
    }
    let mut policy = PolicyRules::proposed();
    policy.enabled = true;
    policy.mode = mode;
    books.with_policy(policy)
}

fn seeded() -> tempfile::TempDir {
    seeded_with(SendMode::Review, false)
}

#[tokio::test(flavor = "multi_thread")]
async fn enviar_todos_sends_one_statement_per_customer_once_and_a_promise_or_a_payment_leaves_the_list(
) {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let app = start_for_mail(seeded(), &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;

    // Evaluated on opening: one line per customer, the promise's absent, with the reason.
    window.click(&menu("today")).await;
    window
        .wait_for_text_containing("#today-table", "vencida hace 8 días → Segundo aviso")
        .await;
    let table = window.text("#today-table").await;
    assert!(
        table.contains("Peña & Hijos") && table.contains("Bodega La Esquina"),
        "{table}"
    );
    assert!(
        !table.contains("Ferretería Tres"),
        "a promise keeps the customer out: {table}"
    );
    window.wait_for_text("#today-count", "2").await;
    window.screenshot("es-collections-today").await;

    // La Esquina pays at the counter: it leaves the list.
    open_receivable(&window, "F-0043").await;
    record_cash_payment(&window, "80").await;
    window.click(&menu("today")).await;
    eventually(UI_TIMEOUT, "La Esquina leaves Cobros de hoy", async || {
        let table = window.text("#today-table").await;
        if table.contains("Bodega La Esquina") {
            Err(table)
        } else {
            Ok(())
        }
    })
    .await;

    window.click("#today-send-all").await;
    window
        .wait_for_text("#today-notice", "Correos en cola: 1.")
        .await;
    window.wait_for("#today-empty").await;
    eventually(
        UI_TIMEOUT,
        "the statement reaches the server",
        async || match server.smtp_recipients().len() {
            0 => Err("nothing yet"),
            _ => Ok(()),
        },
    )
    .await;
    assert_eq!(server.smtp_recipients(), ["cobros@pena.com.ve"]);

    // A restart evaluates again and sends nothing more; Cobros de hoy stays empty.
    window.close().await;
    let window = app.open().await;
    window.click(&menu("today")).await;
    window.wait_for("#today-empty").await;
    window.click(&menu("outbox")).await;
    window
        .wait_for_text_containing("#outbox-table", "Enviado")
        .await;
    assert_eq!(
        server.smtp_recipients(),
        ["cobros@pena.com.ve"],
        "exactly one statement, once"
    );
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ajustes_cobranza_proposes_the_four_steps_and_is_off_until_turned_on() {
    forget_keychain_entries();
    let app = start_for_mail(tempfile::tempdir().expect("data dir"), &[]);
    let window = app.open().await;
    open_collections(&window).await;
    window.wait_for("#collections-guide").await;
    window
        .wait_for_text_containing("#collections-time-zone", "zona horaria del sistema")
        .await;

    // Turned on without steps: refused next to the steps.
    window.click("#collections-enabled").await;
    window.wait_for("#collections-enabled:checked").await;
    window.click("#collections-save").await;
    window.wait_for("#collections-steps-error").await;

    window.click("#collections-propose").await;
    assert_eq!(
        window.value("#collections-step-2-label").await,
        "Segundo aviso"
    );
    assert_eq!(window.value("#collections-step-0-offset").await, "-3");
    window.click("#collections-save").await;
    window
        .wait_for_text("#collections-saved", "Política de cobranza guardada.")
        .await;
    window.screenshot("es-collections-policy").await;
    window.click("#collections-simulate").await;
    window
        .wait_for_text(
            "#collections-simulation-empty",
            "Nada que enviar en los próximos 30 días.",
        )
        .await;

    // Kept across a restart, still on.
    window.close().await;
    let window = app.open().await;
    open_collections(&window).await;
    assert_eq!(window.value("#collections-step-3-offset").await, "15");
    let enabled = window
        .wait_for("#collections-enabled")
        .await
        .prop("checked")
        .await
        .expect("checked");
    assert_eq!(enabled.as_deref(), Some("true"));
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn automatico_sends_without_a_click_and_only_once_across_two_restarts() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let app = start_for_mail(seeded_with(SendMode::Automatic, true), &[]);
    let window = app.open().await;
    // The batch was queued at start-up; it leaves once a service is configured.
    configure_smtp(&window, server.port, PASSWORD).await;
    eventually(UI_TIMEOUT, "both statements leave", async || {
        match server.smtp_recipients().len() {
            2 => Ok(()),
            n => Err(n),
        }
    })
    .await;
    let mut first = server.smtp_recipients();
    first.sort();
    assert_eq!(
        first,
        ["cobros@pena.com.ve", "pagos@esquina.com"],
        "never the promise"
    );
    window.click(&menu("today")).await;
    window.wait_for("#today-empty").await;
    window.close().await;

    for _ in 0..2 {
        window_restart(&app).await;
    }
    assert_eq!(
        server.smtp_recipients().len(),
        2,
        "only once across two restarts"
    );
}

/// The owner sends the day's lines, then restores the copy the app took this morning, before
/// she sent them: the copy cannot know they went out, so its lines come back held for her
/// ("Retenido: copia restaurada"), Enviar todos has nothing to send, and "Ya se envió" takes a
/// line she finds in her sent mail away — nobody hears twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_restored_copy_brings_the_days_lines_back_held_and_nothing_goes_twice() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let app = start_for_mail(seeded(), &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    window.click(&menu("today")).await;
    window.wait_for_text("#today-count", "2").await;
    window.click("#today-send-all").await;
    window
        .wait_for_text("#today-notice", "Correos en cola: 2.")
        .await;
    eventually(UI_TIMEOUT, "both statements leave", async || {
        match server.smtp_recipients().len() {
            2 => Ok(()),
            n => Err(n),
        }
    })
    .await;

    open_backups(&window).await;
    window
        .click("#backups-table tr[data-kind='daily'] button[data-restore]")
        .await;
    window.click("#backups-restore-yes").await;
    window
        .wait_for_text_containing("#backups-restored", "Copia restaurada")
        .await;

    window.click(&menu("today")).await;
    let table = window
        .wait_for_text_containing("#today-table", "Retenido: copia restaurada")
        .await;
    assert_eq!(
        table.matches("Retenido: copia restaurada").count(),
        2,
        "both lines wait for the owner: {table}"
    );
    assert!(
        window.exists("#today-send-all:disabled").await,
        "Enviar todos leaves held lines to the owner"
    );
    assert!(
        !window.exists("#today-table .today-postpone").await,
        "a line held by a restore is decided, not postponed"
    );
    window.screenshot("es-collections-restored").await;

    // She checks her sent mail: Peña's did go out. "Ya se envió" takes the line away.
    let button = "#today-table tr:first-child .today-already-sent";
    let first_line = window.top(button).await;
    window.click(button).await;
    window
        .wait_for_text_containing("#today-notice", "Anotado como enviado")
        .await;
    window.wait_for_text("#today-count", "1").await;
    // Working down the list: the next line takes the decided one's place, its button where the
    // pointer is, not pushed down by the notice.
    eventually(
        UI_TIMEOUT,
        "the next line's button in the first one's place",
        async || match window.top(button).await {
            // A notice is a line (about 24 px) high; rows may differ by a border's pixel.
            top if (top - first_line).abs() < 8.0 => Ok(()),
            top => Err(format!("{top} against {first_line}")),
        },
    )
    .await;
    assert_eq!(server.smtp_recipients().len(), 2, "nobody heard twice");
    window.close().await;
}

/// Closes the window and opens the app again; waits until it evaluated (Cobros de hoy empty,
/// the outbox showing what was sent).
async fn window_restart(app: &cachicamo_e2e::AppUnderTest) {
    let window = app.open().await;
    window.click(&menu("outbox")).await;
    window
        .wait_for_text_containing("#outbox-table", "Enviado")
        .await;
    window.click(&menu("today")).await;
    window.wait_for("#today-empty").await;
    window.close().await;
}
