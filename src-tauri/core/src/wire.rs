//! One way to turn a closed set of values (states, reasons, failure kinds) into the text stored
//! in SQLite and sent over the IPC, and back: serde's snake_case names. An enum derives
//! `Serialize`/`Deserialize` with `rename_all = "snake_case"` and gets both directions here, so
//! the stored text, the JSON and the TypeScript bindings can never disagree.

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
