//! Logs to stderr and to a daily-rotated file in the app's log directory (last 7 kept), private
//! to its owner: the directory is 0700, files written before are tightened to 0600 here, and new
//! ones are created under the process's private umask (`private_files`).
//!
//! Nothing secret is ever passed to `tracing`: secrets are wrapped in types that redact
//! themselves, and logging calls name the provider or field, never the value.

use std::path::Path;
use std::str::FromStr;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const KEEP_LOG_FILES: usize = 7;

/// Levels per target, as in `RUST_LOG` (`debug`, `info,cachicamo=debug,wry=warn`): read by
/// `Targets` rather than `EnvFilter`, which would bring regular expressions into the binary for
/// span and field filters nobody uses here.
const LOG_VARIABLE: &str = "CACHICAMO_LOG";
const DEFAULT_LEVELS: &str = "info,tao=warn,wry=warn";

/// Returns the guard that flushes the file on drop; `None` if the file could not be opened (the
/// app still runs and logs to stderr).
pub fn init(logs_dir: &Path) -> Option<WorkerGuard> {
    tighten_earlier_logs(logs_dir);
    let asked = std::env::var(LOG_VARIABLE).ok();
    let (filter, not_understood) = levels(asked.as_deref());
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
            warn_not_understood(not_understood);
            log_panics();
            Some(guard)
        }
        Err(err) => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            tracing::warn!(error = %err, dir = %logs_dir.display(), "log file unavailable");
            warn_not_understood(not_understood);
            log_panics();
            None
        }
    }
}

/// A panic's message and where it happened go to the log as well as to stderr, which nobody
/// sees for a desktop app; release builds carry no symbols, so these are what a report has.
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "Cachicamo hit a bug (a panic)");
        previous(info);
    }));
}

/// What a subscriber at debug level wrote, for the duration of `work` (on this thread).
#[cfg(test)]
pub(crate) fn logged(work: impl FnOnce()) -> String {
    use std::sync::{Arc, Mutex};

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let written = Arc::new(Mutex::new(Vec::new()));
    let sink = written.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || Sink(sink.clone()))
        .finish();
    tracing::subscriber::with_default(subscriber, work);
    let bytes = written.lock().expect("log buffer").clone();
    String::from_utf8(bytes).expect("utf-8 log")
}

/// The levels the variable asks for, or the default ones and the text that could not be read.
fn levels(asked: Option<&str>) -> (Targets, Option<&str>) {
    let default = || Targets::from_str(DEFAULT_LEVELS).expect("the default levels parse");
    match asked.map(str::trim).filter(|text| !text.is_empty()) {
        None => (default(), None),
        Some(text) => match Targets::from_str(text) {
            Ok(targets) => (targets, None),
            Err(_) => (default(), Some(text)),
        },
    }
}

fn warn_not_understood(text: Option<&str>) {
    if let Some(text) = text {
        tracing::warn!(
            variable = LOG_VARIABLE,
            value = text,
            levels = DEFAULT_LEVELS,
            "log levels not understood; using the default ones"
        );
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

#[cfg(test)]
mod level_tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn without_the_variable_our_code_logs_info_and_the_window_crates_only_warnings() {
        for asked in [None, Some(""), Some("  ")] {
            let (default, not_understood) = levels(asked);
            assert_eq!(not_understood, None);
            assert!(default.would_enable("cachicamo::outbox", &Level::INFO));
            assert!(!default.would_enable("cachicamo::outbox", &Level::DEBUG));
            assert!(default.would_enable("wry::webview", &Level::WARN));
            assert!(!default.would_enable("wry::webview", &Level::INFO));
            assert!(!default.would_enable("tao", &Level::INFO));
        }
    }

    #[test]
    fn the_variable_sets_levels_per_target_as_rust_log_does() {
        let (asked, not_understood) = levels(Some("debug,wry=warn,cachicamo_core::mail=trace"));
        assert_eq!(not_understood, None);
        assert!(asked.would_enable("cachicamo", &Level::DEBUG));
        assert!(!asked.would_enable("cachicamo", &Level::TRACE));
        assert!(asked.would_enable("cachicamo_core::mail::smtp", &Level::TRACE));
        assert!(!asked.would_enable("wry", &Level::INFO));

        // A target alone leaves everything else off, as EnvFilter did.
        let (only, _) = levels(Some("cachicamo=debug"));
        assert!(only.would_enable("cachicamo::after_start", &Level::DEBUG));
        assert!(!only.would_enable("tauri", &Level::ERROR));
    }

    #[test]
    fn a_panic_is_logged_with_its_message_and_place() {
        log_panics();
        let log = logged(|| {
            let caught = std::panic::catch_unwind(|| panic!("la prueba de un pánico"));
            assert!(caught.is_err());
        });
        assert!(log.contains("ERROR"), "{log}");
        assert!(log.contains("la prueba de un pánico"), "{log}");
        assert!(log.contains("src/logging.rs"), "where it happened: {log}");
    }

    #[test]
    fn levels_it_cannot_read_fall_back_to_the_default_and_say_so() {
        let asked = "info,[span{id=1}]=debug";
        let (fallback, not_understood) = levels(Some(asked));
        assert_eq!(not_understood, Some(asked));
        assert!(fallback.would_enable("cachicamo", &Level::INFO));
        assert!(!fallback.would_enable("wry", &Level::INFO));
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
