//! The política de cobranza's evaluator, running in the app: once at start-up (right after the
//! database opens, not waiting for the window to paint, so a window started minimised still
//! evaluates), every 15 minutes while the app is open, and shortly after any change to the books
//! (`nudge`). Then, in "Enviar a las HH:MM" (once the hour came) and "Automático", it sends the
//! day's lines — unless no payment was recorded lately, when the batch waits for the owner
//! (`collections::batch`). Each run tells the window how many lines wait in Cobros de hoy
//! (`collections://changed`) and, where the owner turned it on, the desktop (`notices`). The evaluation itself is the core's; this only schedules it, off
//! the main thread.

use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::clock;
use cachicamo_core::collections::batch::{self, Batch};
use cachicamo_core::collections::{slots, today, CollectionsError};
use cachicamo_core::Database;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;

use crate::launch_time;
use crate::state::AppState;

pub const COLLECTIONS_CHANGED: &str = "collections://changed";

/// How often it runs on its own; `CACHICAMO_COLLECTIONS_EVERY_SECS` shortens it (tests).
fn every() -> Duration {
    std::env::var("CACHICAMO_COLLECTIONS_EVERY_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map_or(Duration::from_secs(15 * 60), Duration::from_secs)
}

/// A change waits this long before the evaluation that follows it, so the change has committed.
const AFTER_A_CHANGE: Duration = Duration::from_millis(500);

/// Asks for an evaluation soon.
#[derive(Debug, Clone, Default)]
pub struct Evaluator {
    nudge: Arc<Notify>,
}

impl Evaluator {
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// `changed`, once the evaluator has been told the books moved: what every command that
    /// wrote them returns, so none forgets to say so.
    pub fn after<T>(&self, changed: T) -> T {
        self.nudge();
        changed
    }

    /// Starts the schedule on Tauri's runtime.
    pub fn start<R: Runtime>(&self, app: &AppHandle<R>, db: Arc<Database>) {
        let nudge = self.nudge.clone();
        let app = app.clone();
        let every = every();
        tauri::async_runtime::spawn(async move {
            let mut at_start_up = true;
            loop {
                let db = db.clone();
                let reading = app.try_state::<AppState>().map(|state| state.reading());
                let notifier = app.clone();
                let ran = tauri::async_runtime::spawn_blocking(move || {
                    let day = clock::local_today();
                    slots::run(&db, day)?;
                    // "Enviar a las HH:MM" and "Automático" send here, past the payments gate only.
                    let batch = match reading {
                        Some(reading) => batch::run(&db, &reading, clock::local_now())?,
                        None => Batch::NotNow,
                    };
                    crate::notices::after_evaluation(&notifier, &db, day, &batch);
                    Ok::<_, CollectionsError>((db.read(|conn| today::count(conn, day))?, batch))
                })
                .await;
                match ran {
                    Ok(Ok((waiting, batch))) => {
                        if let Batch::Queued(queued) = batch {
                            if let Some(state) = app.try_state::<AppState>() {
                                state.outbox_queued(&queued);
                            }
                        }
                        let _ = app.emit(COLLECTIONS_CHANGED, waiting);
                    }
                    Ok(Err(err)) => {
                        tracing::warn!(error = %err, "the collections evaluation failed")
                    }
                    Err(err) => tracing::error!(error = %err, "the collections evaluation stopped"),
                }
                if std::mem::take(&mut at_start_up) {
                    launch_time::step("first collections evaluation done");
                }
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = nudge.notified() => tokio::time::sleep(AFTER_A_CHANGE).await,
                }
            }
        });
    }
}
