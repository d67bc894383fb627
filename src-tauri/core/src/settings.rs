//! The user's preferences from Ajustes, kept in the `settings` table.
//!
//! Values are stored as JSON under stable keys; this module is the only place that knows those
//! keys. Secrets never come here: they belong to the OS keychain.

use rusqlite::{Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use time::Date;

use crate::books::dates;
use crate::business::Business;
use crate::db::{Database, DbError};
use crate::locale::Language;
use crate::locale::Region;
use crate::reminders::ReminderTemplate;

const LANGUAGE: &str = "ui.language";
const CHECK_UPDATES_ON_STARTUP: &str = "updates.check_on_startup";
const BUSINESS: &str = "business.profile";
const REGION: &str = "ui.region";
const REMINDER_TEMPLATE_ES: &str = "reminders.template.es";
const REMINDER_TEMPLATE_EN: &str = "reminders.template.en";
const STATEMENT_TEMPLATE_ES: &str = "statements.template.es";
const STATEMENT_TEMPLATE_EN: &str = "statements.template.en";
const BOUNCES_SEEN_AT: &str = "outbox.bounces_seen_at";
const NOTIFY_WAITING: &str = "notices.waiting";
const ANNOUNCED_SLOT: &str = "notices.announced_slot";
const LAST_POLICY_ID: &str = "collections.last_policy_id";
const RESTORED_ON: &str = "collections.restored_on";

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the saved setting {key} is unreadable: {source}")]
    Corrupt {
        key: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl From<rusqlite::Error> for SettingsError {
    fn from(err: rusqlite::Error) -> Self {
        SettingsError::Db(DbError::Sqlite(err))
    }
}

/// The language the user picked in Ajustes, if any.
pub fn language(db: &Database) -> Result<Option<Language>, SettingsError> {
    db.read(|conn| get(conn, LANGUAGE))
}

pub fn set_language(db: &Database, language: Language) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, LANGUAGE, &language))
}

/// What the first screen needs, read in one statement: the saved language — whose error, if
/// it is unreadable, is returned — and the saved region, `None` when unreadable too (the
/// region then follows the OS locale, as [`region`]'s callers do).
pub fn first_screen(db: &Database) -> Result<(Option<Language>, Option<Region>), SettingsError> {
    db.read(|conn| {
        let mut statement =
            conn.prepare_cached("SELECT key, value FROM settings WHERE key IN (?1, ?2)")?;
        let rows = statement.query_map([LANGUAGE, REGION], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let (mut language, mut region) = (None, None);
        for row in rows {
            let (key, raw) = row?;
            if key == LANGUAGE {
                language = Some(parse(LANGUAGE, &raw)?);
            } else {
                region = parse(REGION, &raw).ok();
            }
        }
        Ok((language, region))
    })
}

/// The region the user picked in Ajustes, if any (else it follows the OS locale).
pub fn region(db: &Database) -> Result<Option<Region>, SettingsError> {
    db.read(region_in)
}

/// [`region`] inside a transaction the caller holds.
pub fn region_in(conn: &Connection) -> Result<Option<Region>, SettingsError> {
    get(conn, REGION)
}

pub fn set_region(db: &Database, region: Region) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, REGION, &region))
}

/// Whether to look for a new version quietly at start-up (on unless the user turned it off).
pub fn check_updates_on_startup(db: &Database) -> Result<bool, SettingsError> {
    Ok(db
        .read(|conn| get(conn, CHECK_UPDATES_ON_STARTUP))?
        .unwrap_or(true))
}

pub fn set_check_updates_on_startup(db: &Database, enabled: bool) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, CHECK_UPDATES_ON_STARTUP, &enabled))
}

/// Whether a desktop notification says when reminders wait for the owner (off unless turned on).
pub fn notify_waiting(db: &Database) -> Result<bool, SettingsError> {
    Ok(db.read(|conn| get(conn, NOTIFY_WAITING))?.unwrap_or(false))
}

pub fn set_notify_waiting(db: &Database, enabled: bool) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, NOTIFY_WAITING, &enabled))
}

/// The newest Cobros de hoy slot a notification has announced (`notices`), inside a
/// transaction the caller holds.
pub fn announced_slot_in(conn: &Connection) -> Result<Option<i64>, SettingsError> {
    get(conn, ANNOUNCED_SLOT)
}

pub fn set_announced_slot(db: &Database, slot: i64) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, ANNOUNCED_SLOT, &slot))
}

/// The highest política de cobranza id ever given (`collections::policies`), inside a
/// transaction the caller holds.
pub fn last_policy_id_in(conn: &Connection) -> Result<Option<i64>, SettingsError> {
    get(conn, LAST_POLICY_ID)
}

pub fn set_last_policy_id_in(conn: &Connection, id: i64) -> Result<(), SettingsError> {
    put(conn, LAST_POLICY_ID, &id)
}

/// The user's calendar day of the last restore (`collections::slots`), inside a transaction
/// the caller holds. Stored as "YYYY-MM-DD"; anything else is `Corrupt`, never "no restore".
pub fn restored_on_in(conn: &Connection) -> Result<Option<Date>, SettingsError> {
    let Some(day) = get::<String>(conn, RESTORED_ON)? else {
        return Ok(None);
    };
    dates::from_iso(&day)
        .map(Some)
        .map_err(|err| SettingsError::Corrupt {
            key: RESTORED_ON,
            source: serde::de::Error::custom(err),
        })
}

pub fn set_restored_on_in(conn: &Connection, day: Date) -> Result<(), SettingsError> {
    put(conn, RESTORED_ON, &dates::iso(day))
}

/// The business profile (validated by `business`, which owns its rules).
pub fn business(db: &Database) -> Result<Option<Business>, SettingsError> {
    db.read(business_in)
}

/// [`business`] inside a transaction the caller holds.
pub fn business_in(conn: &Connection) -> Result<Option<Business>, SettingsError> {
    get(conn, BUSINESS)
}

pub fn set_business(db: &Database, business: &Business) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, BUSINESS, business))
}

/// The owner's reminder template for `language` (validated by `reminders`), if they edited it.
pub fn reminder_template(
    db: &Database,
    language: Language,
) -> Result<Option<ReminderTemplate>, SettingsError> {
    db.read(|conn| reminder_template_in(conn, language))
}

/// [`reminder_template`] inside a transaction the caller holds.
pub fn reminder_template_in(
    conn: &Connection,
    language: Language,
) -> Result<Option<ReminderTemplate>, SettingsError> {
    get(conn, reminder_template_key(language))
}

pub fn set_reminder_template(
    db: &Database,
    language: Language,
    template: &ReminderTemplate,
) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, reminder_template_key(language), template))
}

/// Forgets the owner's template: the default applies again.
pub fn remove_reminder_template(db: &Database, language: Language) -> Result<(), SettingsError> {
    db.write(|tx| {
        tx.execute(
            "DELETE FROM settings WHERE key = ?1",
            [reminder_template_key(language)],
        )?;
        Ok(())
    })
}

/// The owner's statement template for `language` (validated by `statements`), as stored: JSON
/// kept opaque here, so settings does not depend on the statements module.
pub fn statement_template_in(
    conn: &Connection,
    language: Language,
) -> Result<Option<serde_json::Value>, SettingsError> {
    get(conn, statement_template_key(language))
}

pub fn set_statement_template(
    db: &Database,
    language: Language,
    template: &serde_json::Value,
) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, statement_template_key(language), template))
}

/// Forgets the owner's statement template: the default applies again.
pub fn remove_statement_template(db: &Database, language: Language) -> Result<(), SettingsError> {
    db.write(|tx| {
        tx.execute(
            "DELETE FROM settings WHERE key = ?1",
            [statement_template_key(language)],
        )?;
        Ok(())
    })
}

fn statement_template_key(language: Language) -> &'static str {
    match language {
        Language::Es => STATEMENT_TEMPLATE_ES,
        Language::En => STATEMENT_TEMPLATE_EN,
    }
}

fn reminder_template_key(language: Language) -> &'static str {
    match language {
        Language::Es => REMINDER_TEMPLATE_ES,
        Language::En => REMINDER_TEMPLATE_EN,
    }
}

/// When the owner last looked at Bandeja de salida (UTC text, the outbox's own format): the
/// banner counts what bounced since.
pub fn bounces_seen_at(conn: &Connection) -> Result<Option<String>, SettingsError> {
    get(conn, BOUNCES_SEEN_AT)
}

pub fn set_bounces_seen_at(db: &Database, at: &str) -> Result<(), SettingsError> {
    db.write(|tx| put(tx, BOUNCES_SEEN_AT, &at))
}

fn get<T: DeserializeOwned>(
    conn: &Connection,
    key: &'static str,
) -> Result<Option<T>, SettingsError> {
    let raw: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?;
    raw.map(|raw| parse(key, &raw)).transpose()
}

fn parse<T: DeserializeOwned>(key: &'static str, raw: &str) -> Result<T, SettingsError> {
    serde_json::from_str(raw).map_err(|source| SettingsError::Corrupt { key, source })
}

fn put<T: Serialize>(conn: &Connection, key: &'static str, value: &T) -> Result<(), SettingsError> {
    let json =
        serde_json::to_string(value).map_err(|source| SettingsError::Corrupt { key, source })?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        (key, json),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_unset_until_chosen_and_survives_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cachicamo.sqlite3");
        {
            let db = Database::open(&path).expect("open");
            assert_eq!(language(&db).expect("read"), None);
            set_language(&db, Language::En).expect("save en");
            set_language(&db, Language::Es).expect("save es");
            set_language(&db, Language::En).expect("save en again");
        }
        let db = Database::open(&path).expect("reopen");
        assert_eq!(language(&db).expect("read"), Some(Language::En));
    }

    #[test]
    fn the_first_screen_reads_the_saved_language_and_region_at_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("c.sqlite3")).expect("open");
        assert_eq!(first_screen(&db).expect("read"), (None, None));
        set_language(&db, Language::En).expect("language");
        set_region(&db, Region::EsMx).expect("region");
        assert_eq!(
            first_screen(&db).expect("read"),
            (Some(Language::En), Some(Region::EsMx))
        );
        // An unreadable region falls back (to the OS locale's); an unreadable language says so.
        let corrupt = |key: &str| {
            db.write(|tx| {
                tx.execute(
                    "UPDATE settings SET value = '\"tlh\"' WHERE key = ?1",
                    [key],
                )
            })
            .expect("corrupt");
        };
        corrupt(REGION);
        assert_eq!(first_screen(&db).expect("read"), (Some(Language::En), None));
        corrupt(LANGUAGE);
        assert!(matches!(
            first_screen(&db),
            Err(SettingsError::Corrupt { key: LANGUAGE, .. })
        ));
    }

    #[test]
    fn the_startup_update_check_is_on_until_turned_off() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("c.sqlite3")).expect("open");
        assert!(check_updates_on_startup(&db).expect("read"));
        set_check_updates_on_startup(&db, false).expect("save");
        assert!(!check_updates_on_startup(&db).expect("read"));
    }
}
