//! Estados de cuenta: one message per customer with everything they owe, how to pay it, and a
//! PDF — to one customer or to many at once.
//!
//! It owns the statement's model (`model`: every Pendiente receivable grouped by currency, with
//! checked subtotals, never summed across currencies; the payments received since the last
//! statement sent), its three renderings from that one model — the email's text and HTML parts
//! (`render`) and the PDF (`pdf`) — and the owner's words around the table (`template`). It
//! renders and never sends: what it produces is queued in the outbox, which sends exactly that.

pub mod bulk;
pub mod gate;
pub mod model;
pub mod pdf;
pub mod queue;
pub mod render;
pub mod sample;
pub mod template;
pub mod words;

use rusqlite::Connection;

use crate::books::reading::Reading;
use crate::books::BooksError;
use crate::db::Database;
use crate::settings::SettingsError;

pub use model::{
    build_in, CurrencyGroup, Equivalent, Party, PaymentReceived, Statement, StatementLine, Totals,
    STATEMENT_REFERENCE,
};
pub use queue::{SendStatement, StatementDraft, StatementFacts};
pub use render::{render, RenderedStatement};
pub use template::{
    StatementTemplate, StatementTemplateView, StatementVariable, StatementVariableView,
};

#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    /// The customer owes nothing: there is no statement to send.
    #[error("the customer owes nothing")]
    NothingOwed,
    #[error(transparent)]
    Books(#[from] BooksError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// A template that passed validation failed to render: a bug, not the owner's doing.
    #[error("the statement could not be rendered: {0}")]
    Render(#[from] minijinja::Error),
    /// The PDF could not be made (a bug: the fonts are compiled in).
    #[error("the statement's PDF could not be made: {0}")]
    Pdf(&'static str),
    #[error("some fields are invalid: {0:?}")]
    Invalid(Vec<crate::validation::FieldError>),
    #[error(transparent)]
    Outbox(#[from] crate::outbox::OutboxError),
    /// A bulk selection longer than any shop's customer list.
    #[error("too many customers selected")]
    TooMany,
    /// What the statement states could not be written down for the send check (a bug).
    #[error("the statement's facts could not be stored")]
    Unstorable,
}

impl From<rusqlite::Error> for StatementError {
    fn from(err: rusqlite::Error) -> Self {
        StatementError::Books(err.into())
    }
}

/// The statement of `customer_id` as the books stand now.
pub fn of_customer(
    db: &Database,
    customer_id: i64,
    reading: &Reading,
) -> Result<Statement, StatementError> {
    db.read(|conn: &Connection| build_in(conn, customer_id, reading))
}
