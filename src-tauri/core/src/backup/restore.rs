//! Replacing the data with a copy: an automatic one or a file the user picked, taken on a
//! private working copy that must pass every check (`check`) before anything changes, and the
//! current data kept among the automatic copies first — the way back from a wrong restore.

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;
use ts_rs::TS;

use super::copies::{
    file_name, stamp, unused_path, BEFORE_RESTORE_KEPT, BEFORE_RESTORE_PREFIX, EXTENSION,
};
use super::{check, BackupError, BackupRefusal, Backups, CopyKind, Progress, Stage};
use crate::clock;
use crate::db::copy::Replacing;
use crate::db::Database;
use crate::files;

/// The largest file accepted for a restore. A shop's books are a few megabytes; anything this big
/// is not a Cachicamo copy, and reading it whole into memory would hurt.
pub const MAX_RESTORE_BYTES: u64 = 256 * 1024 * 1024;

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

impl Backups {
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
        check::check_and_prepare(candidate.path(), db.page_size()?, clock::civil_date_at(now))?;
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
        // The data is replaced: a copy too many is no reason to report a failed restore.
        if let Err(err) = self.prune(CopyKind::BeforeRestore, BEFORE_RESTORE_KEPT) {
            tracing::warn!(error = %err, "old copies taken before a restore were not pruned");
        }
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
    use rusqlite::Connection;
    use time::macros::date;

    use super::*;
    use crate::backup::export;
    use crate::backup::test_support::*;
    use crate::db;

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
            conn.execute_batch(include_str!("../../migrations/0001_settings.sql"))
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
