//! The window never waits for the database: Tauri runs a plain `#[tauri::command]` fn on the
//! main thread, which also paints the window, so one slow query (or a wait for the database's
//! lock while a copy or the outbox holds it) would freeze it. Every command is therefore either
//! an `async fn` or marked `#[tauri::command(async)]`, which Tauri runs on its async runtime.
//! Checked on the sources, for every command the app registers.

use std::collections::BTreeSet;
use std::path::PathBuf;

include!("../src/commands/names.rs");

/// Each command's name and whether it runs off the main thread, from one source file.
fn commands_in(text: &str) -> Vec<(String, bool)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[tauri::command") {
        let after = &rest[at..];
        let attribute_end = after.find(']').expect("attribute closes");
        let attribute = &after[..=attribute_end];
        let signature_at = after.find("fn ").expect("a command is a fn");
        let before_fn = &after[attribute_end + 1..signature_at];
        let name: String = after[signature_at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let off_main = attribute.contains("async") || before_fn.contains("async");
        found.push((name, off_main));
        rest = &after[signature_at..];
    }
    found
}

#[test]
fn every_command_runs_off_the_main_thread() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut seen = BTreeSet::new();
    let mut on_main = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("commands dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (name, off_main) in commands_in(&text) {
            if !off_main {
                on_main.push(format!("{name} ({})", path.display()));
            }
            seen.insert(name);
        }
    }
    assert!(
        on_main.is_empty(),
        "these commands would run on the main thread: mark them #[tauri::command(async)] or make them async fn: {on_main:?}"
    );
    // The scan found every registered command, so none can hide from it.
    let registered: BTreeSet<String> = COMMAND_NAMES.iter().map(|n| (*n).to_owned()).collect();
    assert_eq!(
        seen, registered,
        "the scan must see exactly the registered commands"
    );
}

#[test]
fn the_scan_tells_a_sync_command_from_an_async_one() {
    let text = r#"
        #[tauri::command]
        pub fn freezes(state: State<'_, AppState>) -> u32 { 1 }

        #[tauri::command(async)]
        pub fn threaded(state: State<'_, AppState>) -> u32 { 2 }

        /// Docs between.
        #[tauri::command]
        pub async fn awaited<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> { Ok(()) }
    "#;
    assert_eq!(
        commands_in(text),
        [
            ("freezes".to_owned(), false),
            ("threaded".to_owned(), true),
            ("awaited".to_owned(), true),
        ]
    );
}
