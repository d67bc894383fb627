//! Restoring is taking input from someone else: hostile copies built here — a trigger rewriting
//! every outbox recipient, an extra table, view or index, a table without its CHECKs, a
//! template the editor would refuse — are each refused with the object named, or neutralised on
//! load, and the live data is untouched.

use std::path::{Path, PathBuf};

use cachicamo_core::backup::{self, BackupError, BackupRefusal, Backups, RestoreSource};
use cachicamo_core::business::{self, Business};
use cachicamo_core::db::schema::{Difference, ObjectKind};
use cachicamo_core::locale::Language;
use cachicamo_core::reminders::{self, ReminderTemplate};
use cachicamo_core::settings;
use cachicamo_core::Database;
use rusqlite::Connection;
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-29 15:30:12 UTC);

struct Shop {
    dir: tempfile::TempDir,
    db: Database,
    backups: Backups,
}

impl Shop {
    fn open() -> Shop {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("cachicamo.sqlite3")).expect("db");
        let backups = Backups::new(dir.path().join("backups"));
        db.write(|tx| {
            tx.execute(
                "INSERT INTO customers (name, email, email_language, search_key)
                 VALUES ('Ferretería Peña', 'pena@example.com', 'es', 'ferreteria pena')",
                [],
            )
        })
        .expect("customer");
        Shop { dir, db, backups }
    }

    /// A genuine exported copy, then `tamper` run on it as an attacker with sqlite3 would.
    fn forged_copy(&self, tamper: &str) -> Vec<u8> {
        let path = backup::export(&self.db, &self.dir.path().join("export"), NOW, &mut |_| {})
            .expect("export");
        {
            let conn = Connection::open(&path).expect("open copy");
            conn.execute_batch(tamper).expect("tamper");
        }
        std::fs::read(&path).expect("read copy")
    }

    fn restore(&self, bytes: &[u8]) -> Result<backup::Restored, BackupError> {
        self.backups
            .restore(&self.db, RestoreSource::File(bytes), NOW, &mut |_| {})
    }

    /// Everything a restore could change: the database's rows and schema, and the copies.
    fn state(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let customers = self
            .db
            .read(|conn| {
                let mut stmt = conn.prepare("SELECT name FROM customers ORDER BY id")?;
                let rows = stmt.query_map([], |row| row.get(0))?;
                rows.collect::<Result<Vec<String>, _>>()
            })
            .expect("customers");
        let schema = self
            .db
            .read(|conn| {
                let mut stmt =
                    conn.prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")?;
                let rows = stmt.query_map([], |row| row.get(0))?;
                rows.collect::<Result<Vec<String>, _>>()
            })
            .expect("schema");
        let copies = std::fs::read_dir(self.backups.dir())
            .map(|entries| {
                let mut names: Vec<String> = entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                names.sort();
                names
            })
            .unwrap_or_default();
        (customers, schema, copies)
    }

    fn refused_with(&self, tamper: &str) -> (ObjectKind, String, Difference) {
        let before = self.state();
        let forged = self.forged_copy(tamper);
        match self.restore(&forged) {
            Err(BackupError::Refused(BackupRefusal::UnexpectedSchema { first, .. })) => {
                assert_eq!(self.state(), before, "nothing changed for: {tamper}");
                (first.kind, first.name, first.difference)
            }
            other => panic!("expected a schema refusal for `{tamper}`, got {other:?}"),
        }
    }
}

#[test]
fn a_trigger_rewriting_every_outbox_recipient_is_refused_by_name() {
    let shop = Shop::open();
    let (kind, name, difference) = shop.refused_with(
        "CREATE TRIGGER redirect AFTER INSERT ON outbox BEGIN
             UPDATE outbox SET recipient = 'thief@example.net' WHERE id = NEW.id;
         END;",
    );
    assert_eq!(
        (kind, name.as_str(), difference),
        (ObjectKind::Trigger, "redirect", Difference::Unknown)
    );
    let err = shop
        .restore(
            &shop
                .forged_copy("CREATE TRIGGER redirect AFTER INSERT ON outbox BEGIN SELECT 1; END;"),
        )
        .expect_err("refused");
    assert!(
        err.to_string().contains("trigger \"redirect\" is unknown"),
        "the reason names it: {err}"
    );
}

#[test]
fn an_extra_table_view_or_index_is_refused_by_name() {
    let shop = Shop::open();
    assert_eq!(
        shop.refused_with("CREATE TABLE loot (secret TEXT);"),
        (ObjectKind::Table, "loot".into(), Difference::Unknown)
    );
    assert_eq!(
        shop.refused_with("CREATE VIEW everyone AS SELECT email FROM customers;"),
        (ObjectKind::View, "everyone".into(), Difference::Unknown)
    );
    assert_eq!(
        shop.refused_with("CREATE INDEX by_email ON customers (email);"),
        (ObjectKind::Index, "by_email".into(), Difference::Unknown)
    );
}

#[test]
fn a_table_without_its_checks_is_refused_as_changed() {
    let shop = Shop::open();
    // Same name and columns, none of the rules: any state, any attempts count.
    let (kind, name, difference) = shop.refused_with(
        "DROP TABLE outbox;
         CREATE TABLE outbox (
             id INTEGER PRIMARY KEY, created_at TEXT, updated_at TEXT, reference TEXT,
             recipient TEXT, subject TEXT, text_body TEXT, html_body TEXT, message_id TEXT,
             state TEXT, reason TEXT, attempts INTEGER, generation INTEGER,
             next_attempt_at TEXT, provider TEXT, provider_message_id TEXT, error_code TEXT,
             error_message TEXT, error_details TEXT, sent_at TEXT);",
    );
    assert_eq!(kind, ObjectKind::Table);
    assert_eq!(name, "outbox");
    assert_eq!(difference, Difference::Changed);
}

#[test]
fn a_missing_table_is_refused_as_missing() {
    let shop = Shop::open();
    let (kind, name, difference) = shop.refused_with("DROP TABLE receivable_events;");
    assert_eq!(
        (kind, name.as_str(), difference),
        (ObjectKind::Table, "receivable_events", Difference::Missing)
    );
}

#[test]
fn rows_that_break_a_check_are_refused_as_damaged() {
    let shop = Shop::open();
    let before = shop.state();
    let forged = shop.forged_copy(
        "PRAGMA ignore_check_constraints = ON;
         INSERT INTO outbox (uuid, recipient, subject, text_body, html_body, state, attempts)
         VALUES ('00000000-0000-4000-8000-000000000000', 'x@example.com', 's', 't', 'h',
                 'whatever', -5);",
    );
    let err = shop.restore(&forged).expect_err("refused");
    assert!(
        matches!(err, BackupError::Refused(BackupRefusal::Damaged { .. })),
        "{err:?}"
    );
    assert_eq!(shop.state(), before);
}

fn nested_loop() -> ReminderTemplate {
    ReminderTemplate {
        subject: "Hola".into(),
        body: "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}"
            .into(),
    }
}

#[test]
fn a_template_the_editor_would_refuse_is_neutralised_on_load() {
    let shop = Shop::open();
    let template = serde_json::to_string(&nested_loop()).expect("json");
    let forged = shop.forged_copy(&format!(
        "INSERT INTO settings (key, value) VALUES ('reminders.template.es', '{}');
         INSERT INTO settings (key, value) VALUES ('business.profile',
             '{{\"name\": \"Ferretería Peña\", \"defaultCurrency\": \"ZZZ\"}}');",
        template.replace('\'', "''")
    ));
    shop.restore(&forged)
        .expect("its schema is ours: it is restored");

    let view = reminders::template(&shop.db, Language::Es).expect("template");
    assert!(view.saved_was_invalid, "the owner is told");
    assert!(view.is_default);
    assert_eq!(view.template, ReminderTemplate::standard(Language::Es));
    let english = reminders::template(&shop.db, Language::En).expect("template");
    assert!(!english.saved_was_invalid, "only the bad one is flagged");

    let profile = business::view(&shop.db).expect("business");
    assert_eq!(profile.problems.len(), 1, "{:?}", profile.problems);
    assert_eq!(profile.problems[0].field, "defaultCurrency");
    assert_eq!(
        business::get(&shop.db).expect("usable"),
        Business {
            name: "Ferretería Peña".into(),
            default_currency: "USD".into(),
            ..Business::default()
        }
    );

    // Saving a good template replaces the bad one.
    reminders::save(
        &shop.db,
        Language::Es,
        ReminderTemplate::standard(Language::Es),
    )
    .expect("save");
    assert!(
        !reminders::template(&shop.db, Language::Es)
            .expect("template")
            .saved_was_invalid
    );
}

#[test]
fn an_unreadable_template_is_neutralised_too() {
    let shop = Shop::open();
    settings_raw(&shop.db, "reminders.template.en", "[1, 2, 3]");
    let view = reminders::template(&shop.db, Language::En).expect("template");
    assert!(view.saved_was_invalid);
    assert_eq!(view.template, ReminderTemplate::standard(Language::En));
    // The editor's own path refuses the same template.
    assert!(reminders::save(&shop.db, Language::Es, nested_loop()).is_err());
    assert!(settings::reminder_template(&shop.db, Language::Es)
        .expect("read")
        .is_none());
}

fn settings_raw(db: &Database, key: &str, json: &str) {
    db.write(|tx| {
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)",
            [key, json],
        )
    })
    .expect("raw setting");
}

#[test]
fn a_genuine_copy_still_restores_and_the_users_file_is_never_written() {
    let shop = Shop::open();
    let path: PathBuf =
        backup::export(&shop.db, shop.dir.path(), NOW, &mut |_| {}).expect("export");
    let bytes = std::fs::read(&path).expect("read");
    shop.db
        .write(|tx| tx.execute("DELETE FROM customers", []))
        .expect("lose the customer");
    shop.restore(&bytes).expect("restored");
    assert_eq!(shop.state().0, ["Ferretería Peña"]);
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    assert_no_candidates(shop.backups.dir());
}

fn assert_no_candidates(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .expect("backups")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".restore"))
        .collect();
    assert!(left.is_empty(), "working copies left: {left:?}");
}
