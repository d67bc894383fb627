//! What a command that changes the books takes, instead of the app state and the collections
//! evaluator side by side: [`BooksChange`] writes through the core and, once the write has
//! succeeded, nudges the evaluator, so no command that moves a debt can forget to say so (Cobros
//! de hoy would lag by up to 15 minutes). A refused change nudges nothing.

use cachicamo_core::books::reading::Reading;
use cachicamo_core::reminders::Bookkeeper;
use cachicamo_core::Database;
use tauri::ipc::{CommandArg, CommandItem, InvokeError};
use tauri::{Runtime, State};

use crate::error::IpcError;
use crate::evaluator::Evaluator;
use crate::state::AppState;

/// A change to the books, from the command that makes it.
pub struct BooksChange<'r> {
    state: State<'r, AppState>,
    evaluator: State<'r, Evaluator>,
}

impl<'r> BooksChange<'r> {
    /// Writes with `write`, given the database and today's reading.
    pub fn write<T, E>(
        &self,
        write: impl FnOnce(&Database, &Reading) -> Result<T, E>,
    ) -> Result<T, IpcError>
    where
        IpcError: From<E>,
    {
        let changed = write(self.state.db()?, &self.state.reading())?;
        Ok(self.evaluator.after(changed))
    }

    /// Writes through the bookkeeper, for the changes that the reminders already waiting in the
    /// outbox must follow in the same transaction (amounts, voids, payments, pauses).
    pub fn keep<T, E>(
        &self,
        write: impl FnOnce(&Bookkeeper<'_>, &Reading) -> Result<T, E>,
    ) -> Result<T, IpcError>
    where
        IpcError: From<E>,
    {
        let changed = write(&self.state.bookkeeper()?, &self.state.reading())?;
        Ok(self.evaluator.after(changed))
    }

    /// The app state, for what else the change needs (the language a file is read in).
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

/// Taken from the managed state like `State` itself; the webview sends nothing for it.
impl<'r, R: Runtime> CommandArg<'r, R> for BooksChange<'r> {
    fn from_command(command: CommandItem<'r, R>) -> Result<Self, InvokeError> {
        let item = || CommandItem {
            plugin: command.plugin,
            name: command.name,
            key: command.key,
            message: command.message,
            acl: command.acl,
        };
        Ok(BooksChange {
            state: State::from_command(item())?,
            evaluator: State::from_command(item())?,
        })
    }
}
