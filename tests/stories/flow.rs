//! The shop owner's day in fewer clicks: the menu goes where it says, rows and document numbers
//! open what they list, back and forward work from the keyboard and the mouse, a typed form is
//! never lost without asking, Antigüedad de saldos filters the list, Bandeja de salida says what
//! each email is about — and axe finds nothing of moderate impact or worse on these views.

use std::path::Path;

use cachicamo_core::books::reading::Reading;
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::reminders::queue::{self, SendReminder};
use cachicamo_core::Database;
use cachicamo_e2e::books;
use cachicamo_e2e::fantoccini::key::Key;
use cachicamo_e2e::fantoccini::Locator;
use cachicamo_e2e::{AppUnderTest, Window};
use time::{Date, Duration};

use crate::a11y::assert_accessible;
use crate::helpers::{focused_id, mouse_side_button, open_receivable, press, wait_for_focus};

/// One USD receivable per customer, `days` overdue on `today` (negative: due later):
/// `(customer, document, amount, days)`.
const AGED: [(&str, &str, &str, i64); 7] = [
    ("Ferretería José Peña", "F-0001", "100", -5),
    ("Bodega La Esquina", "F-0002", "200", 10),
    ("Taller Rodríguez", "F-0003", "300", 35),
    ("Panadería Núñez", "F-0004", "400", 60),
    ("Abastos Díaz", "F-0005", "500", 61),
    ("Farmacia Ávila", "F-0006", "600", 120),
    ("Librería Suárez", "F-0007", "700", 30),
];

/// Seeds `AGED` (due dates relative to the computer's today, as the app counts them) and
/// queues a reminder about F-0003, before the app opens.
fn seed_aged(data_dir: &Path) {
    let today = cachicamo_core::clock::local_today();
    let db = Database::open(&data_dir.join("cachicamo.sqlite3")).expect("database");
    let reading = Reading {
        region: Region::EsVe,
        today,
    };
    let written = |date: Date| reading.date(date).text;
    for (index, (name, document, amount, days)) in AGED.iter().enumerate() {
        let due = today - Duration::days(*days);
        let issued = due.min(today) - Duration::days(10);
        let email = format!("cobros{index}@cliente.com.ve");
        let customer = books::customer(&db, name, &email, Language::Es);
        let owed = books::cement(document, amount, &written(issued), &written(due));
        let receivable_id = books::owes(&db, &reading, customer, owed);
        if *document == "F-0003" {
            queue::queue(
                &db,
                &cachicamo_core::reminders::Rechecks::default(),
                &SendReminder {
                    receivable_id,
                    ..SendReminder::default()
                },
                &reading,
            )
            .expect("reminder queued");
        }
    }
}

async fn open_aged_book(extra_env: &[(&str, &str)]) -> (AppUnderTest, Window) {
    let data_dir = tempfile::tempdir().expect("data dir");
    seed_aged(data_dir.path());
    let mut env = vec![("LANG", "es_VE.UTF-8")];
    env.extend_from_slice(extra_env);
    let app = AppUnderTest::start_in(data_dir, &env);
    let window = app.open().await;
    window.wait_for_text("main h1", "Pagos Pendientes").await;
    window.wait_for("#pending-table").await;
    (app, window)
}

/// The document numbers Pagos Pendientes lists now.
async fn listed_documents(window: &Window) -> Vec<String> {
    let mut documents = Vec::new();
    for link in window
        .client
        .find_all(Locator::Css("#pending-table tbody a.row-link"))
        .await
        .expect("links")
    {
        documents.push(link.text().await.expect("text"));
    }
    documents.sort();
    documents
}

async fn wait_for_list(window: &Window) {
    window.wait_for("#pending-table").await;
    assert!(
        !window.exists("#receivable-detail").await,
        "the list, not a detail"
    );
}

async fn wait_for_detail_of(window: &Window, document: &str) {
    window
        .wait_for_text_containing("#receivable-title", document)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_back_forward_and_escape_take_the_owner_where_they_expect() {
    let (_app, window) = open_aged_book(&[]).await;

    // The document number is a link: it opens the detail, and the focus moves to its heading
    // so a screen reader announces it.
    open_receivable(&window, "F-0003").await;
    wait_for_focus(&window, "receivable-title").await;
    assert_accessible(&window, "a receivable's detail").await;

    // On the detail, the menu entry (highlighted as the current screen) shows the list.
    window.click("nav button[data-screen='pending']").await;
    wait_for_list(&window).await;
    wait_for_focus(&window, "pending-title").await;

    // Alt+← goes back to the detail just left, Alt+→ forward to the list again.
    press(&window, &[Key::Alt], Key::Left.into()).await;
    wait_for_detail_of(&window, "F-0003").await;
    press(&window, &[Key::Alt], Key::Right.into()).await;
    wait_for_list(&window).await;

    // Enter on a focused row opens it; Escape returns from the detail to the list.
    window
        .client
        .execute(
            "document.querySelector('#pending-table tr[data-receivable-id]:nth-child(5)').focus();",
            vec![],
        )
        .await
        .expect("focus a row");
    let row = window
        .text("#pending-table tbody tr:nth-child(5) a.row-link")
        .await;
    press(&window, &[], Key::Enter.into()).await;
    wait_for_detail_of(&window, &row).await;
    press(&window, &[], Key::Escape.into()).await;
    wait_for_list(&window).await;

    // Escape was a step back: the mouse's forward button returns to that detail, its back
    // button to the list.
    mouse_side_button(&window, 4).await;
    wait_for_detail_of(&window, &row).await;
    mouse_side_button(&window, 3).await;
    wait_for_list(&window).await;

    // A click anywhere on a row (a cell, not the link) opens it too.
    window
        .client
        .wait()
        .at_most(cachicamo_e2e::UI_TIMEOUT)
        .for_element(Locator::XPath(
            "//table[@id='pending-table']//tr[.//a[normalize-space()='F-0002']]/td[3]",
        ))
        .await
        .expect("the row's concept")
        .click()
        .await
        .expect("click the row");
    wait_for_detail_of(&window, "F-0002").await;

    // "Volver" and back cross screens: from Clientes, back returns to the detail.
    window.click("nav button[data-screen='customers']").await;
    window.wait_for_text("main h1", "Clientes").await;
    press(&window, &[Key::Alt], Key::Left.into()).await;
    wait_for_detail_of(&window, "F-0002").await;
    window.click("#receivable-back").await;
    wait_for_list(&window).await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_typed_form_is_never_lost_without_asking_and_the_keyboard_does_the_everyday_work() {
    let (_app, window) = open_aged_book(&[]).await;
    window.wait_for_text("#pending-range", "1–7 de 7").await;

    // Ctrl+N: a new receivable on Pagos Pendientes, the focus on the form's heading.
    press(&window, &[Key::Control], 'n').await;
    window.wait_for("#receivable-editor").await;
    wait_for_focus(&window, "receivable-editor-title").await;
    assert_accessible(&window, "the new-receivable form").await;

    // Escape on an empty form closes it without asking.
    press(&window, &[], Key::Escape.into()).await;
    window.wait_for("#pending-table").await;
    assert!(!window.exists("#receivable-editor").await);
    assert!(!window.exists("dialog#discard[open]").await);

    // With something typed, Escape asks; Escape again (Seguir editando) keeps it all. (Typing
    // waits for the arrival's focus on the heading, as a person waits to see the form.)
    press(&window, &[Key::Control], 'n').await;
    wait_for_focus(&window, "receivable-editor-title").await;
    window.fill("#receivable-concept", "Cabillas").await;
    press(&window, &[], Key::Escape.into()).await;
    window.wait_for("dialog#discard[open]").await;
    wait_for_focus(&window, "discard-no").await;
    assert_accessible(&window, "the discard question").await;
    press(&window, &[], Key::Escape.into()).await;
    assert!(!window.exists("dialog#discard[open]").await);
    assert_eq!(window.value("#receivable-concept").await, "Cabillas");

    // The menu asks too; Descartar closes the form and saves nothing.
    window.click("nav button[data-screen='customers']").await;
    window.wait_for("dialog#discard[open]").await;
    window.click("#discard-no").await;
    assert_eq!(window.value("#receivable-concept").await, "Cabillas");
    press(&window, &[], Key::Escape.into()).await;
    window.click("#discard-yes").await;
    window.wait_for("#pending-table").await;
    assert!(!window.exists("#receivable-editor").await);
    window.wait_for_text("#pending-range", "1–7 de 7").await;

    // Ctrl+Enter saves the open form; the owner lands on the list, ready for the next one.
    press(&window, &[Key::Control], 'n').await;
    wait_for_focus(&window, "receivable-editor-title").await;
    window.fill("#receivable-customer", "esquina").await;
    window
        .click("#receivable-customer-options button[data-customer-id]")
        .await;
    window.fill("#receivable-document", "F-0100").await;
    window.fill("#receivable-concept", "Cabillas").await;
    window.fill("#receivable-amount", "50").await;
    window.fill("#receivable-due-date", "31/12/2099").await;
    press(&window, &[Key::Control], Key::Enter.into()).await;
    window
        .wait_for_text_containing("#pending-notice", "Cuenta por cobrar guardada.")
        .await;
    window.wait_for_text("#pending-range", "1–8 de 8").await;
    assert!(!window.exists("#receivable-editor").await);
    window
        .wait_for_text("#receivable-created-open", "Abrir F-0100")
        .await;
    // Back does not reopen a form that is done.
    press(&window, &[Key::Alt], Key::Left.into()).await;
    assert!(!window.exists("#receivable-editor").await);
    // "Crear otra" opens a fresh form.
    window.click("#receivable-create-another").await;
    assert_eq!(window.value("#receivable-concept").await, "");
    press(&window, &[], Key::Escape.into()).await;

    // Ctrl+F goes to Buscar, from the list or a detail.
    open_receivable(&window, "F-0001").await;
    press(&window, &[Key::Control], 'f').await;
    wait_for_focus(&window, "pending-search").await;

    // F1: "Atajos de teclado", in Spanish; Escape closes it.
    press(&window, &[], Key::F1.into()).await;
    window.wait_for("dialog#shortcuts[open]").await;
    let listed = window.text("dialog#shortcuts").await;
    for expected in ["Atajos de teclado", "Guardar el formulario abierto", "Ctrl"] {
        assert!(listed.contains(expected), "{listed}");
    }
    assert_accessible(&window, "Atajos de teclado").await;
    press(&window, &[], Key::Escape.into()).await;
    assert!(!window.exists("dialog#shortcuts[open]").await);
    assert_ne!(focused_id(&window).await, "shortcuts-close");

    // Clientes: Ctrl+N there is a new customer.
    window.click("nav button[data-screen='customers']").await;
    window.wait_for_text("main h1", "Clientes").await;
    press(&window, &[Key::Control], 'n').await;
    window.wait_for("#customer-editor").await;
    wait_for_focus(&window, "customer-editor-title").await;
    window.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_of_antiguedad_de_saldos_lists_exactly_its_receivables_and_emails_say_what_they_are_about(
) {
    let desktop = tempfile::tempdir().expect("desktop dir");
    let downloads = desktop.path().join("Descargas");
    std::fs::write(
        desktop.path().join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )
    .expect("user dirs");
    let config = desktop.path().display().to_string();
    let (_app, window) = open_aged_book(&[("XDG_CONFIG_HOME", &config)]).await;

    // Each bucket: what is owed and how many receivables.
    let usd = "#aging tr[data-currency='USD']";
    for (bucket, amount, count) in [
        ("not_yet_due", "USD 100,00", "1 cuenta"),
        ("days1_to30", "USD 900,00", "2 cuentas"),
        ("days31_to60", "USD 700,00", "2 cuentas"),
        ("days61_to90", "USD 500,00", "1 cuenta"),
        ("over90", "USD 600,00", "1 cuenta"),
    ] {
        let cell = window
            .wait_for_text_containing(&format!("{usd} td[data-aging='{bucket}']"), amount)
            .await;
        assert!(cell.contains(count), "{bucket}: {cell}");
    }
    window
        .wait_for_text_containing(&format!("{usd} td.total"), "USD 2.800,00")
        .await;

    // "31–60" lists exactly the two due 35 and 60 days ago.
    window
        .click("#aging button[data-aging='days31_to60']")
        .await;
    window.wait_for_text("#pending-range", "1–2 de 2").await;
    assert_eq!(listed_documents(&window).await, ["F-0003", "F-0004"]);
    window
        .wait_for_text_containing("#pending-totals", "USD 700,00")
        .await;
    window.screenshot("es-pending-aging").await;
    assert_accessible(&window, "Pagos Pendientes, 31–60").await;
    window.click("#aging button[data-aging='over90']").await;
    window.wait_for_text("#pending-range", "1–1 de 1").await;
    assert_eq!(listed_documents(&window).await, ["F-0006"]);
    window.click("#aging-clear").await;
    window.wait_for_text("#pending-range", "1–7 de 7").await;

    // The aging as its own CSV file, in Downloads.
    window.click("#aging-export").await;
    let notice = window
        .wait_for_text_containing("#pending-notice", "Antigüedad de saldos exportada en")
        .await;
    let path = notice
        .split_once(" en ")
        .map(|(_, path)| path.trim().to_owned())
        .expect("the path is shown");
    assert!(Path::new(&path).starts_with(&downloads), "{path}");
    let exported = std::fs::read_to_string(&path).expect("the exported file");
    assert!(exported.contains("USD;31–60;2;700,00"), "{exported}");

    // Bandeja de salida names the customer and the document, and links back to it; the ids
    // stay under "Detalles", closed.
    window.click("nav button[data-screen='outbox']").await;
    window
        .wait_for_text_containing("#outbox-table", "Taller Rodríguez · F-0003")
        .await;
    let ids_outside_details = window
        .client
        .execute(
            "return [...document.querySelectorAll('#outbox-table *')]
               .filter((e) => /Número interno|Identificador/.test(e.textContent))
               .filter((e) => !e.closest('details') && !e.querySelector('details')).length;",
            vec![],
        )
        .await
        .expect("where the ids are");
    assert_eq!(ids_outside_details, 0, "ids only under Detalles");
    assert!(window.exists("#outbox-table details:not([open])").await);
    assert_accessible(&window, "Bandeja de salida").await;
    window.click("#outbox-table a.row-link").await;
    wait_for_detail_of(&window, "F-0003").await;

    // Clientes: a row opens the customer.
    window.click("nav button[data-screen='customers']").await;
    window.wait_for("#customers-table").await;
    assert_accessible(&window, "Clientes").await;
    window
        .click("#customers-table tr[data-customer-id] td:nth-child(2)")
        .await;
    window.wait_for("#customer-editor").await;
    window.wait_for("#customer-receivables table").await;
    assert_accessible(&window, "a customer").await;
    window.close().await;
}
