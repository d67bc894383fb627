//! One Cachicamo per data directory: another install started on the same data (its own session,
//! so the single-instance hand-over does not apply — a second login, a portable copy pointed at
//! the same folder) says so in its window and touches nothing; the first keeps working.

use std::os::unix::fs::PermissionsExt;

use cachicamo_e2e::{app_binary, AppUnderTest, PrivateBus};

use crate::helpers::create_customer;

#[tokio::test(flavor = "multi_thread")]
async fn another_install_on_the_same_data_says_so_and_the_first_keeps_working() {
    let first = AppUnderTest::start(&[]);
    let window = first.open().await;
    create_customer(&window, "Ferretería José Peña", None).await;
    window.wait_for_text("#customers-range", "1–1 de 1").await;
    let database = first.data_path("cachicamo.sqlite3");

    // Another install: the same program at another path, on a session bus of its own.
    let install = tempfile::tempdir().expect("install dir");
    let other_binary = install.path().join("cachicamo");
    std::fs::copy(app_binary(), &other_binary).expect("copy the program");
    std::fs::set_permissions(&other_binary, std::fs::Permissions::from_mode(0o755))
        .expect("executable");
    let bus = PrivateBus::start();
    let second = AppUnderTest::start_sharing(
        other_binary,
        first.data_dir(),
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address())],
    );
    let before = std::fs::read(&database).expect("database");
    let other = second.open().await;
    other
        .wait_for_text("main.blocked h1", "Cachicamo no puede abrir sus datos")
        .await;
    let alert = other.text("main.blocked [role='alert'] p").await;
    assert!(
        alert.contains("Otra ventana de Cachicamo ya está usando estos datos"),
        "the message says why: {alert}"
    );
    other.screenshot("es-data-in-use").await;
    assert!(
        !other.exists("nav").await,
        "no screen that could read or write the books"
    );
    other.close().await;
    assert_eq!(
        std::fs::read(&database).expect("database"),
        before,
        "the second install changed nothing"
    );

    // The first never noticed.
    create_customer(&window, "Bodega La Esquina", None).await;
    window.wait_for_text("#customers-range", "1–2 de 2").await;
    window.close().await;
    assert_only_the_owner_can_read(&first);
}

/// Everything the app (and its webview) wrote under the data directory is the owner's only:
/// directories 0700, files 0600, whatever umask the session had.
fn assert_only_the_owner_can_read(app: &AppUnderTest) {
    let mut checked = Vec::new();
    let mut pending = vec![app.data_dir().to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("meta");
            let name = entry.file_name().to_string_lossy().into_owned();
            // Written by the test harness, not by the app.
            if name.starts_with("tauri-driver-") || meta.file_type().is_symlink() {
                continue;
            }
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                pending.push(path.clone());
                assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
            } else {
                assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
            }
            checked.push(name);
        }
    }
    for expected in [
        "cachicamo.sqlite3",
        "window-state.json",
        "cachicamo.lock",
        "backups",
        "logs",
    ] {
        assert!(
            checked.iter().any(|name| name == expected),
            "{expected} was checked: {checked:?}"
        );
    }
    let data_dir_mode = std::fs::metadata(app.data_dir())
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(data_dir_mode, 0o700);
}
