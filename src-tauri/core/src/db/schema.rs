//! A database's whole schema — every table, index, trigger and view, with its SQL — and how it
//! differs from what our migrations produce at the same version.
//!
//! This is how a restored file is told from a forged one: the table names matching is not
//! enough, since a trigger, a view or a table without its CHECKs rides along silently and goes
//! live with the data. SQL is compared with whitespace outside quotes collapsed (SQLite keeps a
//! statement's text as typed, and how it is laid out means nothing); everything else must match.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{migrations, DbError};
use crate::wire;

/// What kind of schema object (sqlite_master's `type`, which is also its wire name).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    TS,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    Index,
    Trigger,
    View,
    /// A type SQLite itself never writes: only a hand-edited schema has one.
    Other,
}

impl ObjectKind {
    /// Not a stored value of ours but SQLite's: a type it never writes is reported as `Other`
    /// (and so as a difference), not refused here.
    fn parse(kind: &str) -> ObjectKind {
        wire::from_code(kind).unwrap_or(ObjectKind::Other)
    }
}

/// How one object differs from ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    /// Ours has no such object.
    Unknown,
    /// Same name and kind, other definition (a table without its CHECKs, say).
    Changed,
    /// One of ours is not there.
    Missing,
}

/// One object that is not as ours: what the UI names when it refuses a copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SchemaDifference {
    pub kind: ObjectKind,
    pub name: String,
    pub difference: Difference,
}

/// Objects by (kind, name), each with its normalised SQL (`None` for SQLite's automatic
/// indexes, which have none).
pub type Schema = BTreeMap<(ObjectKind, String), Option<String>>;

/// The schema our migrations produce at `version`.
pub fn at_version(version: usize) -> Result<Schema, DbError> {
    let mut conn = Connection::open_in_memory()?;
    migrations().to_version(&mut conn, version)?;
    read(&conn)
}

/// The schema of the database behind `conn`. A name listed twice (only possible in a forged
/// file) is kept once per kind; `differences` still sees the one that differs, since a
/// duplicate is recorded as changed.
pub fn read(conn: &Connection) -> Result<Schema, DbError> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_master")?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut schema = Schema::new();
    for row in rows {
        let (kind, name, sql) = row?;
        let key = (ObjectKind::parse(&kind), name);
        let sql = sql.as_deref().map(normalise);
        schema
            .entry(key)
            // Two objects of one name and kind: no SQLite writes that; never equal to ours.
            .and_modify(|seen| *seen = Some(String::from("<duplicate>")))
            .or_insert(sql);
    }
    Ok(schema)
}

/// Every object that is extra, changed or missing in `found` compared with `expected`, in
/// (kind, name) order.
pub fn differences(expected: &Schema, found: &Schema) -> Vec<SchemaDifference> {
    let mut out = Vec::new();
    for ((kind, name), sql) in found {
        let difference = match expected.get(&(*kind, name.clone())) {
            None => Difference::Unknown,
            Some(ours) if ours != sql => Difference::Changed,
            Some(_) => continue,
        };
        out.push(SchemaDifference {
            kind: *kind,
            name: name.clone(),
            difference,
        });
    }
    for (kind, name) in expected.keys() {
        if !found.contains_key(&(*kind, name.clone())) {
            out.push(SchemaDifference {
                kind: *kind,
                name: name.clone(),
                difference: Difference::Missing,
            });
        }
    }
    out
}

/// Whitespace runs outside quoted text become one space; quoted text ('…', "…", `…`, […]) is
/// kept exactly.
fn normalise(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut closing: Option<char> = None;
    let mut pending_space = false;
    for c in sql.trim().chars() {
        if let Some(end) = closing {
            out.push(c);
            if c == end {
                closing = None;
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        closing = match c {
            '\'' | '"' | '`' => Some(c),
            '[' => Some(']'),
            _ => None,
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_the_window_words_are_pinned() {
        wire::assert_pinned(|kind| match kind {
            ObjectKind::Table => "table",
            ObjectKind::Index => "index",
            ObjectKind::Trigger => "trigger",
            ObjectKind::View => "view",
            ObjectKind::Other => "other",
        });
        wire::assert_pinned(|difference| match difference {
            Difference::Unknown => "unknown",
            Difference::Changed => "changed",
            Difference::Missing => "missing",
        });
    }

    #[test]
    fn layout_does_not_count_but_quoted_text_does() {
        assert_eq!(
            normalise("CREATE TABLE t (\n    a   TEXT  DEFAULT 'x  y'\n)"),
            "CREATE TABLE t ( a TEXT DEFAULT 'x  y' )"
        );
        assert_ne!(
            normalise("CHECK (a = 'x  y')"),
            normalise("CHECK (a = 'x y')")
        );
    }

    #[test]
    fn our_own_schema_at_every_version_has_no_differences() {
        for version in 1..=super::super::schema_version() {
            let ours = at_version(version).expect("schema");
            assert!(ours.keys().any(|(kind, _)| *kind == ObjectKind::Table));
            assert_eq!(differences(&ours, &ours), []);
            let again = at_version(version).expect("schema");
            assert_eq!(ours, again, "the same migrations give the same schema");
        }
    }

    #[test]
    fn an_extra_trigger_and_a_changed_table_are_each_named() {
        let mut conn = Connection::open_in_memory().expect("db");
        let version = super::super::schema_version();
        migrations()
            .to_version(&mut conn, version)
            .expect("migrate");
        let expected = read(&conn).expect("ours");
        conn.execute_batch(
            "DROP TABLE settings;
             CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT, updated_at TEXT);
             CREATE TRIGGER spy AFTER INSERT ON settings BEGIN SELECT 1; END;",
        )
        .expect("tamper");
        let found = read(&conn).expect("theirs");
        let got = differences(&expected, &found);
        assert!(got.contains(&SchemaDifference {
            kind: ObjectKind::Trigger,
            name: "spy".into(),
            difference: Difference::Unknown,
        }));
        assert!(got.contains(&SchemaDifference {
            kind: ObjectKind::Table,
            name: "settings".into(),
            difference: Difference::Changed,
        }));
    }
}
