//! Where files the user exports (backups, CSV) are written, and how the UI is told.

use std::path::PathBuf;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use ts_rs::TS;

use crate::state::AppState;

/// Where an export was written, for the UI to show in full.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
}

/// The user's Downloads folder (else their home): a place they know, decided here so the
/// webview needs no file-system or dialog permission.
pub fn export_dir<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> PathBuf {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .unwrap_or_else(|_| state.paths.data_dir().to_owned())
}
