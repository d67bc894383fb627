//! "Avisarme cuando haya recordatorios por revisar": with the política de cobranza on in
//! "Revisar antes de enviar" and two customers overdue, turning the notices on makes the desktop
//! show exactly one notification saying how many reminders wait — received by a fake
//! `org.freedesktop.Notifications` server on the session bus — and a restart, with no new line,
//! shows none more. Started as the login entry starts it (`--minimised`, nobody at the window),
//! the app evaluates and notifies all the same.

use cachicamo_core::collections::policy::{PolicyRules, SendMode};
use cachicamo_core::settings;
use cachicamo_e2e::notices::{FakeNotifications, Shown};
use cachicamo_e2e::{app_binary, eventually, AppUnderTest, Window};

use crate::helpers::{open_section, OverdueBooks};

/// Two customers owing since eight days ago; the proposed policy (−3, +1, +7, +15) on, in
/// "Revisar antes de enviar"; the notices as `notices_on` says.
fn seeded(notices_on: bool) -> tempfile::TempDir {
    let books = OverdueBooks::new();
    for (name, email, document) in [
        ("Peña & Hijos", "cobros@pena.com.ve", "F-0042"),
        ("Bodega La Esquina", "pagos@esquina.com", "F-0043"),
    ] {
        let customer = books.customer(name, email);
        books.owes(customer, document, "80", -8);
    }
    settings::set_notify_waiting(&books.db, notices_on).expect("notices");
    let mut policy = PolicyRules::proposed();
    policy.enabled = true;
    policy.mode = SendMode::Review;
    books.with_policy(policy)
}

/// What the desktop was asked to show: (title, body) each.
fn words(shown: &[Shown]) -> Vec<(String, String)> {
    shown
        .iter()
        .map(|Shown { summary, body, .. }| (summary.clone(), body.clone()))
        .collect()
}

/// Every notification shown, once there is at least one.
async fn first_shown(desktop: &FakeNotifications) -> Vec<Shown> {
    eventually(
        std::time::Duration::from_secs(20),
        "a notification to reach the desktop",
        async || {
            let shown = desktop.shown();
            if shown.is_empty() {
                Err(shown)
            } else {
                Ok(shown)
            }
        },
    )
    .await
}

fn two_waiting() -> Vec<(String, String)> {
    vec![(
        "Cobros de hoy".to_owned(),
        "2 recordatorios esperan su revisión en Cachicamo.".to_owned(),
    )]
}

async fn checked(window: &Window, css: &str) -> bool {
    let checked = window
        .wait_for(css)
        .await
        .prop("checked")
        .await
        .expect("checked prop");
    checked.as_deref() == Some("true")
}

const NOTHING_NEW: &str = "desktop notices: nothing new to announce";

#[tokio::test(flavor = "multi_thread")]
async fn reminders_waiting_for_review_are_announced_once_and_not_again_after_a_restart() {
    let desktop = FakeNotifications::start();
    let app = AppUnderTest::start_in(seeded(false), &[]);

    let window = app.open().await;
    open_section(&window, "settings", "#startup-title", "Inicio y avisos").await;
    assert!(
        !checked(&window, "#startup-notices").await,
        "off by default"
    );
    window.click("#startup-notices").await;
    window
        .wait_for_text("#startup-saved", "Preferencia guardada.")
        .await;
    app.wait_for_log("desktop notice shown").await;
    assert_eq!(words(&first_shown(&desktop).await), two_waiting());
    let before = app.logs().matches(NOTHING_NEW).count();
    window.close().await;

    // A restart evaluates again, with nothing new: nothing more is shown.
    let window = app.open().await;
    assert!(checked_after_restart(&window).await, "still on");
    another_evaluation(&app, before, "the restart's evaluation").await;
    assert_eq!(desktop.shown().len(), 1, "{:?}", desktop.shown());
    window.close().await;
}

/// Waits for an evaluation that found nothing new, after the `before` ones already logged: the
/// signal that a notice, had one been due, had its chance.
async fn another_evaluation(app: &AppUnderTest, before: usize, what: &str) {
    eventually(std::time::Duration::from_secs(20), what, async || {
        let seen = app.logs().matches(NOTHING_NEW).count();
        if seen > before {
            Ok(())
        } else {
            Err(seen)
        }
    })
    .await;
}

async fn checked_after_restart(window: &Window) -> bool {
    open_section(window, "settings", "#startup-title", "Inicio y avisos").await;
    checked(window, "#startup-notices").await
}

#[tokio::test(flavor = "multi_thread")]
async fn started_minimised_at_login_the_app_evaluates_and_notifies_with_nobody_at_the_window() {
    let desktop = FakeNotifications::start();
    // The driver is not used to launch it: the app's environment, as every story gives it.
    let app = AppUnderTest::start_in(seeded(true), &[]);
    let mut login = std::process::Command::new(app_binary());
    // Its log goes to the data directory, read through `app.logs()`.
    login
        .arg("--minimised")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for (key, value) in &app.env {
        if value.is_empty() {
            login.env_remove(key);
        } else {
            login.env(key, value);
        }
    }
    let mut running = login
        .spawn()
        .expect("the app starts as the login entry starts it");
    app.wait_for_log("started minimised (the login entry)")
        .await;
    let shown = first_shown(&desktop).await;
    // Asked to leave as a session ending would (SIGTERM), and gone before the next start.
    let _ = std::process::Command::new("kill")
        .arg(running.id().to_string())
        .status();
    let _ = running.wait();
    assert_eq!(words(&shown), two_waiting());

    // Opened later by the owner: nothing new, nothing more shown.
    let before = app.logs().matches(NOTHING_NEW).count();
    let window = app.open().await;
    another_evaluation(&app, before, "the evaluation at the owner's start").await;
    assert_eq!(desktop.shown().len(), 1, "{:?}", desktop.shown());
    window.close().await;
}
