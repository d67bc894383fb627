//! Logs to stderr and to a daily-rotated file in the app's log directory (last 7 kept), private
//! to its owner: the directory is 0700, files written before are tightened to 0600 here, and new
//! ones are created under the process's private umask (`private_files`).
//!
//! Nothing secret is ever passed to `tracing`: secrets are wrapped in types that redact
//! themselves, and logging calls name the provider or field, never the value.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

const KEEP_LOG_FILES: usize = 7;

/// Returns the guard that flushes the file on drop; `None` if the file could not be opened (the
/// app still runs and logs to stderr).
pub fn init(logs_dir: &Path) -> Option<WorkerGuard> {
    tighten_earlier_logs(logs_dir);
    let filter = EnvFilter::try_from_env("CACHICAMO_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tao=warn,wry=warn"));
    let file = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("cachicamo")
        .filename_suffix("log")
        .max_log_files(KEEP_LOG_FILES)
        .build(logs_dir);
    let stderr = fmt::layer().with_writer(std::io::stderr);
    match file {
        Ok(file) => {
            let (writer, guard) = tracing_appender::non_blocking(file);
            let file_layer = fmt::layer().with_ansi(false).with_writer(writer);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        Err(err) => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            tracing::warn!(error = %err, dir = %logs_dir.display(), "log file unavailable");
            None
        }
    }
}

/// Log files an earlier version left readable by others.
fn tighten_earlier_logs(logs_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(logs_dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let _ = cachicamo_core::files::make_private(&entry.path());
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn log_files_old_and_new_are_private() {
        crate::private_files::private_by_default();
        let dir = tempfile::tempdir().expect("dir");
        let logs = dir.path().join("logs");
        cachicamo_core::files::private_dir(&logs).expect("logs dir");
        let old = logs.join("cachicamo.2020-01-01.log");
        std::fs::write(&old, "antes").expect("old log");
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).expect("loose");
        let guard = init(&logs);
        assert!(guard.is_some(), "the log file opened");
        let mut files: Vec<_> = std::fs::read_dir(&logs)
            .expect("read")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        assert!(files.len() >= 2, "today's file was created: {files:?}");
        for file in files {
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
}
