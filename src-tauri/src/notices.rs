//! Shows the core's desktop notices (`cachicamo_core::notices`) through the notification plugin,
//! in the language the app speaks, right after an evaluation; a notice is remembered once handed
//! to the system, so the same lines are never announced twice. A failure here never stops the
//! evaluation: it is logged, and the lines are announced at a later evaluation.

use cachicamo_core::collections::batch::Batch;
use cachicamo_core::locale::Language;
use cachicamo_core::notices::{self, Decision, Notice};
use cachicamo_core::Database;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use time::Date;

use crate::state::AppState;

/// After the evaluation of `today` that ended in `batch`: shows what it should announce, if
/// anything. Blocking (reads and writes the database): call it off the async workers.
pub fn after_evaluation<R: Runtime>(app: &AppHandle<R>, db: &Database, today: Date, batch: &Batch) {
    let announcement = match notices::after_evaluation(db, today, batch) {
        Ok(Decision::Announce(announcement)) => announcement,
        Ok(Decision::Off) => return,
        // Said, so a restart's evaluation can be seen to have announced nothing again.
        Ok(Decision::NothingNew) => {
            tracing::info!("desktop notices: nothing new to announce");
            return;
        }
        Err(err) => {
            tracing::warn!(error = %err, "desktop notice not decided");
            return;
        }
    };
    let language = app
        .try_state::<AppState>()
        .map_or(Language::DEFAULT, |state| state.language());
    let (title, body) = notices::words(announcement.notice, language);
    if let Err(err) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %err, "desktop notice not shown");
        return;
    }
    let (kind, waiting) = match announcement.notice {
        Notice::Review { waiting } => ("review", waiting),
        Notice::PaymentsGate { waiting, .. } => ("payments gate", waiting),
    };
    tracing::info!(kind, waiting, "desktop notice shown");
    if let Err(err) = notices::shown(db, &announcement) {
        tracing::warn!(error = %err, "desktop notice not remembered");
    }
}
