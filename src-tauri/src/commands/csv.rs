//! CSV: importing customers or receivables from a file the user picks in the window (its bytes
//! are the request's raw body), and exporting Pagos Pendientes for Excel.

use cachicamo_core::books::export;
use cachicamo_core::books::import::{self, Acceptance, ImportPreview};
use cachicamo_core::books::pending::PendingQuery;
use tauri::ipc::Request;
use tauri::{AppHandle, Runtime, State};

use super::books_change::BooksChange;
use super::file_bytes;
use crate::downloads::{export_to_downloads, Exported};
use crate::error::IpcError;
use crate::state::AppState;

/// The differences the user accepted in the preview, as the `accept` header carries them
/// (`2:name,3:email`: the file is the body, so they cannot be arguments).
fn accepted(request: &Request<'_>) -> Result<Vec<Acceptance>, IpcError> {
    let Some(header) = request.headers().get(ACCEPT_HEADER) else {
        return Ok(Vec::new());
    };
    let refused = || IpcError::malformed_request("unreadable accepted differences");
    header
        .to_str()
        .map_err(|_| refused())?
        .split(',')
        .filter(|item| !item.trim().is_empty())
        .map(|item| item.parse().map_err(|()| refused()))
        .collect()
}

/// The request header naming the differences accepted; `ui/src/lib/api.ts` sends it.
const ACCEPT_HEADER: &str = "cachicamo-accept";

/// What importing the file would do, row by row; writes nothing.
#[tauri::command]
pub async fn csv_import_preview(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<ImportPreview, IpcError> {
    Ok(import::preview(
        state.db()?,
        file_bytes(&request)?,
        &state.reading(),
        state.language(),
    )?)
}

/// Imports the whole file in one transaction, or nothing (also when a difference the preview
/// showed was not accepted). The collections evaluator runs right after, as after a payment:
/// imported debts that are overdue show in Cobros de hoy without waiting for its next round.
#[tauri::command]
pub async fn csv_import(
    books: BooksChange<'_>,
    request: Request<'_>,
) -> Result<ImportPreview, IpcError> {
    let (bytes, accepted) = (file_bytes(&request)?, accepted(&request)?);
    let language = books.state().language();
    let imported =
        books.write(|db, reading| import::import(db, bytes, reading, language, &accepted))?;
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
    export_to_downloads(&app, &state, |dir, now| {
        Ok(export::write_pending_csv(
            state.db()?,
            &query,
            &state.reading(),
            state.language(),
            dir,
            now,
        )?)
    })
}

/// Writes Antigüedad de saldos of the whole book as CSV for Excel.
#[tauri::command]
pub async fn aging_export_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Exported, IpcError> {
    export_to_downloads(&app, &state, |dir, now| {
        Ok(export::write_aging_csv(
            state.db()?,
            &state.reading(),
            state.language(),
            dir,
            now,
        )?)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use cachicamo_core::collections::{self, policy::PolicyRules};
    use cachicamo_core::locale::Region;
    use serde_json::json;
    use tauri::{Listener, Manager};

    use crate::commands::test_support::TestApp;
    use crate::evaluator::{Evaluator, COLLECTIONS_CHANGED};
    use crate::state::AppState;

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

    #[test]
    fn a_difference_is_imported_only_once_accepted_by_line_and_kind() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        app.invoke(
            "customer_create",
            json!({ "form": { "name": "Ferretería José Peña", "taxId": "J-1" } }),
        )
        .expect("customer");
        let file = "Cliente;RIF;Concepto;Monto;Fecha de vencimiento\n\
                    Ferreteria Pena;J-1;Cemento;10;31/12/2026\n";
        let preview = app
            .invoke_bytes("csv_import_preview", file.as_bytes().to_vec())
            .expect("preview");
        assert_eq!(
            preview["differences"],
            json!([{ "line": 2, "kind": "name", "inFile": "Ferreteria Pena",
                     "inBooks": "Ferretería José Peña" }])
        );
        let refused = app
            .invoke_bytes("csv_import", file.as_bytes().to_vec())
            .expect_err("not accepted");
        assert_eq!(refused["details"]["reason"], "differences_not_accepted");
        let wrong = app
            .invoke_bytes_with(
                "csv_import",
                file.as_bytes().to_vec(),
                &[("cachicamo-accept", "2:email")],
            )
            .expect_err("another difference accepted");
        assert_eq!(wrong["details"]["reason"], "differences_not_accepted");
        app.invoke_bytes_with(
            "csv_import",
            file.as_bytes().to_vec(),
            &[("cachicamo-accept", "2:name")],
        )
        .expect("accepted");
        let page = app
            .invoke("pending_list", json!({ "query": {} }))
            .expect("pending");
        assert_eq!(page["rows"][0]["customerName"], "Ferretería José Peña");
    }

    #[test]
    fn an_imported_overdue_debt_is_evaluated_at_once_not_at_the_next_round() {
        let app = TestApp::new(Some("es_VE.UTF-8"));
        let state = app.app.state::<AppState>();
        // Saved through the core: the command would itself ask for an evaluation.
        let rules = PolicyRules {
            enabled: true,
            ..PolicyRules::proposed()
        };
        collections::save_policy(state.db().expect("db"), rules).expect("policy");
        let (told, waiting) = mpsc::channel::<String>();
        app.app.listen_any(COLLECTIONS_CHANGED, move |event| {
            let _ = told.send(event.payload().to_owned());
        });
        // The next round on its own is 15 minutes away: only the import can bring one sooner.
        app.app
            .state::<Evaluator>()
            .start(app.app.handle(), state.shared_db().expect("db"));
        let on_start = waiting
            .recv_timeout(Duration::from_secs(20))
            .expect("the evaluation at start-up");
        assert_eq!(on_start, "0", "nothing owed yet");

        let today = cachicamo_core::clock::local_today();
        let day = |days: i64| Region::EsVe.date(today + time::Duration::days(days));
        let file = format!(
            "Cliente;Concepto;Monto;Fecha de emisión;Fecha de vencimiento\n\
             Ferretería José Peña;Cemento;80;{};{}\n",
            day(-30),
            day(-8)
        );
        app.invoke_bytes("csv_import", file.into_bytes())
            .expect("import");
        let after_import = waiting
            .recv_timeout(Duration::from_secs(20))
            .expect("an evaluation right after the import");
        assert_eq!(
            after_import, "1",
            "the imported customer waits in Cobros de hoy"
        );
        let today_page = app
            .invoke("collections_today", json!({ "limit": 10 }))
            .expect("today");
        assert_eq!(
            today_page["lines"][0]["customerName"],
            "Ferretería José Peña"
        );
    }
}
