//! Updates from inside the app: the quiet start-up check announces a new version, Ajustes shows
//! its notes, an install whose package is not signed by our key is refused, and the start-up
//! check can be turned off.

use cachicamo_e2e::fakes::{FakeServer, TestCa};
use cachicamo_e2e::AppUnderTest;

use crate::helpers::menu;

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_is_announced_explained_and_a_foreign_package_refused() {
    let ca = TestCa::get();
    let feed_dir = tempfile::tempdir().expect("feed dir");
    std::fs::write(
        feed_dir.path().join("Cachicamo.AppImage"),
        b"not signed by us",
    )
    .expect("pkg");
    let server = FakeServer::https_files(feed_dir.path());
    let package = format!("https://localhost:{}/Cachicamo.AppImage", server.port);
    // A well-formed minisign signature from a key that is not Cachicamo's.
    let foreign_signature = "dW50cnVzdGVkIGNvbW1lbnQ6IHNpZ25hdHVyZSBmcm9tIHRhdXJpIHNlY3JldCBrZXkKUlVRbnVERFpBNFJFbEFTWDhSYXQyMUZocUlqYkFIZUlpV0ZTTWxYVTltTlRNWXBDa3orYVBaVWoyMmttUlM5VW9JSy83UkpoMk50SmVMV0lwRDN0RExraWJYVDVJUCtjR2c0PQp0cnVzdGVkIGNvbW1lbnQ6IHRpbWVzdGFtcDoxNzk1OTc2NzEyCWZpbGU6YXBwLkFwcEltYWdlCmx6L1Fxc2wzMFdKdFdlY1NpekF2M09YU0hmR29FMzBSaTVlN3FKcWlvWWZZbldrUGtRVWFidFA2WlhDb2VUSWNTbjRITC94R3FibjVRKzFzTldZckRBPT0K";
    let platform = serde_json::json!({ "signature": foreign_signature, "url": package });
    let feed = serde_json::json!({
        "version": "9.9.9",
        "notes": "Recordatorios de pago más claros.",
        "pub_date": "2026-11-29T12:00:00Z",
        "platforms": { "linux-x86_64": platform, "linux-x86_64-appimage": platform }
    });
    std::fs::write(feed_dir.path().join("latest.json"), feed.to_string()).expect("feed");
    let feed_url = format!("https://localhost:{}/latest.json", server.port);
    let ca_file = ca.ca_pem().display().to_string();
    let app = AppUnderTest::start(&[
        ("CACHICAMO_UPDATE_URL", &feed_url),
        ("SSL_CERT_FILE", &ca_file),
    ]);

    let window = app.open().await;
    window
        .wait_for_text_containing(
            "#update-banner",
            "Hay una versión nueva de Cachicamo: 9.9.9.",
        )
        .await;
    // Beside the screen, not above it: the screen's heading is where it is without a banner
    // (Ajustes shows none), so nothing moved from under the owner's pointer when it came.
    let with_banner = window.top("main h1").await;
    window.click("#update-banner button").await;
    window.wait_for_text("main h1", "Ajustes").await;
    assert_eq!(window.top("main h1").await, with_banner);
    // Ajustes' sections load on their own; "Buscar actualizaciones" is below them all.
    window.wait_until_settled().await;
    window.click("#updates-check").await;
    window
        .wait_for_text_containing("#updates-result", "Hay una versión nueva: 9.9.9")
        .await;
    window
        .wait_for_text("#updates-notes", "Recordatorios de pago más claros.")
        .await;
    window.screenshot("es-updates").await;

    window.click("#updates-install").await;
    window.click("#updates-install-yes").await;
    window
        .wait_for_text_containing("#updates [role='alert'] p", "No se pudo buscar o instalar")
        .await;
    assert!(
        window.exists("nav").await,
        "a refused package leaves the running app as it was"
    );

    // The start-up check can be turned off, and stays off.
    window.click("#updates-on-startup").await;
    window
        .wait_for_text("#updates-preference-saved", "Preferencia guardada.")
        .await;
    window.close().await;
    let window = app.open().await;
    window.click(&menu("settings")).await;
    let checked = window
        .wait_for("#updates-on-startup")
        .await
        .prop("checked")
        .await
        .expect("checked prop");
    assert_eq!(checked.as_deref(), Some("false"));
    window.click(&menu("pending")).await;
    // The app says at start-up that it will not check: only then is the banner's absence news.
    app.wait_for_log("update check at start-up: turned off")
        .await;
    assert!(
        !window.exists("#update-banner").await,
        "no quiet check when turned off"
    );
    window.close().await;
}
