//! Files only their owner may read: the data directory and everything the app writes into it
//! (the database and its side files, copies, exports, logs, the window's state).
//!
//! On Unix the directories are 0700 and the files 0600, set explicitly after creation so the
//! result does not depend on the umask the app was started with (a umask can only take bits
//! away, and some desktops start apps with 002). Elsewhere the OS's per-user folders already keep
//! other accounts out, and these functions only create what is missing (unverified on Windows
//! here). This module never deletes or rewrites anything.
//!
//! A file system that keeps no Unix modes (a FAT-formatted USB stick holding a portable data
//! directory) refuses the change: that is logged and the app goes on, since those modes could
//! not protect anything there anyway.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Owner read, write and enter only.
#[cfg(unix)]
pub const PRIVATE_DIR_MODE: u32 = 0o700;
/// Owner read and write only.
#[cfg(unix)]
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents) if needed and makes it private. Parents that already existed
/// keep their mode: they are the user's, not ours.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, DirOrFile::Dir)
}

/// Makes an existing file private; a missing one is not an error (SQLite's side files come and
/// go).
pub fn make_private(file: &Path) -> io::Result<()> {
    match set_mode(file, DirOrFile::File) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Creates `path`, which must not exist, as a private empty file and returns it open for writing.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    let file = options.open(path)?;
    set_mode(path, DirOrFile::File)?;
    Ok(file)
}

/// Writes `bytes` to a new private file at `path` (which must not exist).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = create_private(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

enum DirOrFile {
    Dir,
    File,
}

#[cfg(unix)]
fn set_mode(path: &Path, kind: DirOrFile) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match kind {
        DirOrFile::Dir => PRIVATE_DIR_MODE,
        DirOrFile::File => PRIVATE_FILE_MODE,
    };
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), error = %err, "could not make it private");
            Ok(())
        }
        other => other,
    }
}

#[cfg(not(unix))]
fn set_mode(path: &Path, _kind: DirOrFile) -> io::Result<()> {
    // Only check that it is there, so callers see the same NotFound as on Unix.
    std::fs::metadata(path).map(|_| ())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn directories_and_files_are_private_whatever_existed_before() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("datos");
        std::fs::create_dir(&data).expect("made by someone else");
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).expect("open");
        private_dir(&data.join("backups")).expect("nested");
        private_dir(&data).expect("existing");
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("backups")), 0o700);

        let file = data.join("copia.sqlite3");
        write_private(&file, b"x").expect("write");
        assert_eq!(mode(&file), 0o600);
        assert!(
            write_private(&file, b"y").is_err(),
            "never overwrites a file"
        );
        assert_eq!(std::fs::read(&file).expect("read"), b"x");

        let loose = data.join("suelto.txt");
        std::fs::write(&loose, b"z").expect("write");
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o666)).expect("loose");
        make_private(&loose).expect("tighten");
        assert_eq!(mode(&loose), 0o600);
        make_private(&data.join("no-existe")).expect("a missing file is fine");
    }
}
