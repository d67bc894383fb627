//! The books: customers now; receivables, payments and money as they land.
//!
//! Every user action that writes is one transaction. Rules live here, not in the commands or
//! the UI; the UI may check early for comfort, this module decides.

pub mod currency;
pub mod customers;

use crate::db::DbError;
use crate::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum BooksError {
    #[error("some fields are invalid: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error("{0}")]
    Refused(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for BooksError {
    fn from(err: rusqlite::Error) -> Self {
        BooksError::Db(DbError::Sqlite(err))
    }
}

/// Lower-case and without accents, for searching the way people type ("pena" finds "Peña").
pub fn search_key(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_keys_ignore_case_and_accents() {
        assert_eq!(
            super::search_key("Ferretería José PEÑA"),
            "ferreteria jose pena"
        );
    }
}
