//! What the running app holds: its paths, the lock on its data directory, its database and
//! what it learned at start-up.

use std::sync::{Arc, Once, OnceLock};

use cachicamo_core::backup::Backups;
use cachicamo_core::books::reading::Reading;
use cachicamo_core::data_lock::DataDirLock;
use cachicamo_core::locale::Language;
use cachicamo_core::locale::Region;
use cachicamo_core::mail::service::EmailService;
use cachicamo_core::mail::Timeouts;
use cachicamo_core::outbox::{self, OutboxHandle, OutboxId, OutboxSettings};
use cachicamo_core::paths::{DataPaths, DATA_DIR_ENV};
use cachicamo_core::reminders::{Bookkeeper, ReminderGate};
use cachicamo_core::secrets::Keychain;
use cachicamo_core::settings;
use cachicamo_core::Database;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast;
use tracing_appender::non_blocking::WorkerGuard;

use crate::error::IpcError;
use crate::launch_time;
use crate::logging;

/// The event every outbox change is announced with.
pub const OUTBOX_CHANGED: &str = "outbox://changed";

pub struct AppState {
    pub paths: DataPaths,
    pub backups: Backups,
    /// Kept even when opening failed (or another process holds the data directory), so the
    /// window can explain why instead of vanishing.
    database: Result<Arc<Database>, IpcError>,
    email: Option<EmailService>,
    /// The background sender's handle, connected to the window at start-up (`connect_outbox`).
    outbox: OnceLock<OutboxHandle>,
    /// Its worker starts once: after the first render, at the latest a little after start-up,
    /// or earlier when a command needs it (`start_outbox_worker`).
    outbox_worker: Once,
    /// Why the work that waits for the first render started, once it has (`claim_after_start`).
    after_start: OnceLock<&'static str>,
    /// The OS language as the OS reports it (read here: WebKitGTK's `navigator.language` is not
    /// reliable).
    pub os_locale: Option<String>,
    /// This process's hold on the data directory, for as long as the app runs (`None` in the
    /// command tests, which open the database directly, and when another process holds it).
    data_lock: Option<DataDirLock>,
    _log_guard: Option<WorkerGuard>,
}

/// Start-up's first half: what the window needs before it opens (the data directory, taken
/// for this process, and logging). The database opens in the second half
/// ([`Starting::open_data_meanwhile`]), on a thread of its own while the window is created.
pub struct Starting {
    paths: DataPaths,
    os_locale: Option<String>,
    /// This process's hold on the data directory, or why there is none.
    lock: Result<DataDirLock, IpcError>,
    log_guard: Option<WorkerGuard>,
}

impl Starting {
    /// Resolves the data directory, then begins there (`in_dir`).
    pub fn begin<R: Runtime>(app: &AppHandle<R>) -> Result<Self, Box<dyn std::error::Error>> {
        let paths = DataPaths::resolve(
            std::env::var_os(DATA_DIR_ENV).map(Into::into),
            app.path().app_data_dir()?,
            app.path().app_log_dir()?,
        );
        Ok(Self::in_dir(paths, sys_locale::get_locale())?)
    }

    /// Creates the directories, starts logging and takes the data directory for this process.
    pub fn in_dir(paths: DataPaths, os_locale: Option<String>) -> std::io::Result<Self> {
        paths.create_all()?;
        let log_guard = logging::init(paths.logs_dir());
        launch_time::logging_started();
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            data_dir = %paths.data_dir().display(),
            "Cachicamo starting"
        );
        let lock = DataDirLock::acquire(paths.data_dir()).map_err(|err| {
            tracing::error!(error = %err, "the data directory is not available");
            IpcError::from(err)
        });
        launch_time::step("data directory taken");
        Ok(Self {
            paths,
            os_locale,
            lock,
            log_guard,
        })
    }

    pub fn paths(&self) -> &DataPaths {
        &self.paths
    }

    /// Whether this process holds the data directory (see [`AppState::owns_data_dir`]).
    pub fn owns_data_dir(&self) -> bool {
        self.lock.is_ok()
    }

    /// Opens the data (`open_data`) on a thread of its own: creating the window and opening the
    /// database (on a fresh install, creating its whole schema) each take tens of milliseconds
    /// of the main thread before the page can ask for anything, and neither needs the other.
    pub fn open_data_meanwhile(self, keychain_service: &'static str) -> std::io::Result<Opening> {
        let thread = std::thread::Builder::new()
            .name("open-data".into())
            .spawn(move || {
                let state = self.open_data(keychain_service);
                launch_time::step("database open");
                state
            })?;
        Ok(Opening(thread))
    }

    /// Opens the database. When another process holds the directory, nothing in it is opened:
    /// the state only says why, for the window to show.
    fn open_data(self, keychain_service: &str) -> std::io::Result<AppState> {
        let Starting {
            paths,
            os_locale,
            lock,
            log_guard,
        } = self;
        let lock = match lock {
            Ok(lock) => lock,
            Err(why) => return Ok(AppState::unavailable(paths, os_locale, why, log_guard)),
        };
        // This data directory's own keychain entries (named by an id kept in the directory),
        // read only by the process that holds it.
        let keychain = Keychain::for_data_dir(keychain_service, paths.data_dir())
            .map_err(std::io::Error::other)?;
        let mut state = AppState::open(paths, os_locale, keychain, log_guard);
        state.data_lock = Some(lock);
        Ok(state)
    }
}

/// The data being opened on its own thread ([`Starting::open_data_meanwhile`]).
pub struct Opening(std::thread::JoinHandle<std::io::Result<AppState>>);

impl Opening {
    /// Waits for the data to be open. A panic while opening becomes an error, so start-up
    /// fails with a message instead of a second panic.
    pub fn finish(self) -> std::io::Result<AppState> {
        self.0
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("opening the data panicked")))
    }
}

impl AppState {
    /// Both halves of start-up at once (`Starting`), for the tests.
    pub fn start_in(
        paths: DataPaths,
        os_locale: Option<String>,
        keychain_service: &str,
    ) -> std::io::Result<Self> {
        Starting::in_dir(paths, os_locale)?.open_data(keychain_service)
    }

    /// Opens the database under `paths`; used by `start_in` and by the command tests. `keychain`
    /// is the data directory's (service `cachicamo`); tests give each run a service of its own.
    pub fn open(
        paths: DataPaths,
        os_locale: Option<String>,
        keychain: Keychain,
        log_guard: Option<WorkerGuard>,
    ) -> Self {
        let database = Database::open(&paths.database())
            .map(Arc::new)
            .map_err(|err| {
                tracing::error!(error = %err, "the database could not be opened");
                IpcError::from(err)
            });
        let email = database
            .as_ref()
            .ok()
            .map(|db| EmailService::new(db.clone(), keychain, Timeouts::from_env()));
        Self::with(paths, os_locale, database, email, log_guard)
    }

    /// A state that touches nothing in the data directory and says why at every command.
    fn unavailable(
        paths: DataPaths,
        os_locale: Option<String>,
        why: IpcError,
        log_guard: Option<WorkerGuard>,
    ) -> Self {
        Self::with(paths, os_locale, Err(why), None, log_guard)
    }

    /// The one place a state is put together: nothing started yet, the data directory not
    /// held (`open_data` takes the lock afterwards).
    fn with(
        paths: DataPaths,
        os_locale: Option<String>,
        database: Result<Arc<Database>, IpcError>,
        email: Option<EmailService>,
        log_guard: Option<WorkerGuard>,
    ) -> Self {
        Self {
            backups: Backups::new(paths.backups()),
            paths,
            database,
            email,
            outbox: OnceLock::new(),
            outbox_worker: Once::new(),
            after_start: OnceLock::new(),
            os_locale,
            data_lock: None,
            _log_guard: log_guard,
        }
    }

    /// Whether this process holds the data directory: only then may it write files there that
    /// the database does not cover (the window's geometry).
    pub fn owns_data_dir(&self) -> bool {
        self.data_lock.is_some()
    }

    pub fn db(&self) -> Result<&Database, IpcError> {
        self.database.as_deref().map_err(Clone::clone)
    }

    /// The database for work that outlives the command's borrow (a copy on a blocking thread).
    pub fn shared_db(&self) -> Result<Arc<Database>, IpcError> {
        self.database.clone()
    }

    /// Makes today's automatic copy on a thread of its own, so the window does not wait for it.
    pub fn back_up_daily_in_background(&self) {
        let Ok(db) = self.database.clone() else {
            return;
        };
        let backups = self.backups.clone();
        let spawned = std::thread::Builder::new()
            .name("daily-backup".into())
            .spawn(move || {
                let today = local_today();
                match backups.make_daily(&db, today) {
                    Ok(Some(path)) => tracing::info!(path = %path.display(), "daily copy made"),
                    Ok(None) => tracing::debug!("today's copy already exists"),
                    Err(err) => tracing::error!(error = %err, "the daily copy failed"),
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "the daily copy could not start");
        }
    }

    pub fn email(&self) -> Result<&EmailService, IpcError> {
        self.db()?;
        self.email
            .as_ref()
            .ok_or_else(|| IpcError::internal("email service missing"))
    }

    /// How amounts and dates are written: the saved choice, else the OS locale's region, else
    /// the usual one for the language.
    pub fn region(&self) -> Region {
        let saved = self
            .db()
            .ok()
            .and_then(|db| settings::region(db).ok().flatten());
        saved.unwrap_or_else(|| Region::for_locale(self.os_locale.as_deref(), self.language()))
    }

    /// The region's writing and the local calendar day, for reading the books.
    pub fn reading(&self) -> Reading {
        Reading {
            region: self.region(),
            today: local_today(),
        }
    }

    /// Connects the outbox to the window and starts its worker at once (the command tests).
    pub fn start_outbox<R: Runtime>(&self, app: &AppHandle<R>) {
        self.connect_outbox(app);
        self.start_outbox_worker();
    }

    /// Creates the outbox's handle and forwards its changes to the window as
    /// `outbox://changed`, so every screen showing an email updates live. Its worker, which
    /// reads the queue, is not started here: see `start_outbox_worker`.
    pub fn connect_outbox<R: Runtime>(&self, app: &AppHandle<R>) {
        let (Ok(db), Some(email)) = (self.database.clone(), self.email.clone()) else {
            return;
        };
        let handle = outbox::prepare(
            db,
            email,
            Arc::new(ReminderGate),
            OutboxSettings::from_env(),
        );
        let mut changes = handle.subscribe();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(change) => {
                        let _ = app.emit(OUTBOX_CHANGED, change);
                    }
                    // Missed some: one event still makes screens reload what they show.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        let _ = self.outbox.set(handle);
    }

    /// Starts the outbox's worker, once per process, whoever asks first: the first render, the
    /// fallback timer or a command that uses the outbox. Later stops and restarts (a restore,
    /// an update) go through the handle itself.
    pub fn start_outbox_worker(&self) {
        let Some(handle) = self.outbox.get() else {
            return;
        };
        self.outbox_worker.call_once(|| {
            // A task on Tauri's runtime, whatever thread (or test runtime) starts it.
            let runtime = tauri::async_runtime::handle();
            let _entered = runtime.inner().enter();
            if let Err(err) = handle.resume() {
                tracing::error!(error = %err, "the outbox could not start");
            }
        });
    }

    /// The outbox, its worker started if it was not yet: a command is about to use it.
    pub fn outbox(&self) -> Result<&OutboxHandle, IpcError> {
        self.db()?;
        let handle = self
            .outbox
            .get()
            .ok_or_else(|| IpcError::internal("the outbox is not running"))?;
        self.start_outbox_worker();
        Ok(handle)
    }

    /// Tells the outbox of rows just queued, so they leave now rather than at its next look
    /// (which would find them anyway): a failure to reach it loses nothing.
    pub fn outbox_queued(&self, queued: &[OutboxId]) {
        if let Ok(outbox) = self.outbox() {
            for id in queued {
                outbox.queued(*id);
            }
        }
    }

    /// The outbox only if its worker was started: closing must not start it just to stop it.
    pub fn started_outbox(&self) -> Option<&OutboxHandle> {
        self.outbox_worker
            .is_completed()
            .then(|| self.outbox.get())
            .flatten()
    }

    /// True the first time only, keeping `why`: the caller then starts what waited for the
    /// first render.
    pub fn claim_after_start(&self, why: &'static str) -> bool {
        self.after_start.set(why).is_ok()
    }

    /// Why what waited for the first render started, or None while it still waits. The claim is
    /// taken before that work is spawned, so this answers at once, and tests read it instead of
    /// pausing to see that nothing starts.
    pub fn after_start_reason(&self) -> Option<&'static str> {
        self.after_start.get().copied()
    }

    /// Whether the owner wants the quiet update check at start-up (Ajustes → Actualizaciones).
    pub fn checks_updates_on_startup(&self) -> bool {
        self.db()
            .ok()
            .and_then(|db| settings::check_updates_on_startup(db).ok())
            .unwrap_or(false)
    }

    /// The books as commands change them: with the reminders waiting about them kept in step,
    /// and what became of those reminders announced to the running worker (and the screens).
    pub fn bookkeeper(&self) -> Result<Bookkeeper<'_>, IpcError> {
        Ok(Bookkeeper::new(self.db()?, self.outbox.get()))
    }

    /// The language the app speaks now: the saved choice, else the OS's, else Spanish.
    pub fn language(&self) -> Language {
        let saved = self
            .db()
            .ok()
            .and_then(|db| settings::language(db).ok().flatten());
        Language::choose(saved, self.os_locale.as_deref())
    }
}

pub use cachicamo_core::clock::local_now;

fn local_today() -> time::Date {
    cachicamo_core::clock::local_today()
}
