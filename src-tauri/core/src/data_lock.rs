//! One process per data directory.
//!
//! Two Cachicamo processes on the same data (a second install, or `CACHICAMO_DATA_DIR` pointing
//! at a folder another copy already uses) would each run an outbox worker over the same rows and
//! each take daily copies and restores behind the other's back. The single-instance plugin only
//! stops a second launch of the same install; this lock stops everything else: an OS file lock
//! (`flock` on Unix, `LockFileEx` on Windows) on a file inside the directory, held for as long as
//! the app runs and released by the OS when the process ends, however it ends — so a crash never
//! leaves the directory locked.
//!
//! The app takes it at start-up, not `Database::open`: tests and tools open the SQLite file
//! directly, and SQLite's own locking keeps those safe.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::files;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "cachicamo.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another Cachicamo is already using the data in {dir}")]
    InUse { dir: PathBuf },
    #[error("could not lock the data directory {dir}: {source}")]
    Io {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Held while the app runs; dropping it (or the process ending) frees the directory.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Locks `dir` for this process, or says another process holds it. Never waits.
    pub fn acquire(dir: &Path) -> Result<Self, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_owned(),
            source,
        };
        files::private_dir(dir).map_err(io)?;
        let path = dir.join(LOCK_FILE);
        // Not truncated on open: the holder's process id is only rewritten once the lock is ours.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        files::make_private(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::InUse {
                    dir: dir.to_owned(),
                })
            }
            // A file system with no locks at all (some network shares): refusing to start would
            // lock the owner out of their books for good; going on without it is what every
            // version before this one did.
            Err(TryLockError::Error(source))
                if source.kind() == std::io::ErrorKind::Unsupported =>
            {
                tracing::warn!(dir = %dir.display(), error = %source, "the data directory cannot be locked here");
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        // Who holds it, for a person looking at the folder; nothing reads it back.
        file.set_len(0).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(Self { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("datos");
        let first = DataDirLock::acquire(&data).expect("first");
        assert_eq!(
            std::fs::read_to_string(first.path()).expect("pid").trim(),
            std::process::id().to_string()
        );
        // A second open file description conflicts even within one process, as another process
        // would.
        match DataDirLock::acquire(&data) {
            Err(LockError::InUse { dir }) => assert_eq!(dir, data),
            other => panic!("expected InUse, got {other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(first.path()).expect("pid").trim(),
            std::process::id().to_string(),
            "a refused holder does not touch the file"
        );
        drop(first);
        DataDirLock::acquire(&data).expect("free again once released");
    }

    #[test]
    fn another_directory_is_not_affected() {
        let dir = tempfile::tempdir().expect("dir");
        let _one = DataDirLock::acquire(&dir.path().join("uno")).expect("one");
        DataDirLock::acquire(&dir.path().join("dos")).expect("two");
    }
}
