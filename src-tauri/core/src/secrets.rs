//! Secrets (API keys, SMTP passwords) and the OS keychain that alone may keep them.
//!
//! A secret travels inside [`Sensitive`], which redacts itself in `Debug`/`Display` and cannot be
//! serialized, so it cannot reach SQLite, a log line, an IPC response or an error message by
//! accident. The keychain is macOS Keychain, Windows Credential Manager or the Secret Service on
//! Linux (through `keyring`), under service `cachicamo`, one entry per provider. When no keychain
//! is usable this module says so; it never falls back to storing anything elsewhere.

use serde::{Deserialize, Deserializer};

/// The keychain service every Cachicamo secret is filed under.
pub const SERVICE: &str = "cachicamo";

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

/// The keychain entries Cachicamo owns: one per provider.
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

    /// The keychain account name (visible to the user in their keychain app).
    pub fn account(self) -> &'static str {
        match self {
            SecretSlot::ResendApiKey => "resend-api-key",
            SecretSlot::PostmarkServerToken => "postmark-server-token",
            SecretSlot::SmtpPassword => "smtp-password",
        }
    }
}

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
}

/// The OS keychain, as one service's entries.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new(SERVICE)
    }
}

impl Keychain {
    /// `service` is [`SERVICE`] in the app; tests use their own name so parallel runs and the
    /// developer's real entries never collide. Same code path, same OS keychain.
    pub fn new(service: &str) -> Self {
        Self {
            service: service.to_owned(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, slot: SecretSlot) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, slot.account()).map_err(classify)
    }

    pub fn store(&self, slot: SecretSlot, secret: &Sensitive<String>) -> Result<(), SecretError> {
        self.entry(slot)?
            .set_password(secret.expose())
            .map_err(classify)
    }

    /// `None` when nothing is stored for the slot.
    pub fn load(&self, slot: SecretSlot) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.entry(slot)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(classify(err)),
        }
    }

    /// Deleting what is not there is not an error.
    pub fn delete(&self, slot: SecretSlot) -> Result<(), SecretError> {
        match self.entry(slot)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(classify(err)),
        }
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
    fn a_secret_can_come_in_from_json() {
        let secret: Sensitive<String> = serde_json::from_str("\"pw\"").expect("deserialize");
        assert_eq!(secret.expose(), "pw");
    }
}
