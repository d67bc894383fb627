//! The política de cobranza's finer parts, as the owner sets them in the real window: a
//! minimum balance typed in Ajustes → Cobranza the Venezuelan way (refused next to its row
//! when it cannot be read) keeps the customer who owes little out of Cobros de hoy, and is
//! still there after a restart. Due dates are relative to today.

use cachicamo_core::books::reading::Reading;
use cachicamo_core::collections::policy::PolicyRules;
use cachicamo_core::collections::{self};
use cachicamo_core::locale::{Language, Region};
use cachicamo_core::Database;
use cachicamo_e2e::books;
use cachicamo_e2e::{eventually, UI_TIMEOUT};

use crate::helpers::{forget_keychain_entries, menu, start_for_mail};

/// Peña & Hijos owes USD 80 and Kiosco Pequeño USD 30, both due eight days ago; the proposed
/// policy is saved but still off.
fn seeded() -> tempfile::TempDir {
    forget_keychain_entries();
    let data_dir = tempfile::tempdir().expect("data dir");
    let db = Database::open(&data_dir.path().join("cachicamo.sqlite3")).expect("database");
    let today = cachicamo_core::clock::local_today();
    let reading = Reading {
        region: Region::EsVe,
        today,
    };
    let day = |days: i64| Region::EsVe.date(today + time::Duration::days(days));
    for (name, email, document, amount) in [
        ("Peña & Hijos", "cobros@pena.com.ve", "F-0042", "80"),
        ("Kiosco Pequeño", "kiosco@example.com", "F-0043", "30"),
    ] {
        let customer = books::customer(&db, name, email, Language::Es);
        books::owes(
            &db,
            &reading,
            customer,
            books::cement(document, amount, &day(-30), &day(-8)),
        );
    }
    collections::save_policy(&db, PolicyRules::proposed()).expect("policy");
    data_dir
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minimum_balance_typed_in_ajustes_keeps_the_customer_who_owes_little_out_of_cobros_de_hoy(
) {
    let app = start_for_mail(seeded(), &[]);
    let window = app.open().await;
    window.click(&menu("settings")).await;
    window.click("#collections-add-minimum").await;
    window
        .select("#collections-minimum-0-currency", "USD")
        .await;
    window.fill("#collections-minimum-0-amount", "50,x").await;
    window.click("#collections-enabled").await;
    window.click("#collections-save").await;
    window
        .wait_for_text_containing(
            "#collections-minimum-0-amount-error",
            "No se entiende el monto",
        )
        .await;

    window.fill("#collections-minimum-0-amount", "50").await;
    window
        .wait_for_text_containing("#collections-minimum-0-amount-reading", "USD 50,00")
        .await;
    window.click("#collections-save").await;
    window
        .wait_for_text("#collections-saved", "Política de cobranza guardada.")
        .await;
    assert_eq!(window.value("#collections-minimum-0-amount").await, "50,00");

    // Saving evaluates at once: Peña is listed, the kiosk (USD 30) is not.
    window.click(&menu("today")).await;
    window
        .wait_for_text_containing("#today-table", "Peña & Hijos")
        .await;
    window.wait_for_text("#today-count", "1").await;
    let table = window.text("#today-table").await;
    assert!(
        !table.contains("Kiosco Pequeño"),
        "under the minimum: {table}"
    );

    // Kept across a restart, written the region's way.
    window.close().await;
    let window = app.open().await;
    window.click(&menu("settings")).await;
    eventually(
        UI_TIMEOUT,
        "the minimum is shown again",
        async || match window.value("#collections-minimum-0-amount").await.as_str() {
            "50,00" => Ok(()),
            other => Err(other.to_owned()),
        },
    )
    .await;
    assert_eq!(window.value("#collections-minimum-0-currency").await, "USD");
    window.close().await;
}
