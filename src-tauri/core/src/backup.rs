//! Copies of the database: the automatic daily copy, a copy exported for the user to keep
//! elsewhere, and restoring from either.
//!
//! Owns the `backups/` directory (names, rotation) and the checks a file must pass before it may
//! replace the user's books (`check`): it is SQLite, it is intact, it is Cachicamo's, no newer
//! than this build, and its schema is exactly ours — a restored file is input from someone else.
//! It never touches the live data before every check has passed, and never replaces it without
//! first keeping a copy of what was there. Copies are made by SQLite itself (the backup API)
//! through a connection of their own, so the window and the outbox keep working meanwhile, and
//! are private to their owner. Long work reports its progress in pages.

mod check;

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use ts_rs::TS;

use crate::db::copy::Replacing;
use crate::db::schema::SchemaDifference;
use crate::db::{Database, DbError, Pages};
use crate::files;
use crate::wire;

/// How many daily copies are kept; older ones are deleted when a new one is made.
pub const DAILY_KEPT: usize = 7;

/// How many copies taken just before a restore are kept (the way back from a wrong restore).
pub const BEFORE_RESTORE_KEPT: usize = 7;

/// The largest file accepted for a restore. A shop's books are a few megabytes; anything this big
/// is not a Cachicamo copy, and reading it whole into memory would hurt.
pub const MAX_RESTORE_BYTES: u64 = 256 * 1024 * 1024;

const DAILY_PREFIX: &str = "cachicamo-";
const BEFORE_RESTORE_PREFIX: &str = "cachicamo-before-restore-";
const EXTENSION: &str = ".sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file is not a copy this app may restore; nothing changed.
    #[error(transparent)]
    Refused(#[from] BackupRefusal),
    #[error("there is no automatic copy named {name:?}")]
    NotFound { name: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Why a file offered for restore was refused before anything changed. It crosses the IPC as
/// it is (`reason` and what each one carries), for the window to word, like the books' refusals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BackupRefusal {
    #[error("the file is not a SQLite database")]
    NotSqlite,
    #[error("the file is damaged or incomplete: {problem}")]
    Damaged { problem: String },
    #[error("the file is a SQLite database, but not a Cachicamo copy")]
    NotCachicamo,
    #[error("the copy was made by a newer version of Cachicamo (schema {found}, this version knows up to {supported})")]
    TooNew { found: usize, supported: usize },
    /// Its schema is not what our migrations make: an object ours does not have, or one of ours
    /// defined differently (a trigger added, a table without its CHECKs…). The first difference
    /// is named; `more` counts the others.
    #[error("the copy's {} {:?} is {} (and {more} other differences)", wire::code(&first.kind), first.name, wire::code(&first.difference))]
    UnexpectedSchema {
        #[serde(flatten)]
        first: SchemaDifference,
        more: usize,
    },
    #[error("the file has {size} bytes, more than a copy may have ({limit})")]
    TooLarge {
        #[ts(type = "number")]
        size: u64,
        #[ts(type = "number")]
        limit: u64,
    },
}

impl BackupRefusal {
    pub(crate) fn damaged(problem: impl Into<String>) -> BackupError {
        BackupRefusal::Damaged {
            problem: problem.into(),
        }
        .into()
    }
}

impl BackupError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
        move |source| BackupError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Why an automatic copy was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// The once-a-day copy made at start-up.
    Daily,
    /// What the data was just before a restore replaced it.
    BeforeRestore,
}

/// A copy in the data directory's `backups/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticCopy {
    /// The file name; also what a restore of this copy asks for.
    pub name: String,
    pub kind: CopyKind,
    /// When the copy was written (UTC, RFC 3339).
    pub created_at: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Restored {
    /// The automatic copy holding the data as it was before the restore.
    pub before_restore: String,
}

/// What is being restored.
#[derive(Debug, Clone, Copy)]
pub enum RestoreSource<'a> {
    /// One of the automatic copies, by the name [`Backups::list`] gave.
    Automatic(&'a str),
    /// A file the user picked, as its bytes.
    File(&'a [u8]),
}

/// Which stage of a copy or restore a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Writing a copy (an export).
    Copying,
    /// Checking a file offered for restore (no page count: `total` is 0).
    Checking,
    /// Copying the current data aside before a restore.
    SavingCurrent,
    /// Writing the restored data over the current.
    Replacing,
}

/// How far a copy or restore has got: `done` of `total` database pages in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub stage: Stage,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

impl Progress {
    fn of(stage: Stage, pages: Pages) -> Progress {
        Progress {
            stage,
            done: pages.done,
            total: pages.total,
        }
    }
}

/// The data directory's `backups/`.
#[derive(Debug, Clone)]
pub struct Backups {
    dir: PathBuf,
}

impl Backups {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes today's copy unless there is one, then keeps only the newest [`DAILY_KEPT`].
    /// Returns the new copy's path, or `None` when today's already existed.
    pub fn make_daily(&self, db: &Database, today: Date) -> Result<Option<PathBuf>, BackupError> {
        files::private_dir(&self.dir).map_err(BackupError::io(&self.dir))?;
        let target = self.dir.join(daily_name(today));
        if target.exists() {
            return Ok(None);
        }
        copy_atomically(db, &target, &mut |_| {})?;
        self.prune(CopyKind::Daily, DAILY_KEPT)?;
        Ok(Some(target))
    }

    /// The automatic copies, newest first.
    pub fn list(&self) -> Result<Vec<AutomaticCopy>, BackupError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(BackupError::io(&self.dir)(err)),
        };
        let mut copies = Vec::new();
        for entry in entries {
            let entry = entry.map_err(BackupError::io(&self.dir))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Some(kind) = kind_of(&name) else {
                continue;
            };
            let meta = entry.metadata().map_err(BackupError::io(&entry.path()))?;
            if !meta.is_file() {
                continue;
            }
            let created_at = meta
                .modified()
                .ok()
                .and_then(|at| OffsetDateTime::from(at).format(&Rfc3339).ok())
                .unwrap_or_default();
            copies.push(AutomaticCopy {
                name,
                kind,
                created_at,
                size_bytes: meta.len(),
            });
        }
        // Names carry the date (and time), so by kind then name is chronological; newest first
        // by time across kinds.
        copies.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.name.cmp(&a.name))
        });
        Ok(copies)
    }

    /// Replaces the data with `source`, once it has passed every check, after keeping a copy of
    /// the current data among the automatic copies. The one entry point for a restore: a
    /// refusal changes nothing, anywhere.
    pub fn restore(
        &self,
        db: &Database,
        source: RestoreSource<'_>,
        now: OffsetDateTime,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Restored, BackupError> {
        let candidate = match source {
            RestoreSource::Automatic(name) => self.candidate_from_copy(name)?,
            RestoreSource::File(bytes) => self.candidate_from_bytes(bytes)?,
        };
        progress(Progress {
            stage: Stage::Checking,
            done: 0,
            total: 0,
        });
        check::check_and_prepare(candidate.path(), db.page_size()?)?;
        let before = unused_path(&self.dir, &format!("{BEFORE_RESTORE_PREFIX}{}", stamp(now)));
        let replaced = db.replace_with(candidate.path(), &before, &mut |step| {
            progress(match step {
                Replacing::SavingCurrent(pages) => Progress::of(Stage::SavingCurrent, pages),
                Replacing::Replacing(pages) => Progress::of(Stage::Replacing, pages),
            })
        });
        if let Err(err) = replaced {
            let _ = std::fs::remove_file(&before);
            return Err(err.into());
        }
        self.prune(CopyKind::BeforeRestore, BEFORE_RESTORE_KEPT)?;
        tracing::info!(before = %before.display(), "the data was replaced by a restored copy");
        Ok(Restored {
            before_restore: file_name(&before),
        })
    }

    fn candidate_from_copy(&self, name: &str) -> Result<Candidate, BackupError> {
        // Only a listed name: nothing the UI sends may point outside `backups/`.
        let known = self.list()?.into_iter().any(|copy| copy.name == name);
        if !known {
            return Err(BackupError::NotFound {
                name: name.to_owned(),
            });
        }
        let source = self.dir.join(name);
        let bytes = std::fs::read(&source).map_err(BackupError::io(&source))?;
        self.candidate_from_bytes(&bytes)
    }

    fn candidate_from_bytes(&self, bytes: &[u8]) -> Result<Candidate, BackupError> {
        let size = bytes.len() as u64;
        if size > MAX_RESTORE_BYTES {
            return Err(BackupRefusal::TooLarge {
                size,
                limit: MAX_RESTORE_BYTES,
            }
            .into());
        }
        let candidate = Candidate::new(&self.dir)?;
        files::write_private(candidate.path(), bytes).map_err(BackupError::io(candidate.path()))?;
        Ok(candidate)
    }

    fn prune(&self, kind: CopyKind, keep: usize) -> Result<(), BackupError> {
        let mut names: Vec<String> = self
            .list()?
            .into_iter()
            .filter(|copy| copy.kind == kind)
            .map(|copy| copy.name)
            .collect();
        // Date-stamped names sort chronologically: drop the oldest.
        names.sort_unstable_by(|a, b| b.cmp(a));
        for old in names.into_iter().skip(keep) {
            let path = self.dir.join(&old);
            std::fs::remove_file(&path).map_err(BackupError::io(&path))?;
        }
        Ok(())
    }
}

/// Writes a copy of the data into `dir` (the user's Downloads folder, say) under a timestamped
/// name that does not overwrite anything, and returns its path. The app keeps working while it
/// is written; the copy holds the data as it was when it started.
pub fn export(
    db: &Database,
    dir: &Path,
    now: OffsetDateTime,
    progress: &mut dyn FnMut(Progress),
) -> Result<PathBuf, BackupError> {
    std::fs::create_dir_all(dir).map_err(BackupError::io(dir))?;
    let target = unused_path(dir, &format!("{DAILY_PREFIX}{}", stamp(now)));
    copy_atomically(db, &target, &mut |pages| {
        progress(Progress::of(Stage::Copying, pages))
    })?;
    Ok(target)
}

fn daily_name(day: Date) -> String {
    let format = format_description!("[year]-[month]-[day]");
    let day = day.format(&format).unwrap_or_default();
    format!("{DAILY_PREFIX}{day}{EXTENSION}")
}

fn stamp(now: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]-[hour][minute][second]");
    now.format(&format).unwrap_or_default()
}

/// Which automatic copy a file name is, if any (other files in `backups/` are left alone).
fn kind_of(name: &str) -> Option<CopyKind> {
    let stem = name.strip_suffix(EXTENSION)?;
    let digits_and_dashes =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-');
    if let Some(rest) = stem.strip_prefix(BEFORE_RESTORE_PREFIX) {
        return digits_and_dashes(rest).then_some(CopyKind::BeforeRestore);
    }
    let rest = stem.strip_prefix(DAILY_PREFIX)?;
    (rest.len() == "2026-01-31".len()
        && Date::parse(rest, format_description!("[year]-[month]-[day]")).is_ok())
    .then_some(CopyKind::Daily)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `<dir>/<stem>.sqlite3`, or `<stem>-2.sqlite3`… when that exists.
fn unused_path(dir: &Path, stem: &str) -> PathBuf {
    let mut path = dir.join(format!("{stem}{EXTENSION}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}{EXTENSION}"));
        n += 1;
    }
    path
}

/// Writes the copy under a hidden temporary name and renames it into place, so a copy cut short
/// (a crash, a full disk) never looks like a good one.
fn copy_atomically(
    db: &Database,
    target: &Path,
    progress: &mut dyn FnMut(Pages),
) -> Result<(), BackupError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let partial = dir.join(format!(".{}.partial", file_name(target)));
    let _ = std::fs::remove_file(&partial);
    if let Err(err) = db.copy_to(&partial, progress) {
        let _ = std::fs::remove_file(&partial);
        return Err(err.into());
    }
    std::fs::rename(&partial, target).map_err(BackupError::io(target))
}

/// A private working copy of a file offered for restore; removed (with SQLite's side files)
/// whatever happens.
struct Candidate {
    path: PathBuf,
}

impl Candidate {
    fn new(dir: &Path) -> Result<Self, BackupError> {
        files::private_dir(dir).map_err(BackupError::io(dir))?;
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        let path = dir.join(format!(
            ".restore-candidate-{}-{nanos}{EXTENSION}",
            std::process::id()
        ));
        Ok(Self { path })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Candidate {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        for side in crate::db::side_files(&self.path) {
            let _ = std::fs::remove_file(side);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db;
    use rusqlite::Connection;
    use time::macros::{date, datetime};

    struct Fixture {
        dir: tempfile::TempDir,
        db: Database,
        backups: Backups,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::open(&dir.path().join("cachicamo.sqlite3")).expect("open");
        let backups = Backups::new(dir.path().join("backups"));
        Fixture { dir, db, backups }
    }

    fn add_customer(db: &Database, name: &str) {
        db.write(|tx| {
            tx.execute(
                "INSERT INTO customers (name, email_language, search_key) VALUES (?1, 'es', ?1)",
                [name],
            )
        })
        .expect("insert customer");
    }

    fn customers(db: &Database) -> Vec<String> {
        db.read(|conn| {
            let mut stmt = conn.prepare("SELECT name FROM customers ORDER BY id")?;
            let names = stmt
                .query_map([], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>();
            names
        })
        .expect("customers")
    }

    fn names(backups: &Backups) -> Vec<String> {
        let mut names: Vec<String> = backups
            .list()
            .expect("list")
            .into_iter()
            .map(|c| c.name)
            .collect();
        names.sort();
        names
    }

    const NOW: OffsetDateTime = datetime!(2026-11-29 15:30:12 UTC);

    #[test]
    fn one_daily_copy_per_day_and_only_the_newest_seven_are_kept() {
        let f = fixture();
        let first = f
            .backups
            .make_daily(&f.db, date!(2026 - 11 - 01))
            .expect("copy");
        assert!(first.is_some());
        add_customer(&f.db, "Later the same day");
        assert_eq!(
            f.backups
                .make_daily(&f.db, date!(2026 - 11 - 01))
                .expect("again"),
            None,
            "a second start-up the same day makes no second copy"
        );
        for day in 2..=9 {
            let today = Date::from_calendar_date(2026, time::Month::November, day).expect("day");
            f.backups.make_daily(&f.db, today).expect("copy");
        }
        let expected: Vec<String> = (3..=9)
            .map(|day| format!("cachicamo-2026-11-0{day}.sqlite3"))
            .collect();
        assert_eq!(names(&f.backups), expected);
        let leftovers: Vec<_> = std::fs::read_dir(f.backups.dir())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "no partial files left: {leftovers:?}");
    }

    #[test]
    fn an_exported_copy_opens_as_a_valid_database_with_the_data() {
        let f = fixture();
        add_customer(&f.db, "Ferretería José Peña");
        let downloads = f.dir.path().join("Descargas");
        let path = export(&f.db, &downloads, NOW, &mut |_| {}).expect("export");
        assert_eq!(file_name(&path), "cachicamo-2026-11-29-153012.sqlite3");
        let second = export(&f.db, &downloads, NOW, &mut |_| {}).expect("export again");
        assert_eq!(
            file_name(&second),
            "cachicamo-2026-11-29-153012-2.sqlite3",
            "never overwrites"
        );
        let conn = Connection::open(&path).expect("open export");
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(ok, "ok");
        let name: String = conn
            .query_row("SELECT name FROM customers", [], |r| r.get(0))
            .expect("customer");
        assert_eq!(name, "Ferretería José Peña");
        drop(conn);
        let copy = Database::open(&path).expect("the export is a Cachicamo database");
        assert_eq!(customers(&copy), ["Ferretería José Peña"]);
    }

    #[test]
    fn restoring_replaces_the_data_and_the_live_connection_sees_it() {
        let f = fixture();
        add_customer(&f.db, "Primero");
        let exported = export(&f.db, f.dir.path(), NOW, &mut |_| {}).expect("export");
        add_customer(&f.db, "Segundo");
        let bytes = std::fs::read(&exported).expect("read export");

        let restored = f
            .backups
            .restore(&f.db, RestoreSource::File(&bytes), NOW, &mut |_| {})
            .expect("restore");
        assert_eq!(
            customers(&f.db),
            ["Primero"],
            "the same connection sees the copy"
        );
        assert_eq!(
            restored.before_restore,
            "cachicamo-before-restore-2026-11-29-153012.sqlite3"
        );
        // The way back: the copy taken before the restore holds what was replaced.
        f.backups
            .restore(
                &f.db,
                RestoreSource::Automatic(&restored.before_restore),
                NOW,
                &mut |_| {},
            )
            .expect("undo");
        assert_eq!(customers(&f.db), ["Primero", "Segundo"]);
        add_customer(&f.db, "Tercero");
        assert_eq!(
            customers(&f.db),
            ["Primero", "Segundo", "Tercero"],
            "still writable"
        );
        drop(f.db);
        let reopened = Database::open(&f.dir.path().join("cachicamo.sqlite3")).expect("reopen");
        assert_eq!(customers(&reopened), ["Primero", "Segundo", "Tercero"]);
    }

    #[test]
    fn an_older_copy_is_restored_and_brought_up_to_date() {
        let f = fixture();
        // A version-1 database, as the first release wrote it.
        let old = f.dir.path().join("old.sqlite3");
        {
            let conn = Connection::open(&old).expect("old");
            conn.execute_batch(include_str!("../migrations/0001_settings.sql"))
                .expect("v1 schema");
            conn.pragma_update(None, "user_version", 1).expect("v1");
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('ui.language', '\"en\"')",
                [],
            )
            .expect("setting");
        }
        add_customer(&f.db, "Se reemplaza");
        let bytes = std::fs::read(&old).expect("read");
        f.backups
            .restore(&f.db, RestoreSource::File(&bytes), NOW, &mut |_| {})
            .expect("restore older");
        assert!(
            customers(&f.db).is_empty(),
            "the customers table exists again, empty"
        );
        let version: i64 =
            f.db.read(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
                .expect("version");
        assert_eq!(version, crate::db::schema_version() as i64);
        assert_eq!(
            crate::settings::language(&f.db).expect("language"),
            Some(crate::locale::Language::En)
        );
    }

    #[test]
    fn a_copy_with_another_page_size_or_a_plain_copy_of_the_file_is_restored() {
        let f = fixture();
        add_customer(&f.db, "Primero");
        let other = export(&f.db, f.dir.path(), NOW, &mut |_| {}).expect("export");
        {
            let conn = Connection::open(&other).expect("open");
            conn.pragma_update(None, "journal_mode", "DELETE")
                .expect("mode");
            conn.pragma_update(None, "page_size", 8192)
                .expect("page size");
            conn.execute_batch("VACUUM").expect("vacuum");
            let size: i64 = conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .expect("size");
            assert_eq!(size, 8192);
        }
        add_customer(&f.db, "Segundo");
        let bytes = std::fs::read(&other).expect("read");
        f.backups
            .restore(&f.db, RestoreSource::File(&bytes), NOW, &mut |_| {})
            .expect("restore");
        assert_eq!(customers(&f.db), ["Primero"]);

        // Someone copied the database file itself, with the app closed: it is in WAL mode.
        let elsewhere = tempfile::tempdir().expect("dir");
        let closed = elsewhere.path().join("cachicamo.sqlite3");
        {
            let db = Database::open(&closed).expect("open");
            add_customer(&db, "De otra computadora");
        }
        let bytes = std::fs::read(&closed).expect("read");
        assert_eq!(bytes[18], 2, "the header says WAL");
        f.backups
            .restore(&f.db, RestoreSource::File(&bytes), NOW, &mut |_| {})
            .expect("restore");
        assert_eq!(customers(&f.db), ["De otra computadora"]);
    }

    /// The live data, the backups directory and the file on disk are all as they were.
    fn assert_nothing_changed(f: &Fixture, before: &[String]) {
        assert_eq!(customers(&f.db), ["Sigue aquí"]);
        assert_eq!(names(&f.backups), before, "no copy was made or removed");
        let hidden: Vec<_> = std::fs::read_dir(f.backups.dir())
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(
            hidden
                .iter()
                .all(|n| !n.to_string_lossy().starts_with(".restore")),
            "the working copy was removed: {hidden:?}"
        );
    }

    fn refused(f: &Fixture, bytes: &[u8]) -> BackupError {
        f.backups
            .restore(&f.db, RestoreSource::File(bytes), NOW, &mut |_| {})
            .expect_err("must be refused")
    }

    #[test]
    fn garbage_a_truncated_file_a_foreign_database_and_a_newer_copy_are_refused_untouched() {
        let f = fixture();
        add_customer(&f.db, "Sigue aquí");
        f.backups
            .make_daily(&f.db, date!(2026 - 11 - 28))
            .expect("daily");
        let before = names(&f.backups);
        let good = std::fs::read(export(&f.db, f.dir.path(), NOW, &mut |_| {}).expect("export"))
            .expect("read");

        let err = refused(&f, b"these are not the books you are looking for");
        assert!(
            matches!(err, BackupError::Refused(BackupRefusal::NotSqlite)),
            "{err:?}"
        );
        assert_nothing_changed(&f, &before);

        let err = refused(&f, &[]);
        assert!(
            matches!(err, BackupError::Refused(BackupRefusal::NotSqlite)),
            "{err:?}"
        );

        let err = refused(&f, &good[..good.len() / 2]);
        assert!(
            matches!(err, BackupError::Refused(BackupRefusal::Damaged { .. })),
            "truncated: {err:?}"
        );
        assert_nothing_changed(&f, &before);

        // Page 2 (a table's b-tree) with its header scribbled over.
        let mut scribbled = good.clone();
        for byte in &mut scribbled[4096..4096 + 12] {
            *byte = 0xff;
        }
        let err = refused(&f, &scribbled);
        assert!(
            matches!(err, BackupError::Refused(BackupRefusal::Damaged { .. })),
            "scribbled: {err:?}"
        );
        assert_nothing_changed(&f, &before);

        let foreign = f.dir.path().join("foreign.sqlite3");
        {
            let conn = Connection::open(&foreign).expect("foreign");
            conn.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, data BLOB);")
                .expect("schema");
        }
        let err = refused(&f, &std::fs::read(&foreign).expect("read"));
        assert!(
            matches!(err, BackupError::Refused(BackupRefusal::NotCachicamo)),
            "{err:?}"
        );
        assert_nothing_changed(&f, &before);

        {
            let conn = Connection::open(&foreign).expect("foreign");
            conn.pragma_update(None, "user_version", 2)
                .expect("claims v2");
        }
        let err = refused(&f, &std::fs::read(&foreign).expect("read"));
        assert!(
            matches!(err, BackupError::Refused(BackupRefusal::NotCachicamo)),
            "a version number alone is not enough: {err:?}"
        );

        let newer = f.dir.path().join("newer.sqlite3");
        std::fs::write(&newer, &good).expect("copy");
        {
            let conn = Connection::open(&newer).expect("newer");
            conn.pragma_update(None, "user_version", db::schema_version() as i64 + 1)
                .expect("newer");
        }
        let err = refused(&f, &std::fs::read(&newer).expect("read"));
        match err {
            BackupError::Refused(BackupRefusal::TooNew { found, supported }) => {
                assert_eq!(found, db::schema_version() + 1);
                assert_eq!(supported, db::schema_version());
            }
            other => panic!("expected TooNew, got {other:?}"),
        }
        assert_nothing_changed(&f, &before);

        let err = f
            .backups
            .restore(
                &f.db,
                RestoreSource::Automatic("../cachicamo.sqlite3"),
                NOW,
                &mut |_| {},
            )
            .expect_err("outside backups/");
        assert!(matches!(err, BackupError::NotFound { .. }), "{err:?}");
        assert_nothing_changed(&f, &before);
    }
}
