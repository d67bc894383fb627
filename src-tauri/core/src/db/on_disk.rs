//! The database file on disk, before and around SQLite: a file written by a newer Cachicamo is
//! refused without being touched (its version read from the header, so not even its journal
//! mode changes), and the file and its side files are private to their owner, tightened when an
//! earlier version left them open.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{schema_version, DbError};

/// SQLite's side files: what a WAL database keeps next to itself.
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

pub(super) fn refuse_newer(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let raw: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    check_version(raw, path)
}

fn check_version(raw: i64, path: &Path) -> Result<(), DbError> {
    // Not ours if negative; treat it as unknown-and-newer rather than guess.
    let found = usize::try_from(raw).unwrap_or(usize::MAX);
    let supported = schema_version();
    if found > supported {
        return Err(DbError::TooNew {
            path: path.to_owned(),
            found,
            supported,
        });
    }
    Ok(())
}

/// Reads the schema version from the file's header (SQLite's `user_version`, a big-endian i32
/// at byte 60), without SQLite. Authoritative unless a WAL holds newer commits; then SQLite's
/// own answer (`refuse_newer`) decides, and the side files existed already.
pub(super) fn refuse_newer_on_disk(path: &Path) -> Result<(), DbError> {
    use std::io::Read;
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let mut header = [0u8; 64];
    let read = match std::fs::File::open(path) {
        Ok(mut file) => file.read_exact(&mut header),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(DbError::file(path)(err)),
    };
    if read.is_err() || &header[..16] != MAGIC {
        // Empty (new) or not SQLite at all: SQLite says which when it opens it.
        return Ok(());
    }
    let raw = i32::from_be_bytes([header[60], header[61], header[62], header[63]]);
    check_version(i64::from(raw), path)
}

/// Creates the database file private to its owner (SQLite would make it readable by all, and
/// gives its side files the database's own mode), or tightens one an earlier version created.
pub(super) fn make_file_private(path: &Path) -> Result<(), DbError> {
    match crate::files::create_private(path) {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            crate::files::make_private(path).map_err(DbError::file(path))?;
        }
        Err(err) => return Err(DbError::file(path)(err)),
    }
    make_side_files_private(path)
}

pub(super) fn make_side_files_private(path: &Path) -> Result<(), DbError> {
    for side in side_files(path) {
        crate::files::make_private(&side).map_err(DbError::file(&side))?;
    }
    Ok(())
}

/// `<path>-wal`, `<path>-shm`, `<path>-journal`.
pub(crate) fn side_files(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    SIDE_FILES.iter().map(move |suffix| {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        PathBuf::from(side)
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::temp_db;
    use super::*;
    use crate::Database;

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_side_files_are_private_even_when_they_were_not() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        let (_dir, path) = temp_db();
        let db = Database::open(&path).expect("open");
        db.write(|tx| tx.execute("INSERT INTO settings (key, value) VALUES ('a', '1')", []))
            .expect("write");
        let sides: Vec<PathBuf> = side_files(&path).filter(|p| p.exists()).collect();
        assert!(sides.len() >= 2, "WAL and shared memory exist: {sides:?}");
        for file in std::iter::once(path.clone()).chain(sides) {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
        drop(db);
        // An earlier version left it readable by everyone.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("loosen");
        drop(Database::open(&path).expect("reopen"));
        assert_eq!(mode(&path), 0o600);
    }

    fn snapshot(path: &Path) -> (Vec<u8>, std::fs::Permissions, Vec<PathBuf>) {
        (
            std::fs::read(path).expect("read"),
            std::fs::metadata(path).expect("meta").permissions(),
            side_files(path).filter(|p| p.exists()).collect(),
        )
    }

    #[test]
    fn a_database_from_a_newer_app_is_refused_and_left_untouched() {
        let newer = schema_version() + 1;
        // As a newer version would leave it: in WAL mode, closed cleanly (no side files), and as
        // a plain rollback-journal file.
        for wal in [true, false] {
            let (_dir, path) = temp_db();
            {
                let conn = Connection::open(&path).expect("open raw");
                if wal {
                    conn.pragma_update(None, "journal_mode", "WAL")
                        .expect("wal");
                }
                conn.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (1);")
                    .expect("data");
                conn.pragma_update(None, "user_version", newer as i64)
                    .expect("set version");
            }
            let before = snapshot(&path);
            assert!(before.2.is_empty(), "closed cleanly: {:?}", before.2);
            assert_eq!(before.0[18], if wal { 2 } else { 1 }, "header journal mode");
            let err = Database::open(&path).expect_err("newer schema must be refused");
            match err {
                DbError::TooNew {
                    found, supported, ..
                } => {
                    assert_eq!(found, newer);
                    assert_eq!(supported, schema_version());
                }
                other => panic!("expected TooNew, got {other:?}"),
            }
            assert_eq!(
                snapshot(&path),
                before,
                "a refused database is not touched (wal: {wal})"
            );
        }
    }
}
