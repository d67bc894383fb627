//! A copy of the data for the user to keep elsewhere (the Downloads folder, say), under a
//! timestamped name that never overwrites another file.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::copies::{copy_atomically, stamp, unused_path, DAILY_PREFIX};
use super::{BackupError, Progress, Stage};
use crate::db::Database;

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

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::backup::copies::file_name;
    use crate::backup::test_support::*;

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
}
