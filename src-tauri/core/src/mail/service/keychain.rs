//! The email service's way to the keychain. Its APIs block (D-Bus round trips, OS prompts), so
//! every call runs off the async workers; and before the first one, the entries written before
//! data directories had their own are adopted, once per process.

use super::EmailService;
use crate::mail::destination::SecretBinding;
use crate::secrets::{KeychainEntry, SecretError, SecretSlot, Sensitive};

impl EmailService {
    /// Adopts the entries written before data directories had their own, once, binding each to
    /// the saved configuration when it is for that entry's provider and valid. (What an old
    /// entry was typed for is not recorded anywhere; the configuration it was used with is the
    /// best witness there is.)
    async fn adopt_legacy_once(&self) -> Result<(), SecretError> {
        self.adopted
            .get_or_try_init(|| async {
                let bound = match self.stored() {
                    Ok(Some(stored)) => SecretBinding::of(&stored.config)
                        .ok()
                        .map(|binding| (stored.config.provider().secret_slot(), binding)),
                    _ => None,
                };
                let keychain = self.keychain.clone();
                let adopted = run_blocking(move || {
                    keychain.adopt_legacy(|slot| {
                        bound
                            .as_ref()
                            .filter(|(bound_slot, _)| *bound_slot == slot)
                            .map(|(_, binding)| binding.clone())
                    })
                })
                .await?;
                for slot in adopted {
                    tracing::info!(
                        slot = slot.name(),
                        "keychain entry adopted by this data directory"
                    );
                }
                Ok(())
            })
            .await
            .copied()
    }

    pub(super) async fn keychain_load(
        &self,
        slot: SecretSlot,
    ) -> Result<Option<KeychainEntry<SecretBinding>>, SecretError> {
        self.adopt_legacy_once().await?;
        let keychain = self.keychain.clone();
        run_blocking(move || keychain.load(slot)).await
    }

    pub(super) async fn keychain_store(
        &self,
        slot: SecretSlot,
        secret: Sensitive<String>,
        binding: SecretBinding,
    ) -> Result<(), SecretError> {
        self.adopt_legacy_once().await?;
        let keychain = self.keychain.clone();
        run_blocking(move || keychain.store(slot, &secret, Some(&binding))).await
    }

    pub(super) async fn keychain_delete(&self, slot: SecretSlot) -> Result<(), SecretError> {
        self.adopt_legacy_once().await?;
        let keychain = self.keychain.clone();
        run_blocking(move || keychain.delete(slot)).await
    }
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|err| {
            Err(SecretError::Failed {
                detail: err.to_string(),
            })
        })
}
