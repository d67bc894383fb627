//! Declares the app's own commands so each gets an `allow-<command>` permission; the webview
//! may call only those its capability lists.

include!("src/commands/names.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("tauri build script");
}
