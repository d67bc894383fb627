//! The wire contract for errors crossing the IPC: `{ "code", "message", "details" }`.
//!
//! `code` is a small, stable set the UI turns into localized, actionable words; `message` is an
//! English fallback for logs and bug reports; `details` carries what each code needs for its
//! words and the "Detalles" view, typed per code ([`Failure`]): the generated bindings make the
//! error a union the UI narrows by `code`, so it never reads a detail by a string key and casts.
//! The list of codes ([`ErrorCode`]) is derived from [`Failure`] and generated for the UI too.
//! Never put a secret in any of them. How each core error maps onto this contract lives in
//! `from_core`.

use cachicamo_core::backup::BackupRefusal;
use cachicamo_core::books::import::ImportError;
use cachicamo_core::books::Refusal;
use cachicamo_core::mail::config::SmtpSecurity;
use cachicamo_core::mail::{FailureClass, MailFailure, Provider};
use cachicamo_core::outbox::OutboxRefusal;
use cachicamo_core::validation::FieldError;
use cachicamo_core::wire;
use serde::Serialize;
use ts_rs::TS;

mod from_core;

/// What went wrong, by code, with what each code carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, strum::EnumDiscriminants)]
#[serde(
    tag = "code",
    content = "details",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[strum_discriminants(
    name(ErrorCode),
    derive(Serialize, TS, strum::VariantArray),
    serde(rename_all = "snake_case")
)]
pub enum Failure {
    /// The database was written by a newer Cachicamo; this one refuses to touch it.
    DatabaseTooNew {
        path: String,
        found: usize,
        supported: usize,
    },
    /// Another Cachicamo process (another install, or one started on the same
    /// `CACHICAMO_DATA_DIR`) is using the data directory `dir`.
    DataInUse { dir: String },
    /// The database file could not be opened, read or written, or holds a value this version
    /// does not know (`path` when the problem is a file).
    Storage {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        path: Option<String>,
    },
    /// The user's input was refused: each refused field with its problem.
    InvalidInput { fields: Vec<FieldError> },
    /// The SMTP port usually speaks the other security mode. Saving again with consent goes
    /// ahead.
    SmtpPortMismatch { port: u16, security: SmtpSecurity },
    /// The email provider refused or could not be reached, with the provider's own code and
    /// words for "Detalles".
    EmailFailed {
        failure: MailFailure,
        class: FailureClass,
        provider: Provider,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        provider_code: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        provider_message: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        retry_after_secs: Option<u32>,
    },
    /// No email service is configured yet.
    EmailNotConfigured {},
    /// The email service is configured but no secret typed for its destination is in the
    /// keychain (gone, or typed for another server): it must be typed again.
    EmailSecretMissing {},
    /// The saved email service is not valid (a restored or edited database): it is not used,
    /// and must be set up again. `fields` names what the form would refuse.
    EmailConfigInvalid { fields: Vec<String> },
    /// There is no keychain on this system (no Secret Service on Linux).
    KeychainUnavailable {},
    /// The keychain is locked or access was refused.
    KeychainLocked {},
    /// The keychain failed for another reason.
    KeychainFailed {},
    /// Looking for, downloading or installing an update failed (offline, bad signature…).
    UpdateFailed {},
    /// A file offered for restore was refused before anything changed.
    BackupRefused(BackupRefusal),
    /// A CSV file was refused as a whole.
    ImportRefused(ImportError),
    /// The record asked for does not exist (deleted meanwhile).
    NotFound {},
    /// The action is not allowed in the record's state.
    Refused(Refused),
    /// The system could not open a link (no browser or WhatsApp handler).
    OpenFailed {},
    /// The session's autostart entry could not be written, removed or read.
    AutostartFailed {},
    /// A bug: nothing the user can fix.
    Internal {},
}

/// Why an action was refused: the books' reasons, or the outbox's (which carry the row's state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum Refused {
    Books { reason: Refusal },
    Outbox(OutboxRefusal),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub message: String,
    #[serde(flatten)]
    pub failure: Failure,
}

impl IpcError {
    pub fn new(failure: Failure, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            failure,
        }
    }

    pub fn code(&self) -> ErrorCode {
        ErrorCode::from(&self.failure)
    }

    /// A bug: nothing the user can fix.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Failure::Internal {}, message)
    }

    /// A request the window cannot have made (a file that did not arrive as bytes…).
    pub fn malformed_request(message: impl Into<String>) -> Self {
        Self::new(Failure::InvalidInput { fields: Vec::new() }, message)
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", wire::code(&self.code()), self.message)
    }
}

impl std::error::Error for IpcError {}

#[cfg(test)]
mod tests {
    use cachicamo_core::mail::MailError;
    use cachicamo_core::outbox::{OutboxState, OwnerAction};
    use serde_json::json;
    use strum::VariantArray;

    use super::*;

    #[test]
    fn the_json_shape_is_pinned() {
        let err = IpcError::new(
            Failure::DatabaseTooNew {
                path: "/data/cachicamo.sqlite3".into(),
                found: 9,
                supported: 7,
            },
            "newer",
        );
        assert_eq!(
            serde_json::to_value(&err).expect("serialize"),
            json!({
                "code": "database_too_new",
                "message": "newer",
                "details": { "path": "/data/cachicamo.sqlite3", "found": 9, "supported": 7 }
            })
        );
        assert_eq!(
            serde_json::to_value(IpcError::internal("bug")).expect("ser"),
            json!({ "code": "internal", "message": "bug", "details": {} })
        );
        let refused = IpcError::new(
            Failure::Refused(Refused::Outbox(OutboxRefusal::OutboxState {
                state: OutboxState::Sent,
                action: OwnerAction::Cancel,
            })),
            "no",
        );
        assert_eq!(
            serde_json::to_value(refused).expect("ser")["details"],
            json!({ "reason": "outbox_state", "state": "sent", "action": "cancel" })
        );
    }

    /// An example of each code's details (exhaustive: a new code must get one here).
    fn example(code: ErrorCode) -> Failure {
        match code {
            ErrorCode::DatabaseTooNew => Failure::DatabaseTooNew {
                path: "db".into(),
                found: 2,
                supported: 1,
            },
            ErrorCode::DataInUse => Failure::DataInUse { dir: "dir".into() },
            ErrorCode::Storage => Failure::Storage { path: None },
            ErrorCode::InvalidInput => Failure::InvalidInput { fields: vec![] },
            ErrorCode::SmtpPortMismatch => Failure::SmtpPortMismatch {
                port: 465,
                security: SmtpSecurity::Starttls,
            },
            ErrorCode::EmailFailed => {
                IpcError::from(MailError::new(Provider::Smtp, MailFailure::Offline)).failure
            }
            ErrorCode::EmailNotConfigured => Failure::EmailNotConfigured {},
            ErrorCode::EmailSecretMissing => Failure::EmailSecretMissing {},
            ErrorCode::EmailConfigInvalid => Failure::EmailConfigInvalid { fields: vec![] },
            ErrorCode::KeychainUnavailable => Failure::KeychainUnavailable {},
            ErrorCode::KeychainLocked => Failure::KeychainLocked {},
            ErrorCode::KeychainFailed => Failure::KeychainFailed {},
            ErrorCode::UpdateFailed => Failure::UpdateFailed {},
            ErrorCode::BackupRefused => Failure::BackupRefused(BackupRefusal::NotSqlite),
            ErrorCode::ImportRefused => Failure::ImportRefused(ImportError::Empty),
            ErrorCode::NotFound => Failure::NotFound {},
            ErrorCode::Refused => Failure::Refused(Refused::Books {
                reason: Refusal::NotPending,
            }),
            ErrorCode::OpenFailed => Failure::OpenFailed {},
            ErrorCode::AutostartFailed => Failure::AutostartFailed {},
            ErrorCode::Internal => Failure::Internal {},
        }
    }

    #[test]
    fn every_code_is_pinned_and_is_the_one_its_details_travel_under() {
        for code in ErrorCode::VARIANTS {
            let wire = match code {
                ErrorCode::DatabaseTooNew => "database_too_new",
                ErrorCode::DataInUse => "data_in_use",
                ErrorCode::Storage => "storage",
                ErrorCode::InvalidInput => "invalid_input",
                ErrorCode::SmtpPortMismatch => "smtp_port_mismatch",
                ErrorCode::EmailFailed => "email_failed",
                ErrorCode::EmailNotConfigured => "email_not_configured",
                ErrorCode::EmailSecretMissing => "email_secret_missing",
                ErrorCode::EmailConfigInvalid => "email_config_invalid",
                ErrorCode::KeychainUnavailable => "keychain_unavailable",
                ErrorCode::KeychainLocked => "keychain_locked",
                ErrorCode::KeychainFailed => "keychain_failed",
                ErrorCode::UpdateFailed => "update_failed",
                ErrorCode::BackupRefused => "backup_refused",
                ErrorCode::ImportRefused => "import_refused",
                ErrorCode::NotFound => "not_found",
                ErrorCode::Refused => "refused",
                ErrorCode::OpenFailed => "open_failed",
                ErrorCode::AutostartFailed => "autostart_failed",
                ErrorCode::Internal => "internal",
            };
            assert_eq!(wire::code(code), wire);
            let err = IpcError::new(example(*code), "m");
            assert_eq!(err.code(), *code);
            let json = serde_json::to_value(&err).expect("ser");
            assert_eq!(json["code"], wire);
            assert!(json["details"].is_object(), "{wire}: details is an object");
        }
    }
}
