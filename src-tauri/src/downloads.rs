//! Where files the user exports (backups, CSV) are written, and how the UI is told.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use time::OffsetDateTime;
use ts_rs::TS;

use crate::error::IpcError;
use crate::state::{local_now, AppState};

/// Where an export was written, for the UI to show in full.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Exported {
    pub path: String,
}

impl From<PathBuf> for Exported {
    fn from(path: PathBuf) -> Exported {
        Exported {
            path: path.display().to_string(),
        }
    }
}

/// Exports into the Downloads folder: `write` is given the folder and the local time the file
/// is named after, and the UI is told where the file went.
pub fn export_to_downloads<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    write: impl FnOnce(&Path, OffsetDateTime) -> Result<PathBuf, IpcError>,
) -> Result<Exported, IpcError> {
    Ok(write(&export_dir(app, state), local_now())?.into())
}

/// The user's Downloads folder (else their home): a place they know, decided here so the
/// webview needs no file-system or dialog permission.
pub fn export_dir<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> PathBuf {
    app.path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .unwrap_or_else(|_| state.paths.data_dir().to_owned())
}
