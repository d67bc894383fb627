//! Copies of the database: the automatic daily copy, a copy exported for the user to keep
//! elsewhere, and restoring from either.
//!
//! Owns the `backups/` directory (names, rotation) and the checks a file must pass before it may
//! replace the user's books (`check`): it is SQLite, it is intact, it is Cachicamo's, no newer
//! than this build, and its schema is exactly ours — a restored file is input from someone else.
//! It never touches the live data before every check has passed, and never replaces it without
//! first keeping a copy of what was there. Copies are made by SQLite itself (the backup API)
//! through a connection of their own, so the window and the outbox keep working meanwhile, and
//! are private to their owner. Long work reports its progress in pages.
//!
//! One idea per file: `copies` (the automatic copies in `backups/`: their names, the daily copy,
//! listing and rotation), `export` (a copy for the user to keep), `restore` (replacing the data
//! with a copy) and `check` (a file offered for restore, as untrusted input).

mod check;
mod copies;
mod export;
mod restore;
#[cfg(test)]
mod test_support;

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::db::schema::SchemaDifference;
use crate::db::{DbError, Pages};
use crate::wire;

pub use copies::{AutomaticCopy, CopyKind, BEFORE_RESTORE_KEPT, DAILY_KEPT};
pub use export::export;
pub use restore::{RestoreSource, Restored, MAX_RESTORE_BYTES};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file is not a copy this app may restore; nothing changed.
    #[error(transparent)]
    Refused(#[from] BackupRefusal),
    #[error("there is no automatic copy named {name:?}")]
    NotFound { name: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Why a file offered for restore was refused before anything changed. It crosses the IPC as
/// it is (`reason` and what each one carries), for the window to word, like the books' refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BackupRefusal {
    #[error("the file is not a SQLite database")]
    NotSqlite,
    #[error("the file is damaged or incomplete: {problem}")]
    Damaged { problem: String },
    #[error("the file is a SQLite database, but not a Cachicamo copy")]
    NotCachicamo,
    #[error("the copy was made by a newer version of Cachicamo (schema {found}, this version knows up to {supported})")]
    TooNew { found: usize, supported: usize },
    /// Its schema is not what our migrations make: an object ours does not have, or one of ours
    /// defined differently (a trigger added, a table without its CHECKs…). The first difference
    /// is named; `more` counts the others.
    #[error("the copy's {} {:?} is {} (and {more} other differences)", wire::code(&first.kind), first.name, wire::code(&first.difference))]
    UnexpectedSchema {
        #[serde(flatten)]
        first: SchemaDifference,
        more: usize,
    },
    #[error("the file has {size} bytes, more than a copy may have ({limit})")]
    TooLarge {
        #[ts(type = "number")]
        size: u64,
        #[ts(type = "number")]
        limit: u64,
    },
}

impl BackupRefusal {
    pub(crate) fn damaged(problem: impl Into<String>) -> BackupError {
        BackupRefusal::Damaged {
            problem: problem.into(),
        }
        .into()
    }
}

impl BackupError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
        move |source| BackupError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Which stage of a copy or restore a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Writing a copy (an export).
    Copying,
    /// Checking a file offered for restore (no page count: `total` is 0).
    Checking,
    /// Copying the current data aside before a restore.
    SavingCurrent,
    /// Writing the restored data over the current.
    Replacing,
}

/// How far a copy or restore has got: `done` of `total` database pages in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub stage: Stage,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

impl Progress {
    fn of(stage: Stage, pages: Pages) -> Progress {
        Progress {
            stage,
            done: pages.done,
            total: pages.total,
        }
    }
}

/// The data directory's `backups/`.
#[derive(Debug, Clone)]
pub struct Backups {
    dir: PathBuf,
}

impl Backups {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
