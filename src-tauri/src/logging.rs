//! Logs to stderr and to a daily-rotated file in the app's log directory (last 7 kept).
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
