//! Secrets (API keys, SMTP passwords) and the OS keychain that alone may keep them.
//!
//! A secret travels inside [`Sensitive`], which redacts itself in `Debug`/`Display` and cannot be
//! serialized, so it cannot reach SQLite, a log line, an IPC response or an error message by
//! accident. The keychain is macOS Keychain, Windows Credential Manager or the Secret Service on
//! Linux (through `keyring`), under service `cachicamo`. When no keychain is usable this module
//! says so; it never falls back to storing anything elsewhere.
//!
//! **One data directory, its own entries.** The keychain is per OS user, but a user may keep
//! several data directories (a portable copy, a second shop). Each directory holds a random
//! [`InstallId`] in a file of its own — not in the database, so a restored copy does not carry
//! it — and every account name ends with it (`smtp-password:<id>`): two directories never read,
//! overwrite or delete each other's secrets. Entries written before this (accounts without an
//! id) are adopted once by the first directory that finds them, then removed.
//!
//! **A secret remembers what it was typed for.** Each entry holds, next to the secret, the
//! destination it was typed for (the email service decides what that is: provider, host, port,
//! user and security, or the API's address). The binding lives in the keychain entry rather than
//! in SQLite because the database is exactly what a restore or a hand edit replaces: a row there
//! could claim any destination it likes, while the keychain only changes when the owner types a
//! secret. Only the destination is stored with it — never a hash of the secret, which would let
//! whoever holds the database guess a weak password offline.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// The keychain service every Cachicamo secret is filed under.
pub const SERVICE: &str = "cachicamo";

/// The file, in the data directory, that names this directory's keychain entries.
pub const INSTALL_ID_FILE: &str = "install-id";

/// A value that must never be shown or stored outside the keychain. Deliberately not
/// `Serialize`: the type system keeps it out of JSON, SQLite and IPC responses.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The only way to the value; call it where the secret is handed to a provider.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> std::fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sensitive(«redacted»)")
    }
}

impl<T> std::fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("«redacted»")
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Sensitive)
    }
}

/// The keychain entries Cachicamo owns in a data directory: one per provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    ResendApiKey,
    PostmarkServerToken,
    SmtpPassword,
}

impl SecretSlot {
    pub const ALL: [SecretSlot; 3] = [
        SecretSlot::ResendApiKey,
        SecretSlot::PostmarkServerToken,
        SecretSlot::SmtpPassword,
    ];

    /// The slot's name; the keychain account is this followed by the data directory's
    /// [`InstallId`] (entries from before namespacing used the bare name).
    pub fn name(self) -> &'static str {
        match self {
            SecretSlot::ResendApiKey => "resend-api-key",
            SecretSlot::PostmarkServerToken => "postmark-server-token",
            SecretSlot::SmtpPassword => "smtp-password",
        }
    }
}

/// A random name for one data directory's keychain entries, kept in [`INSTALL_ID_FILE`] there
/// (created `0600` on Unix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallId(String);

impl InstallId {
    /// Reads the directory's id, creating it the first time. A file that does not hold an id
    /// (truncated, edited) is replaced: its entries are then unreachable and the owner types
    /// the secrets again, which is safer than guessing.
    pub fn in_data_dir(dir: &Path) -> Result<Self, SecretError> {
        let path = dir.join(INSTALL_ID_FILE);
        let unreadable = |err: std::io::Error| SecretError::InstallId {
            detail: format!("{}: {err}", path.display()),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                if let Some(id) = Self::parse(&text) {
                    return Ok(id);
                }
                tracing::warn!(path = %path.display(), "install id unreadable; making a new one");
                std::fs::remove_file(&path).map_err(unreadable)?;
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(unreadable(err)),
        }
        let fresh = Self(uuid::Uuid::new_v4().simple().to_string());
        match write_new(dir, &path, &fresh.0) {
            Ok(()) => Ok(fresh),
            // Another process (a test, a second start) made it first: theirs wins.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(&path).map_err(unreadable)?;
                Self::parse(&text).ok_or_else(|| SecretError::InstallId {
                    detail: format!("{}: not an install id", path.display()),
                })
            }
            Err(err) => Err(unreadable(err)),
        }
    }

    fn parse(text: &str) -> Option<Self> {
        let id = text.trim();
        (id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| Self(id.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Writes `contents` to `path` only if nothing is there, never leaving a half-written file
/// behind: a temporary file is written first (private from its creation on Unix) and linked into
/// place, which fails if `path` exists.
fn write_new(dir: &Path, path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let temp = dir.join(format!(
        ".{INSTALL_ID_FILE}.{}",
        uuid::Uuid::new_v4().simple()
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temp, path));
    let _ = std::fs::remove_file(&temp);
    linked
}

/// What a keychain entry holds: the secret, and what it was typed for (`None` when that is not
/// known: an entry adopted from before bindings with nothing to bind it to, or written by
/// someone else).
#[derive(Debug)]
pub struct KeychainEntry<B> {
    pub secret: Sensitive<String>,
    pub bound_to: Option<B>,
}

/// The entry's text in the keychain. Built and parsed only here, straight to and from the
/// keychain call: the secret inside never goes anywhere else.
#[derive(Serialize, Deserialize)]
struct Envelope<B> {
    v: u8,
    bound_to: Option<B>,
    secret: String,
}

const ENVELOPE_VERSION: u8 = 1;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SecretError {
    /// No keychain service at all (no Secret Service on Linux, for example).
    #[error("no keychain is available on this system ({detail})")]
    Unavailable { detail: String },
    /// A keychain exists but refused access (locked, or the unlock prompt was dismissed).
    #[error("the keychain is locked ({detail})")]
    Locked { detail: String },
    #[error("the keychain could not complete the operation ({detail})")]
    Failed { detail: String },
    /// The data directory's install id could not be read or written.
    #[error("the data directory's keychain id is not usable ({detail})")]
    InstallId { detail: String },
}

/// The OS keychain, as one data directory's entries under one service.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    install: InstallId,
}

impl Keychain {
    /// `service` is [`SERVICE`] in the app; tests use their own name so parallel runs and the
    /// developer's real entries never collide. Same code path, same OS keychain.
    pub fn new(service: &str, install: &InstallId) -> Self {
        Self {
            service: service.to_owned(),
            install: install.clone(),
        }
    }

    /// The keychain of the data directory `dir` (its install id is created the first time).
    pub fn for_data_dir(service: &str, dir: &Path) -> Result<Self, SecretError> {
        Ok(Self::new(service, &InstallId::in_data_dir(dir)?))
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// The account name of `slot` in this data directory (`smtp-password:<install id>`).
    pub fn account(&self, slot: SecretSlot) -> String {
        format!("{}:{}", slot.name(), self.install.as_str())
    }

    fn entry(&self, slot: SecretSlot) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &self.account(slot)).map_err(classify)
    }

    fn legacy_entry(&self, slot: SecretSlot) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, slot.name()).map_err(classify)
    }

    /// Stores `secret` for `slot`, bound to `bound_to` (what it was typed for).
    pub fn store<B: Serialize>(
        &self,
        slot: SecretSlot,
        secret: &Sensitive<String>,
        bound_to: Option<&B>,
    ) -> Result<(), SecretError> {
        let envelope = Envelope {
            v: ENVELOPE_VERSION,
            bound_to,
            secret: secret.expose().clone(),
        };
        let text = Sensitive::new(serde_json::to_string(&envelope).map_err(|err| {
            SecretError::Failed {
                detail: format!("the entry could not be written: {:?}", err.classify()),
            }
        })?);
        self.entry(slot)?
            .set_password(text.expose())
            .map_err(classify)
    }

    /// `None` when nothing is stored for the slot. A value that is not an entry this module
    /// wrote is returned unbound, so it is never used without the owner typing it again.
    pub fn load<B: DeserializeOwned>(
        &self,
        slot: SecretSlot,
    ) -> Result<Option<KeychainEntry<B>>, SecretError> {
        match self.entry(slot)?.get_password() {
            Ok(text) => Ok(Some(open_envelope(Sensitive::new(text)))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(classify(err)),
        }
    }

    /// Deleting what is not there is not an error.
    pub fn delete(&self, slot: SecretSlot) -> Result<(), SecretError> {
        delete_entry(self.entry(slot)?)
    }

    /// Adopts the entries written before data directories had their own (accounts without an
    /// install id): each moves to this directory, bound to what `bind` says it was typed for,
    /// and the old entry is removed, so no other directory finds it. An entry this directory
    /// already has wins over an old one. Returns the slots adopted.
    pub fn adopt_legacy<B: Serialize>(
        &self,
        bind: impl Fn(SecretSlot) -> Option<B>,
    ) -> Result<Vec<SecretSlot>, SecretError> {
        let mut adopted = Vec::new();
        for slot in SecretSlot::ALL {
            let legacy = self.legacy_entry(slot)?;
            let secret = match legacy.get_password() {
                Ok(secret) => Sensitive::new(secret.trim().to_owned()),
                Err(keyring::Error::NoEntry) => continue,
                Err(err) => return Err(classify(err)),
            };
            let own = self.entry(slot)?;
            match own.get_password() {
                Err(keyring::Error::NoEntry) if !secret.expose().is_empty() => {
                    self.store(slot, &secret, bind(slot).as_ref())?;
                    adopted.push(slot);
                }
                Ok(_) | Err(keyring::Error::NoEntry) => {}
                Err(err) => return Err(classify(err)),
            }
            delete_entry(legacy)?;
        }
        Ok(adopted)
    }
}

fn open_envelope<B: DeserializeOwned>(text: Sensitive<String>) -> KeychainEntry<B> {
    match serde_json::from_str::<Envelope<serde_json::Value>>(text.expose()) {
        Ok(envelope) if envelope.v == ENVELOPE_VERSION => KeychainEntry {
            bound_to: envelope
                .bound_to
                .and_then(|bound| serde_json::from_value(bound).ok()),
            secret: Sensitive::new(envelope.secret),
        },
        _ => KeychainEntry {
            secret: text,
            bound_to: None,
        },
    }
}

fn delete_entry(entry: keyring::Entry) -> Result<(), SecretError> {
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(err) => Err(classify(err)),
    }
}

/// Platform errors name the store's problem, never the secret; still, only their text is kept.
fn classify(err: keyring::Error) -> SecretError {
    let detail = err.to_string();
    let lowered = detail.to_lowercase();
    match err {
        keyring::Error::NoDefaultStore => SecretError::Unavailable { detail },
        keyring::Error::NoStorageAccess(_) => SecretError::Locked { detail },
        _ if lowered.contains("prompt") || lowered.contains("locked") => {
            SecretError::Locked { detail }
        }
        _ if lowered.contains("serviceunknown")
            || lowered.contains("not provided by any .service")
            || lowered.contains("no such file")
            || lowered.contains("notfound")
            || lowered.contains("dbus")
            || lowered.contains("d-bus") =>
        {
            SecretError::Unavailable { detail }
        }
        _ => SecretError::Failed { detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_itself() {
        let secret = Sensitive::new("re_live_123".to_owned());
        assert_eq!(format!("{secret:?}"), "Sensitive(«redacted»)");
        assert_eq!(format!("{secret}"), "«redacted»");
        assert_eq!(secret.expose(), "re_live_123");
    }

    #[test]
    fn a_data_directory_keeps_one_private_install_id() {
        let dir = tempfile::tempdir().expect("dir");
        let first = InstallId::in_data_dir(dir.path()).expect("created");
        assert_eq!(first.as_str().len(), 32);
        assert_eq!(
            InstallId::in_data_dir(dir.path()).expect("read back"),
            first,
            "the same directory keeps its id"
        );
        let other = tempfile::tempdir().expect("dir");
        assert_ne!(InstallId::in_data_dir(other.path()).expect("other"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(INSTALL_ID_FILE))
                .expect("file")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            leftovers,
            [INSTALL_ID_FILE],
            "no temporary file left behind"
        );
    }

    #[test]
    fn a_damaged_install_id_is_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(INSTALL_ID_FILE), "not an id\n").expect("write");
        let id = InstallId::in_data_dir(dir.path()).expect("replaced");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(INSTALL_ID_FILE)).expect("read"),
            id.as_str()
        );
    }

    #[test]
    fn an_entry_is_read_with_its_binding_and_a_foreign_value_is_unbound() {
        let entry: KeychainEntry<String> = open_envelope(Sensitive::new(
            r#"{"v":1,"bound_to":"smtp.tienda.com","secret":"pw"}"#.to_owned(),
        ));
        assert_eq!(entry.secret.expose(), "pw");
        assert_eq!(entry.bound_to.as_deref(), Some("smtp.tienda.com"));
        let foreign: KeychainEntry<String> = open_envelope(Sensitive::new("plain-pw".into()));
        assert_eq!(foreign.secret.expose(), "plain-pw");
        assert_eq!(foreign.bound_to, None, "never used without typing it again");
        let other_shape: KeychainEntry<u16> = open_envelope(Sensitive::new(
            r#"{"v":1,"bound_to":"smtp.tienda.com","secret":"pw"}"#.to_owned(),
        ));
        assert_eq!(other_shape.bound_to, None);
    }

    #[test]
    fn a_secret_can_come_in_from_json() {
        let secret: Sensitive<String> = serde_json::from_str("\"pw\"").expect("deserialize");
        assert_eq!(secret.expose(), "pw");
    }
}
