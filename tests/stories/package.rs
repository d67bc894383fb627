//! The Linux package: the .deb that `tauri build` made declares what it needs, installs its
//! files, and the installed program opens its main screen.

use std::path::PathBuf;
use std::process::Command;

use cachicamo_e2e::AppUnderTest;

use crate::helpers::menu;

fn deb() -> PathBuf {
    let path = std::env::var_os("CACHICAMO_DEB").map(PathBuf::from).expect(
        "CACHICAMO_DEB must name the .deb to check (.ci/test builds it with tauri build --bundles deb)",
    );
    assert!(path.is_file(), "no package at {}", path.display());
    path
}

fn control_field(deb: &PathBuf, field: &str) -> String {
    let output = Command::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .arg(field)
        .output()
        .expect("dpkg-deb runs");
    assert!(output.status.success(), "dpkg-deb --field failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_debian_package_installs_and_its_program_opens() {
    let deb = deb();
    let depends = control_field(&deb, "Depends");
    for runtime in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libsecret-1-0"] {
        assert!(
            depends.contains(runtime),
            "Depends lacks {runtime}: {depends}"
        );
    }
    assert_eq!(control_field(&deb, "Package"), "cachicamo");

    // Installed into a scratch root, as dpkg would lay the files out.
    let root = tempfile::tempdir().expect("scratch root");
    let status = Command::new("dpkg-deb")
        .arg("--extract")
        .arg(&deb)
        .arg(root.path())
        .status()
        .expect("dpkg-deb runs");
    assert!(status.success(), "the package extracts");
    let program = root.path().join("usr/bin/cachicamo");
    for file in [
        "usr/bin/cachicamo",
        "usr/share/applications/Cachicamo.desktop",
        "usr/share/icons/hicolor/128x128/apps/cachicamo.png",
    ] {
        assert!(
            root.path().join(file).is_file(),
            "the package installs {file}"
        );
    }

    let app = AppUnderTest::start_binary(program, tempfile::tempdir().expect("data dir"), &[]);
    let window = app.open().await;
    window
        .wait_for_text(&menu("pending"), "Pagos Pendientes")
        .await;
    window.wait_for_text("main h1", "Pagos Pendientes").await;
    window.close().await;
}
