//! Everything this process creates is its owner's only.
//!
//! The app writes its own files private explicitly (`cachicamo_core::files`), whatever the umask.
//! Files it does not create itself — the log appender's daily files, WebKit's storage, a CSV
//! written by the books — follow the process's umask; setting it to 077 first thing makes them
//! private too, however the desktop started the app (some start apps with 002). Unix only:
//! Windows and macOS keep per-user app folders private already (unverified here for both).

/// Called first thing in `run`, before any thread or file exists.
pub fn private_by_default() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
    }
}
