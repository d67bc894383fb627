//! The Tauri shell: wires the core crate to the window.
//!
//! It owns start-up (paths, logging, database, window) and the IPC commands, which convert
//! types and errors and nothing else. Rules about the books, mail and settings live in
//! `cachicamo-core`; if a command grows logic, that logic belongs there.

mod after_start;
pub mod autostart;
pub mod bindings;
pub mod commands;
pub mod downloads;
pub mod error;
pub mod evaluator;
pub mod launch_time;
mod logging;
pub mod notices;
pub mod private_files;
pub mod shutdown;
pub mod state;
pub mod updates;
mod window;

use tauri::Manager;

/// Starts the app. Called by `main`; everything the tests share goes through [`commands::register`].
pub fn run() {
    launch_time::mark_main_entered();
    private_files::private_by_default();
    let builder = tauri::Builder::default()
        // First, so a second launch hands over to the running one before doing anything else.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // The login entry finding the app already open leaves it as the user has it.
            if !autostart::wants_minimised(&argv) {
                window::focus_main(app);
            }
        }));
    let result = commands::register(builder)
        .on_window_event(shutdown::on_window_event)
        .setup(|app| {
            launch_time::remember("setup started");
            let starting = state::Starting::begin(app.handle())?;
            // The window's geometry is a file in the data directory: only its owner writes it.
            let remember_geometry = starting.owns_data_dir();
            let paths = starting.paths().clone();
            let opening = starting.open_data_meanwhile(cachicamo_core::secrets::SERVICE)?;
            if remember_geometry {
                app.handle().plugin(window::state_plugin(&paths))?;
            }
            let minimised = autostart::wants_minimised(std::env::args());
            if minimised {
                tracing::info!("started minimised (the login entry)");
            }
            window::open_main(app.handle(), &paths, remember_geometry, minimised)?;
            launch_time::step("window created");
            // Before the state is managed, so no command ever finds it missing.
            let state = opening.finish()?;
            state.connect_outbox(app.handle());
            app.manage(state);
            // After the state is managed: the evaluator's batches wake its outbox.
            if let Ok(db) = app.state::<state::AppState>().shared_db() {
                app.state::<evaluator::Evaluator>().start(app.handle(), db);
            }
            #[cfg(unix)]
            shutdown::leave_on_terminate(app.handle());
            after_start::schedule(app.handle(), after_start::AT_LATEST);
            launch_time::step("setup done");
            Ok(())
        })
        .build(tauri::generate_context!())
        .map(|app| app.run(|app, event| shutdown::on_run_event(app, &event)));
    if let Err(err) = result {
        tracing::error!(error = %err, "Cachicamo stopped with an error");
        eprintln!("Cachicamo could not start: {err}");
        std::process::exit(1);
    }
}
