//! The languages Cachicamo speaks and how the app picks one, and the regions whose way of
//! writing numbers and dates it follows (`region`).
//!
//! Spanish first (the product's documentation is Spanish), English second. The choice is the
//! user's saved preference, else the operating system's language when we speak it, else Spanish.
//! The region is chosen the same way, and defaults to the usual one for the language.

pub mod region;

pub use region::{Region, RegionFormat};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stored (settings, each customer's email language) by its wire name (`crate::wire`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Es,
    En,
}

impl Language {
    pub const DEFAULT: Language = Language::Es;

    /// Reads a BCP 47 or POSIX locale ("es-VE", "en_US.UTF-8", "es") and returns the language
    /// when it is one we speak.
    pub fn from_locale(tag: &str) -> Option<Language> {
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "es" => Some(Language::Es),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The language the app starts in.
    pub fn choose(saved: Option<Language>, os_locale: Option<&str>) -> Language {
        saved
            .or_else(|| os_locale.and_then(Language::from_locale))
            .unwrap_or(Language::DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_pinned() {
        crate::wire::assert_pinned(|language| match language {
            Language::Es => "es",
            Language::En => "en",
        });
    }

    #[test]
    fn reads_bcp47_and_posix_locales() {
        assert_eq!(Language::from_locale("es-VE"), Some(Language::Es));
        assert_eq!(Language::from_locale("es_CO.UTF-8"), Some(Language::Es));
        assert_eq!(Language::from_locale("EN-us"), Some(Language::En));
        assert_eq!(Language::from_locale("en_GB@euro"), Some(Language::En));
        assert_eq!(Language::from_locale("pt-BR"), None);
        assert_eq!(Language::from_locale("C"), None);
        assert_eq!(Language::from_locale(""), None);
    }

    #[test]
    fn saved_preference_wins_then_os_then_spanish() {
        assert_eq!(
            Language::choose(Some(Language::Es), Some("en-US")),
            Language::Es
        );
        assert_eq!(Language::choose(None, Some("en-US")), Language::En);
        assert_eq!(Language::choose(None, Some("fr-FR")), Language::Es);
        assert_eq!(Language::choose(None, None), Language::Es);
    }
}
