//! CSV: importing customers or receivables from a file the user picks in the window (its bytes
//! are the request's raw body), and exporting Pagos Pendientes for Excel.

use cachicamo_core::books::export;
use cachicamo_core::books::import::{self, ImportPreview};
use cachicamo_core::books::pending::PendingQuery;
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Runtime, State};

use crate::error::{ErrorCode, IpcError};
use crate::exports::{export_dir, Exported};
use crate::state::AppState;

fn file_bytes<'r>(request: &'r Request<'_>) -> Result<&'r [u8], IpcError> {
    match request.body() {
        InvokeBody::Raw(bytes) => Ok(bytes),
        InvokeBody::Json(_) => Err(IpcError::new(
            ErrorCode::InvalidInput,
            "the file must arrive as raw bytes",
        )),
    }
}

/// What importing the file would do, row by row; writes nothing.
#[tauri::command]
pub async fn csv_import_preview(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<ImportPreview, IpcError> {
    Ok(import::preview(
        state.db()?,
        file_bytes(&request)?,
        &state.outlook(),
        state.language(),
    )?)
}

/// Imports the whole file in one transaction, or nothing.
#[tauri::command]
pub async fn csv_import(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<ImportPreview, IpcError> {
    let imported = import::import(
        state.db()?,
        file_bytes(&request)?,
        &state.outlook(),
        state.language(),
    )?;
    tracing::info!(
        customers = imported.new_customers,
        receivables = imported.new_receivables,
        "CSV imported"
    );
    Ok(imported)
}

/// Writes the pending receivables the query selects (every page) as CSV for Excel.
#[tauri::command]
pub async fn pending_export_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    query: PendingQuery,
) -> Result<Exported, IpcError> {
    let outlook = state.outlook();
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M").to_string();
    let path = export::write_pending_csv(
        state.db()?,
        &query,
        &outlook,
        state.language(),
        &export_dir(&app, &state),
        &stamp,
    )?;
    Ok(Exported {
        path: path.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::commands::test_support::TestApp;

    const FILE: &str = "Cliente;Concepto;Monto;Fecha de vencimiento\n\
                        Ferretería José Peña;Cemento;1.500,50;31/12/2026\n";

    #[test]
    fn a_file_is_previewed_then_imported_and_a_broken_one_is_refused_whole() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let preview = app
            .invoke_bytes("csv_import_preview", FILE.as_bytes().to_vec())
            .expect("preview");
        assert_eq!(preview["kind"], "receivables");
        assert_eq!(preview["newCustomers"], 1);
        let page = app
            .invoke("pending_list", json!({ "query": {} }))
            .expect("pending");
        assert_eq!(page["total"], 0, "a preview writes nothing");
        app.invoke_bytes("csv_import", FILE.as_bytes().to_vec())
            .expect("import");
        let page = app
            .invoke("pending_list", json!({ "query": {} }))
            .expect("pending");
        assert_eq!(page["totals"][0]["text"], "USD 1.500,50");

        let refused = app
            .invoke_bytes("csv_import", b"a,b\n1,2\n".to_vec())
            .expect_err("not a list");
        assert_eq!(refused["code"], "import_refused");
        assert_eq!(refused["details"]["reason"], "unknown_columns");
        let broken = app
            .invoke_bytes("csv_import", FILE.replace("1.500,50", "1,505").into_bytes())
            .expect_err("too many decimals");
        assert_eq!(broken["details"]["reason"], "rows_have_problems");
    }
}
