//! Where every file the app writes lives.
//!
//! One data directory holds the database, its backups, the logs, the window state and the
//! webview's storage. `CACHICAMO_DATA_DIR` relocates all of them at once (tests, portable use);
//! otherwise the OS app-data and log directories are used. Nothing else in the app builds paths.
//! Every directory here is created private to its owner (`files`).

use std::path::{Path, PathBuf};

/// The environment variable that relocates every file the app writes.
pub const DATA_DIR_ENV: &str = "CACHICAMO_DATA_DIR";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    data: PathBuf,
    logs: PathBuf,
}

impl DataPaths {
    /// `override_dir` (from `CACHICAMO_DATA_DIR`) wins over the OS defaults and also takes the logs.
    pub fn resolve(override_dir: Option<PathBuf>, os_data: PathBuf, os_logs: PathBuf) -> Self {
        match override_dir.filter(|dir| !dir.as_os_str().is_empty()) {
            Some(dir) => Self::inside(dir),
            None => Self {
                data: os_data,
                logs: os_logs,
            },
        }
    }

    /// Everything under one directory.
    pub fn inside(dir: PathBuf) -> Self {
        Self {
            logs: dir.join("logs"),
            data: dir,
        }
    }

    /// Creates the directories, private to their owner, so later writes cannot fail for a
    /// missing parent; tightens them when an earlier version left them readable by others.
    pub fn create_all(&self) -> std::io::Result<()> {
        for dir in [&self.data, &self.logs, &self.webview(), &self.backups()] {
            crate::files::private_dir(dir)?;
        }
        Ok(())
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    pub fn logs_dir(&self) -> &Path {
        &self.logs
    }

    pub fn database(&self) -> PathBuf {
        self.data.join("cachicamo.sqlite3")
    }

    pub fn backups(&self) -> PathBuf {
        self.data.join("backups")
    }

    pub fn window_state(&self) -> PathBuf {
        self.data.join("window-state.json")
    }

    /// The webview's own storage (WebKit's caches and local storage on Linux).
    pub fn webview(&self) -> PathBuf {
        self.data.join("webview")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_takes_every_file_including_logs() {
        let paths = DataPaths::resolve(
            Some(PathBuf::from("/tmp/portable")),
            PathBuf::from("/os/data"),
            PathBuf::from("/os/logs"),
        );
        for file in [
            paths.database(),
            paths.backups(),
            paths.window_state(),
            paths.webview(),
            paths.logs_dir().to_owned(),
        ] {
            assert!(
                file.starts_with("/tmp/portable"),
                "{file:?} escaped the data dir"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn every_directory_is_created_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let paths = DataPaths::inside(dir.path().join("datos"));
        paths.create_all().expect("create");
        for created in [
            paths.data_dir().to_owned(),
            paths.logs_dir().to_owned(),
            paths.backups(),
            paths.webview(),
        ] {
            let mode = std::fs::metadata(&created)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{}", created.display());
        }
    }

    #[test]
    fn without_override_the_os_directories_are_used() {
        let paths = DataPaths::resolve(
            Some(PathBuf::new()),
            PathBuf::from("/os/data"),
            PathBuf::from("/os/logs"),
        );
        assert_eq!(
            paths.database(),
            PathBuf::from("/os/data/cachicamo.sqlite3")
        );
        assert_eq!(paths.logs_dir(), Path::new("/os/logs"));
    }
}
