//! Ajustes → Copias de seguridad: the automatic copies, exporting one, restoring one.

use cachicamo_core::backup::{self, AutomaticCopy, Restored};
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Runtime, State};

use crate::error::{ErrorCode, IpcError};
use crate::exports::{export_dir, Exported};
use crate::state::{local_now, AppState};

#[tauri::command]
pub fn backups_list(state: State<'_, AppState>) -> Result<Vec<AutomaticCopy>, IpcError> {
    Ok(state.backups.list()?)
}

// The commands that copy or replace the whole database are async so they run on the async
// runtime's threads, not the main thread: the window keeps painting its progress meanwhile.

/// Writes a copy into the user's Downloads folder (else the home folder): a place the user
/// knows, decided here so the webview needs no file-system or dialog permission.
#[tauri::command]
pub async fn backups_export<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Exported, IpcError> {
    let dir = export_dir(&app, &state);
    let path = backup::export(state.db()?, &dir, local_now())?;
    Ok(Exported {
        path: path.display().to_string(),
    })
}

/// Restores one of the automatic copies, by the name `backups_list` gave.
#[tauri::command]
pub async fn backups_restore_copy(
    state: State<'_, AppState>,
    name: String,
) -> Result<Restored, IpcError> {
    let db = state.db()?;
    replacing_data(&state, || {
        Ok(state.backups.restore_automatic(db, &name, local_now())?)
    })
    .await
}

/// Restores a file the user picked in the window; its bytes are the request's raw body.
#[tauri::command]
pub async fn backups_restore_file(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<Restored, IpcError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "the file must arrive as raw bytes",
        ));
    };
    let db = state.db()?;
    replacing_data(&state, || {
        Ok(state.backups.restore_bytes(db, bytes, local_now())?)
    })
    .await
}

/// A restore replaces the data under the outbox: the worker stops first (nothing claimed is
/// sent from memory), and every email the copy brings back waiting or sending waits for the
/// owner ("Por revisar: copia restaurada") when the worker starts again on the new data.
async fn replacing_data(
    state: &AppState,
    restore: impl FnOnce() -> Result<Restored, IpcError>,
) -> Result<Restored, IpcError> {
    match state.outbox() {
        Ok(outbox) => outbox.while_stopped(restore).await,
        Err(_) => restore(),
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
    fn a_copy_is_listed_restored_and_a_bad_file_is_refused_with_its_reason() {
        let app = TestApp::new(None);
        create(&app, "Primero");
        let state = app.app.state::<crate::state::AppState>();
        let today = time::OffsetDateTime::now_utc().date();
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
