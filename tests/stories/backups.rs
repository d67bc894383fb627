//! Ajustes → Copias de seguridad: the owner exports a copy, keeps working, and restores the copy
//! through the file picker; a file that is not a Cachicamo copy is refused and changes nothing;
//! the automatic daily copy is there without anyone asking.

use std::path::{Path, PathBuf};

use cachicamo_e2e::{eventually, AppUnderTest, UI_TIMEOUT};

use crate::helpers::{create_customer, open_backups, open_customers, pick_file, Desktop};

fn daily_copies(app: &AppUnderTest) -> Vec<PathBuf> {
    let dir = app.data_path("backups");
    std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    // cachicamo-YYYY-MM-DD.sqlite3
                    name.starts_with("cachicamo-")
                        && name.ends_with(".sqlite3")
                        && name.len() == "cachicamo-2026-01-31.sqlite3".len()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_copy_is_restored_and_a_file_that_is_not_one_changes_nothing() {
    // The user's Downloads folder, where an export lands (XDG user dirs, as desktops set them).
    let desktop = Desktop::new();
    let downloads = &desktop.downloads;
    let (xdg, config) = desktop.env();
    let app = AppUnderTest::start(&[(xdg, &config)]);
    let window = app.open().await;

    // The daily copy is made at start-up, off the window's way, and is a Cachicamo database.
    let daily = eventually(UI_TIMEOUT, "a daily copy in backups/", async || {
        let copies = daily_copies(&app);
        if copies.is_empty() {
            Err(copies)
        } else {
            Ok(copies)
        }
    })
    .await;
    assert_eq!(daily.len(), 1, "one copy a day: {daily:?}");
    let conn = rusqlite::Connection::open(&daily[0]).expect("open the daily copy");
    let customers: i64 = conn
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .expect("the copy has Cachicamo's tables");
    assert_eq!(customers, 0);
    drop(conn);

    create_customer(&window, "Ferretería José Peña", None).await;
    open_backups(&window).await;
    window
        .wait_for("#backups-table tr[data-kind='daily']")
        .await;
    window.click("#backups-export").await;
    let exported = PathBuf::from(window.text("#backups-exported-path").await);
    assert!(
        exported.starts_with(downloads),
        "{} is not in Downloads",
        exported.display()
    );
    assert!(exported.is_file(), "the export exists");

    create_customer(&window, "Bodega La Esquina", None).await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;

    // Not a copy: refused with its reason, next to the picker; nothing changes.
    let garbage = desktop.path().join("no-es-copia.sqlite3");
    std::fs::write(&garbage, b"lista de compras: clavos, tornillos, pintura").expect("garbage");
    open_backups(&window).await;
    pick_file(&window, "#backups-file", &garbage).await;
    window
        .wait_for_text_containing("#backups-confirm-text", "no-es-copia.sqlite3")
        .await;
    window.click("#backups-restore-yes").await;
    window
        .wait_for_text_containing(
            "#backups-restore-error",
            "El archivo no es una copia de Cachicamo",
        )
        .await;
    window.screenshot("es-backup-refused").await;
    assert!(
        !window
            .exists("#backups-table tr[data-kind='before_restore']")
            .await,
        "a refused file does not even take the safety copy"
    );
    open_customers(&window).await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;

    // The exported copy: after the confirmation, the data is as it was when exported.
    open_backups(&window).await;
    pick_file(&window, "#backups-file", &exported).await;
    let question = window
        .wait_for_text_containing("#backups-confirm-text", "Se reemplazarán")
        .await;
    assert!(
        question.contains(
            &exported
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string()
        ),
        "the confirmation names the file: {question}"
    );
    window.click("#backups-restore-yes").await;
    window
        .wait_for_text_containing("#backups-restored", "Copia restaurada")
        .await;
    // What was replaced is kept among the automatic copies.
    window
        .wait_for("#backups-table tr[data-kind='before_restore']")
        .await;
    assert!(
        window.exists("#backups-restored").await,
        "the outcome stays in view once the section has reloaded"
    );
    window.screenshot("es-backup-restored").await;
    open_customers(&window).await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    assert!(
        window
            .text("#customers-table")
            .await
            .contains("Ferretería José Peña"),
        "the exported customer is back"
    );
    assert!(
        !window
            .text("#customers-table")
            .await
            .contains("Bodega La Esquina"),
        "the customer created after the export is gone"
    );

    // Changed her mind: the automatic copy taken before the restore brings it all back.
    open_backups(&window).await;
    window
        .click("#backups-table button[data-restore^='cachicamo-before-restore-']")
        .await;
    window
        .wait_for_text_containing("#backups-confirm-text", "«Antes de restaurar · ")
        .await;
    window.click("#backups-restore-yes").await;
    window
        .wait_for_text_containing("#backups-restored", "Copia restaurada")
        .await;
    open_customers(&window).await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;
    window.close().await;

    // The restored data is what the app opens next time too.
    let window = app.open().await;
    open_customers(&window).await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;
    assert_eq!(daily_copies(&app).len(), 1, "still one copy for today");
    window.close().await;
}

/// A file handed over as "the copy from your old PC": a genuine Cachicamo database with one
/// thing added, a trigger that would send every reminder to someone else.
fn copy_with_a_hostile_trigger(dir: &Path) -> PathBuf {
    let path = dir.join("copia-de-la-otra-pc.sqlite3");
    drop(cachicamo_core::Database::open(&path).expect("a real Cachicamo database"));
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(
        "CREATE TRIGGER reenviar_a_otro AFTER INSERT ON outbox BEGIN
             UPDATE outbox SET recipient = 'ladron@example.net' WHERE id = NEW.id;
         END;
         PRAGMA journal_mode = DELETE;",
    )
    .expect("plant the trigger");
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_carrying_a_hostile_trigger_is_refused_in_words_and_changes_nothing() {
    let app = AppUnderTest::start(&[]);
    let window = app.open().await;
    create_customer(&window, "Ferretería José Peña", None).await;

    let elsewhere = tempfile::tempdir().expect("dir");
    let hostile = copy_with_a_hostile_trigger(elsewhere.path());
    open_backups(&window).await;
    pick_file(&window, "#backups-file", &hostile).await;
    window
        .wait_for_text_containing("#backups-confirm-text", "copia-de-la-otra-pc.sqlite3")
        .await;
    window.click("#backups-restore-yes").await;
    let refusal = window
        .wait_for_text_containing(
            "#backups-restore-error",
            "La copia contiene un disparador desconocido: «reenviar_a_otro»",
        )
        .await;
    assert!(refusal.contains("no se cambió nada"), "{refusal}");
    window.screenshot("es-backup-hostile-refused").await;
    assert!(
        !window
            .exists("#backups-table tr[data-kind='before_restore']")
            .await,
        "refused before the safety copy: nothing was replaced"
    );
    open_customers(&window).await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    window.close().await;

    let conn = rusqlite::Connection::open(app.data_path("cachicamo.sqlite3")).expect("db");
    let triggers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'reenviar_a_otro'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert_eq!(triggers, 0, "the trigger never reached the live data");
}
