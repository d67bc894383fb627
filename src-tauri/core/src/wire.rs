//! One way to turn a closed set of values (states, reasons, failure kinds) into the text stored
//! in SQLite and sent over the IPC, and back: serde's snake_case names. An enum derives
//! `Serialize`/`Deserialize` with `rename_all = "snake_case"` and gets both directions here, so
//! the stored text, the JSON and the TypeScript bindings can never disagree. No module writes a
//! `code()`/`from_code()` table of its own, and none prints a `Debug` name on the wire.
//!
//! A stored name this build does not know is [`Corrupt`]: the file was written by something else
//! (a newer build, a hand edit). It is never read as some default value ("pending", "other").

use rusqlite::types::Type;
use rusqlite::Row;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The value's wire name (`"queued"`, `"paid"`…). Empty only for a value serde cannot write as a
/// plain string, which no enum using this has.
pub fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// The value named `text`, or `None` for a name this build does not know.
pub fn from_code<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
}

/// A stored name that names no value of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the database holds {text:?}, which is no {kind} this version knows")]
pub struct Corrupt {
    /// The Rust type that was expected (`ReceivableStatus`…), for logs and bug reports.
    pub kind: &'static str,
    pub text: String,
}

impl Corrupt {
    fn of<T>(text: &str) -> Corrupt {
        let full = std::any::type_name::<T>();
        Corrupt {
            kind: full.rsplit("::").next().unwrap_or(full),
            text: text.to_owned(),
        }
    }
}

/// The value named `text`, or [`Corrupt`] naming what was found.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Corrupt> {
    from_code(text).ok_or_else(|| Corrupt::of::<T>(text))
}

/// Column `index` of a row read as a wire value; an unknown name fails the read (as SQLite's own
/// conversion errors do), so it reaches the caller as an error, never as a default.
pub fn column<T: DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    stored(row.get_ref(index)?.as_str()?, index)
}

/// `text`, read from column `index`, as a wire value; [`Corrupt`] fails the read like [`column`].
pub fn stored<T: DeserializeOwned>(text: &str, index: usize) -> rusqlite::Result<T> {
    parse(text).map_err(|corrupt| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, corrupt.into())
    })
}

/// For tests that pin a closed set's names: every value round-trips through its name, and the
/// name is the one `pinned` (an exhaustive `match`) says — so a renamed value fails here, and a
/// new one cannot be added without being pinned.
#[cfg(test)]
pub(crate) fn assert_pinned<T>(pinned: fn(T) -> &'static str)
where
    T: strum::VariantArray + Serialize + DeserializeOwned + Copy + PartialEq + std::fmt::Debug,
{
    for value in T::VARIANTS {
        let name = code(value);
        assert_eq!(name, pinned(*value), "{value:?}");
        assert_eq!(from_code::<T>(&name), Some(*value), "{name}");
    }
    assert_eq!(
        parse::<T>("no_such_value").map_err(|c| c.text),
        Err("no_such_value".to_owned())
    );
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
    #[serde(rename_all = "snake_case")]
    enum Light {
        Green,
        AmberFlashing,
    }

    #[test]
    fn names_are_serdes_and_an_unknown_stored_one_is_corrupt() {
        assert_pinned(|light| match light {
            Light::Green => "green",
            Light::AmberFlashing => "amber_flashing",
        });
        let conn = Connection::open_in_memory().expect("db");
        let read = |text: &str| conn.query_row("SELECT ?1", [text], |row| column::<Light>(row, 0));
        assert_eq!(read("amber_flashing").expect("known"), Light::AmberFlashing);
        let err = read("blue").expect_err("unknown");
        let rusqlite::Error::FromSqlConversionFailure(0, Type::Text, source) = err else {
            panic!("a conversion failure: {err:?}");
        };
        assert_eq!(
            source.to_string(),
            "the database holds \"blue\", which is no Light this version knows"
        );
    }
}
