//! Declares the one command, so the window may call only it (as the app declares its own).

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["report_first_render"])),
    )
    .expect("tauri build script");
}
