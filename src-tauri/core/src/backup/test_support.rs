//! What the backup tests share: a data directory with its database and `backups/`, customers
//! written and read back, the copies' names.

use time::macros::datetime;
use time::OffsetDateTime;

use super::Backups;
use crate::db::Database;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: Database,
    pub backups: Backups,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(&dir.path().join("cachicamo.sqlite3")).expect("open");
    let backups = Backups::new(dir.path().join("backups"));
    Fixture { dir, db, backups }
}

pub fn add_customer(db: &Database, name: &str) {
    db.write(|tx| {
        tx.execute(
            "INSERT INTO customers (name, email_language, search_key) VALUES (?1, 'es', ?1)",
            [name],
        )
    })
    .expect("insert customer");
}

pub fn customers(db: &Database) -> Vec<String> {
    db.read(|conn| {
        let mut stmt = conn.prepare("SELECT name FROM customers ORDER BY id")?;
        let names = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>();
        names
    })
    .expect("customers")
}

pub fn names(backups: &Backups) -> Vec<String> {
    let mut names: Vec<String> = backups
        .list()
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

pub const NOW: OffsetDateTime = datetime!(2026-11-29 15:30:12 UTC);
