//! The end-to-end harness: starts the real Cachicamo binary through tauri-driver and
//! WebKitWebDriver and drives its window as a person would.
//!
//! It never skips. Every real part the stories need (an X display, a D-Bus session, an unlocked
//! Secret Service keyring, tauri-driver, WebKitWebDriver, the built app) is checked first, and a
//! missing one fails the run with what to install or start. Run it through `.ci/e2e`, which
//! provides the display, the bus and the keyring.
//!
//! One idea per module: [`parts`] (the real parts and their checks), [`keychain`] (the OS
//! keychain as `secret-tool` sees it), [`process`] (finding and stopping processes, a private
//! bus), [`app`] (one configuration of the app and its driver), [`window`] (the window through
//! WebDriver); [`books`] (someone who owes something, written through the core), [`fakes`],
//! [`mail`] (the shop that sends and what its test email carries), [`notices`] (the desktop's
//! notification server, faked), [`seed`] and [`wait`] (the
//! one way to wait for something) serve the core's tests too. [`page`] reads the line that times
//! the first render (the app's own file, compiled here too).

pub mod app;
pub mod books;
pub mod fakes;
pub mod keychain;
pub mod mail;
pub mod notices;
#[path = "../../src-tauri/src/launch_time/page.rs"]
pub mod page;
pub mod parts;
pub mod process;
pub mod seed;
pub mod wait;
pub mod window;

pub use app::AppUnderTest;
pub use fantoccini;
pub use keychain::{forget_legacy_keychain_entries, store_legacy_keychain_entry, KEYCHAIN_SLOTS};
pub use parts::{app_binary, repo_root, require_real_parts};
pub use process::{app_pids, pids_of, wait_for_exit, PrivateBus};
pub use wait::{eventually, eventually_every};
pub use window::{Window, UI_TIMEOUT};
