//! Declares the app's own commands so each gets an `allow-<command>` permission, and writes the
//! main window's capability from the same list (`src/commands/names.rs`): the webview may call
//! exactly the app's commands and listen to its events, and no list is kept by hand.

include!("src/commands/names.rs");

const CAPABILITY: &str = "capabilities/main.json";

/// The capability file's text. Checked in, so a review sees what the window may do; rewritten
/// here only when the command list changed it.
fn capability() -> String {
    let permissions: Vec<String> = window_permissions()
        .into_iter()
        .map(|permission| format!("    \"{permission}\""))
        .collect();
    format!(
        r#"{{
  "$schema": "../gen/schemas/desktop-schema.json",
  "identifier": "main",
  "description": "The main window: events (for live updates from Rust) and the app's own commands, nothing else. Dialogs, files, network and updates are driven from Rust commands. Written by build.rs from src/commands/names.rs: do not edit by hand.",
  "windows": [
    "main"
  ],
  "permissions": [
{}
  ]
}}
"#,
        permissions.join(",\n")
    )
}

fn main() {
    let wanted = capability();
    if std::fs::read_to_string(CAPABILITY).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::write(CAPABILITY, wanted).expect("write the capability");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMAND_NAMES)),
    )
    .expect("tauri build script");
}
