//! The wire contract for errors crossing the IPC: `{ "code", "message", "details" }`.
//!
//! `code` is a small, stable set the UI turns into localized, actionable words; `message` is an
//! English fallback for logs and bug reports; `details` carries provider or file specifics for the
//! "Detalles" view. Never put a secret in any of them.

use std::collections::BTreeMap;

use cachicamo_core::settings::SettingsError;
use cachicamo_core::DbError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The database was written by a newer Cachicamo; this one refuses to touch it.
    DatabaseTooNew,
    /// The database file could not be opened, read or written.
    Storage,
    /// The user's input was refused; `details.field` names the field.
    InvalidInput,
    /// A bug: nothing the user can fix.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    pub details: BTreeMap<String, String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: BTreeMap::new(),
        }
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<&DbError> for IpcError {
    fn from(err: &DbError) -> Self {
        match err {
            DbError::TooNew {
                path,
                found,
                supported,
            } => IpcError::new(ErrorCode::DatabaseTooNew, err.to_string())
                .with_detail("path", path.display().to_string())
                .with_detail("found", found.to_string())
                .with_detail("supported", supported.to_string()),
            DbError::Open { path, .. } => IpcError::new(ErrorCode::Storage, err.to_string())
                .with_detail("path", path.display().to_string()),
            DbError::Migration(_) | DbError::Sqlite(_) => {
                IpcError::new(ErrorCode::Storage, err.to_string())
            }
        }
    }
}

impl From<DbError> for IpcError {
    fn from(err: DbError) -> Self {
        IpcError::from(&err)
    }
}

impl From<SettingsError> for IpcError {
    fn from(err: SettingsError) -> Self {
        match err {
            SettingsError::Db(db) => db.into(),
            SettingsError::Corrupt { .. } => IpcError::new(ErrorCode::Storage, err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_shape_is_pinned() {
        let err = IpcError::new(ErrorCode::DatabaseTooNew, "newer").with_detail("found", "9");
        let json = serde_json::to_value(&err).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "database_too_new",
                "message": "newer",
                "details": { "found": "9" }
            })
        );
        let empty = serde_json::to_value(IpcError::new(ErrorCode::Internal, "bug")).expect("ser");
        assert_eq!(
            empty,
            serde_json::json!({ "code": "internal", "message": "bug", "details": {} })
        );
    }

    #[test]
    fn codes_are_snake_case_and_stable() {
        let codes = [
            (ErrorCode::DatabaseTooNew, "database_too_new"),
            (ErrorCode::Storage, "storage"),
            (ErrorCode::InvalidInput, "invalid_input"),
            (ErrorCode::Internal, "internal"),
        ];
        for (code, wire) in codes {
            assert_eq!(serde_json::to_value(code).expect("ser"), wire);
        }
    }
}
