//! "Abrir Cachicamo al iniciar sesión": the session's autostart entry (an XDG `.desktop` file on
//! Linux, a Launch Agent on macOS, a Run key on Windows), written and read by the official
//! autostart plugin. The entry launches the app with [`MINIMISED`], so at login it opens
//! iconified — still on the taskbar, reachable without a tray icon — while the evaluator runs
//! as on any start. The switch reads the entry itself: no copy in SQLite can disagree with it.

use tauri::plugin::TauriPlugin;
use tauri::Runtime;

/// The argument the autostart entry passes: start iconified.
pub const MINIMISED: &str = "--minimised";

/// The plugin, registered for Rust only: the window asks through `autostart_*` commands, and
/// none of the plugin's own commands is granted to it.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new()
        .arg(MINIMISED)
        .build()
}

/// Whether this launch came from the autostart entry (or asks to start minimised).
pub fn wants_minimised<I, S>(args: I) -> bool
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    args.into_iter().any(|arg| arg.as_ref() == MINIMISED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_entrys_argument_starts_minimised() {
        assert!(wants_minimised(["/usr/bin/cachicamo", MINIMISED]));
        assert!(!wants_minimised(["/usr/bin/cachicamo"]));
        assert!(!wants_minimised(["/usr/bin/cachicamo", "--minimized-ish"]));
    }
}
