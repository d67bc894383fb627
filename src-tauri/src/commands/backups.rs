//! Ajustes → Copias de seguridad: the automatic copies, exporting one, restoring one.
//!
//! Copies and restores run on a blocking thread of their own (a large book takes seconds) and
//! report their progress to the window as `backups://progress` events.

use cachicamo_core::backup::{self, AutomaticCopy, Progress, RestoreSource, Restored};
use tauri::ipc::Request;
use tauri::{AppHandle, Emitter, Runtime, State};

use super::file_bytes;
use crate::downloads::{export_dir, Exported};
use crate::error::IpcError;
use crate::state::{local_now, AppState};

/// The event a copy or restore in progress is announced with (a `Progress`).
pub const BACKUP_PROGRESS: &str = "backups://progress";

#[tauri::command(async)]
pub fn backups_list(state: State<'_, AppState>) -> Result<Vec<AutomaticCopy>, IpcError> {
    Ok(state.backups.list()?)
}

/// Writes a copy into the user's Downloads folder (else the home folder): a place the user
/// knows, decided here so the webview needs no file-system or dialog permission.
#[tauri::command]
pub async fn backups_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Exported, IpcError> {
    let dir = export_dir(&app, &state);
    let db = state.shared_db()?;
    let path = off_the_runtime(move || {
        backup::export(&db, &dir, local_now(), &mut announcer(&app)).map_err(IpcError::from)
    })
    .await?;
    Ok(path.into())
}

/// Restores one of the automatic copies, by the name `backups_list` gave.
#[tauri::command]
pub async fn backups_restore_copy<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Result<Restored, IpcError> {
    restore(app, &state, Source::Copy(name)).await
}

/// Restores a file the user picked in the window; its bytes are the request's raw body.
#[tauri::command]
pub async fn backups_restore_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<Restored, IpcError> {
    let bytes = file_bytes(&request)?.to_vec();
    restore(app, &state, Source::File(bytes)).await
}

/// What to restore, owned so it can move to the blocking thread.
enum Source {
    Copy(String),
    File(Vec<u8>),
}

/// The one way both restore commands replace the data: `Backups::restore`, off the runtime.
async fn restore<R: Runtime>(
    app: AppHandle<R>,
    state: &AppState,
    source: Source,
) -> Result<Restored, IpcError> {
    let db = state.shared_db()?;
    let backups = state.backups.clone();
    let replace = off_the_runtime(move || {
        let source = match &source {
            Source::Copy(name) => RestoreSource::Automatic(name),
            Source::File(bytes) => RestoreSource::File(bytes),
        };
        backups
            .restore(&db, source, local_now(), &mut announcer(&app))
            .map_err(IpcError::from)
    });
    // The data is replaced under the outbox: the worker stops first (nothing claimed is sent
    // from memory), and every email the copy brings back waiting or sending waits for the owner
    // ("Por revisar: copia restaurada") when the worker starts again on the new data.
    match state.outbox() {
        Ok(outbox) => outbox.while_stopped(replace).await,
        Err(_) => replace.await,
    }
}

/// Runs blocking work on the runtime's blocking pool, so neither the main thread nor an async
/// worker waits for the disk.
async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|err| IpcError::internal(err.to_string()))?
}

/// Emits progress whenever the stage or the whole percentage changes (a large book has
/// thousands of pages; the window needs a hundred updates at most).
fn announcer<R: Runtime>(app: &AppHandle<R>) -> impl FnMut(Progress) + '_ {
    let mut last: Option<(backup::Stage, u64)> = None;
    move |progress: Progress| {
        let percent = (progress.done * 100)
            .checked_div(progress.total)
            .unwrap_or(0);
        if last != Some((progress.stage, percent)) {
            last = Some((progress.stage, percent));
            let _ = app.emit(BACKUP_PROGRESS, progress);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tauri::Manager;

    use crate::commands::test_support::TestApp;

    fn customers(app: &TestApp) -> Vec<String> {
        let page = app
            .invoke("customers_list", json!({ "query": {} }))
            .expect("list");
        page["customers"]
            .as_array()
            .expect("customers")
            .iter()
            .map(|c| c["name"].as_str().expect("name").to_owned())
            .collect()
    }

    fn create(app: &TestApp, name: &str) {
        app.invoke("customer_create", json!({ "form": { "name": name } }))
            .expect("create");
    }

    #[test]
    fn a_restore_reports_each_stage_and_its_pages_to_the_window() {
        use std::sync::{Arc, Mutex};
        use tauri::Listener;

        let app = TestApp::new(None);
        create(&app, "Primero");
        let reports: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
        let sink = reports.clone();
        app.app.listen(super::BACKUP_PROGRESS, move |event| {
            let report = serde_json::from_str(event.payload()).expect("json payload");
            sink.lock().expect("reports").push(report);
        });
        // A copy to restore, made as the daily one is (an export would write to the real
        // Downloads folder of whoever runs the tests).
        let state = app.app.state::<crate::state::AppState>();
        let copy = state
            .backups
            .make_daily(state.db().expect("db"), time::macros::date!(2026 - 01 - 31))
            .expect("daily copy")
            .expect("a new copy");
        let bytes = std::fs::read(copy).expect("the copy");
        let stages = |reports: &[serde_json::Value]| -> Vec<String> {
            let mut stages: Vec<String> = reports
                .iter()
                .map(|r| r["stage"].as_str().expect("stage").to_owned())
                .collect();
            stages.dedup();
            stages
        };
        app.invoke_bytes("backups_restore_file", bytes)
            .expect("restore");
        let seen = std::mem::take(&mut *reports.lock().expect("reports"));
        assert_eq!(
            stages(&seen),
            ["checking", "saving_current", "replacing"],
            "every stage of a restore is announced in order"
        );
        let last = seen.last().expect("a final report");
        assert!(last["total"].as_u64().expect("total") > 0);
        assert_eq!(
            last["done"], last["total"],
            "the last report is the whole file"
        );
        assert_eq!(customers(&app), ["Primero"]);
    }

    #[test]
    fn a_copy_is_listed_restored_and_a_bad_file_is_refused_with_its_reason() {
        let app = TestApp::new(None);
        create(&app, "Primero");
        let state = app.app.state::<crate::state::AppState>();
        let today = cachicamo_core::clock::local_today();
        state
            .backups
            .make_daily(state.db().expect("db"), today)
            .expect("daily copy");

        let copies = app.invoke("backups_list", json!({})).expect("list");
        let copy = &copies[0];
        assert_eq!(copy["kind"], "daily");
        assert!(copy["sizeBytes"].as_u64().expect("size") > 0);
        assert!(copy["createdAt"].as_str().expect("date").contains('T'));
        let name = copy["name"].as_str().expect("name").to_owned();

        create(&app, "Segundo");
        let err = app
            .invoke_bytes("backups_restore_file", b"not a database at all".to_vec())
            .expect_err("garbage");
        assert_eq!(err["code"], "backup_refused");
        assert_eq!(err["details"]["reason"], "not_sqlite");
        let err = app
            .invoke("backups_restore_file", json!({ "bytes": [1, 2, 3] }))
            .expect_err("json body");
        assert_eq!(err["code"], "invalid_input");
        assert_eq!(customers(&app), ["Primero", "Segundo"], "nothing changed");

        let restored = app
            .invoke("backups_restore_copy", json!({ "name": name }))
            .expect("restore");
        assert!(restored["beforeRestore"]
            .as_str()
            .expect("safety copy")
            .starts_with("cachicamo-before-restore-"));
        assert_eq!(customers(&app), ["Primero"]);

        let before = restored["beforeRestore"].as_str().expect("name").to_owned();
        let path = app.dir.path().join("backups").join(&before);
        let bytes = std::fs::read(path).expect("safety copy on disk");
        app.invoke_bytes("backups_restore_file", bytes)
            .expect("restore a picked file");
        assert_eq!(customers(&app), ["Primero", "Segundo"]);

        let err = app
            .invoke(
                "backups_restore_copy",
                json!({ "name": "../cachicamo.sqlite3" }),
            )
            .expect_err("outside backups/");
        assert_eq!(err["code"], "not_found");
    }
}
