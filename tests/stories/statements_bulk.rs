//! "Enviar estados de cuenta" in bulk: everyone with an overdue balance gets exactly one
//! statement through a real SMTP server, the plan shows each one before anything leaves, and a
//! customer without an address is listed apart with the reason; offline, what has not left yet
//! can be cancelled.

use cachicamo_e2e::fakes::{free_port, FakeServer};

use crate::a11y::assert_accessible;
use crate::helpers::{
    configure_smtp, fresh_books, menu, open_customers, smtp_server_on, start_for_mail, Owed, SENDER,
};

const PASSWORD: &str = "app-pass-bulk-4c1e";

/// Three customers who owe and have an address, and one who owes without one.
const OVERDUE: [Owed; 4] = [
    (
        "Ferretería Peña & Hijos",
        "cobros@penahijos.com.ve",
        "F-0042",
        "1.500,50",
    ),
    ("Bodega La Esquina", "pagos@esquina.com", "F-0043", "80"),
    (
        "Inversiones Ávila",
        "cuentas@avila.com.ve",
        "F-0044",
        "310,25",
    ),
    ("Sin Correo C.A.", "", "F-0045", "45"),
];

#[tokio::test(flavor = "multi_thread")]
async fn everyone_with_an_overdue_balance_gets_one_statement_and_who_has_no_address_is_set_apart() {
    let server = FakeServer::smtp("starttls", SENDER, PASSWORD);
    let app = start_for_mail(fresh_books(&OVERDUE), &[]);
    let window = app.open().await;
    configure_smtp(&window, server.port, PASSWORD).await;
    open_customers(&window).await;
    window.click("#customers-bulk-statements").await;
    window.wait_for("#bulk-statements").await;

    // "Todos con saldo vencido" is the first choice; the plan says how many, to whom, and who not.
    window.click("#bulk-plan").await;
    window
        .wait_for_text("#bulk-count", "3 estados de cuenta")
        .await;
    let planned = window.text("#bulk-messages").await;
    for (name, email, _, _) in &OVERDUE[..3] {
        assert!(
            planned.contains(name) && planned.contains(email),
            "{planned}"
        );
    }
    let apart = window
        .wait_for_text_containing("#bulk-set-aside", "Sin Correo C.A.")
        .await;
    assert!(apart.contains("No tiene correo registrado"), "{apart}");
    assert!(!planned.contains("Sin Correo"), "{planned}");

    // Each one can be looked at as it will leave.
    window
        .click("#bulk-messages tr[data-customer-id] button")
        .await;
    window
        .wait_for_text_containing("#bulk-preview-subject", "Estado de cuenta")
        .await;
    window.screenshot("es-statements-bulk-plan").await;
    assert_accessible(&window, "the bulk statements' plan").await;
    assert!(
        server.smtp_messages().is_empty(),
        "nothing leaves before confirming"
    );

    window.click("#bulk-confirm").await;
    window
        .wait_for_text("#bulk-progress-sent", "3 de 3 enviados")
        .await;
    let mut recipients = server.smtp_recipients();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "cobros@penahijos.com.ve",
            "cuentas@avila.com.ve",
            "pagos@esquina.com"
        ],
        "one statement per customer with an address"
    );
    window.screenshot("es-statements-bulk-sent").await;
    assert_accessible(&window, "the bulk statements' progress").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_rest_of_a_bulk_send_can_be_cancelled_before_it_leaves() {
    let port = free_port();
    let server = smtp_server_on(port, PASSWORD);
    let app = start_for_mail(fresh_books(&OVERDUE[..3]), &[]);
    let window = app.open().await;
    configure_smtp(&window, port, PASSWORD).await;
    drop(server);

    open_customers(&window).await;
    window.click("#customers-bulk-statements").await;
    window.click("#bulk-plan").await;
    window
        .wait_for_text("#bulk-count", "3 estados de cuenta")
        .await;
    window.click("#bulk-confirm").await;
    window
        .wait_for_text("#bulk-progress-sent", "0 de 3 enviados")
        .await;
    // The lines that come and go as the outbox works sit below the buttons: "Cancelar el
    // resto" cannot move from under the owner's click.
    assert!(
        window.top("#bulk-cancel-rest").await < window.top("#bulk-progress-detail").await,
        "the changing progress lines are below the buttons"
    );
    window.click("#bulk-cancel-rest").await;
    window
        .wait_for_text("#bulk-progress-cancelled", "3 cancelados.")
        .await;
    assert!(
        !window.exists("#bulk-cancel-rest").await,
        "nothing is left to cancel"
    );
    // The outbox says the same, row by row.
    window.click(&menu("outbox")).await;
    window
        .wait_for_text_containing("#outbox-table tr[data-state='cancelled']", "Cancelado")
        .await;
    assert!(
        !window
            .exists("#outbox-table tr[data-state]:not([data-state='cancelled'])")
            .await,
        "every statement of the bulk send was cancelled"
    );
    window.close().await;
}
