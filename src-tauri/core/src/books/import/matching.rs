//! Which customer a CSV row belongs to. A debt sent to the wrong "José García" is worse than a
//! duplicate customer, so the rules are strict and never guess:
//!
//! - a row with a tax id goes to the one customer with that tax id (however either is written:
//!   "j-123" is "J-123"); a tax id that matches nobody makes a new customer, *never* a match by
//!   name;
//! - a row without a tax id goes to the one customer with exactly that name;
//! - two customers with that tax id or name is a problem to fix, not a choice to make;
//! - whatever the match, every difference the user should know about — another name or email
//!   than the books have, an archived customer, a new customer beside a similar existing one —
//!   is reported for the user to accept or fix.
//!
//! Customers planned earlier in the same file count as customers here, so a file that lists a
//! new customer twice creates one.

use super::{DifferenceKind, Owner};
use crate::books::customers::ValidCustomer;
use crate::books::{search_key, BooksError};

/// A customer a row could go to: in the books, or to be created by this file.
pub(super) struct Entry {
    pub(super) owner: Owner,
    pub(super) name: String,
    pub(super) email: Option<String>,
    tax_key: Option<String>,
    archived: bool,
}

/// How a row found its customer.
pub(super) enum Match<'d> {
    Found(&'d Entry),
    /// No customer: the row's customer is new.
    Nobody,
    /// Several customers share the tax id (or, without one, the name): the user must say which.
    Ambiguous {
        by_tax_id: bool,
    },
}

/// A difference between a row and the customer it goes to (or a similar one, for a new
/// customer): what the file says and what the customer has.
pub(super) struct Difference {
    pub(super) kind: DifferenceKind,
    pub(super) in_file: String,
    pub(super) in_books: String,
}

pub(super) struct Directory {
    entries: Vec<Entry>,
}

fn tax_key(tax_id: &str) -> String {
    search_key(tax_id).split_whitespace().collect()
}

impl Directory {
    /// Every customer in the books, archived ones included (they are matched, never silently).
    pub(super) fn load(conn: &rusqlite::Connection) -> Result<Directory, BooksError> {
        let mut statement = conn.prepare(
            "SELECT id, name, email, tax_id, archived_at IS NOT NULL FROM customers ORDER BY id",
        )?;
        let entries = statement
            .query_map([], |row| {
                Ok(Entry {
                    owner: Owner::Existing(row.get(0)?),
                    name: row.get(1)?,
                    email: row.get(2)?,
                    tax_key: row.get::<_, Option<String>>(3)?.as_deref().map(tax_key),
                    archived: row.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Directory { entries })
    }

    pub(super) fn find(&self, customer: &ValidCustomer) -> Match<'_> {
        let by_tax_id = customer.tax_id.is_some();
        let mut candidates = self.entries.iter().filter(|entry| match &customer.tax_id {
            Some(tax_id) => entry.tax_key.as_deref() == Some(tax_key(tax_id).as_str()),
            None => entry.name == customer.name,
        });
        match (candidates.next(), candidates.next()) {
            (None, _) => Match::Nobody,
            (Some(entry), None) => Match::Found(entry),
            (Some(_), Some(_)) => Match::Ambiguous { by_tax_id },
        }
    }

    /// Adds a customer this file creates, so later rows find it.
    pub(super) fn plan(&mut self, customer: &ValidCustomer, index: usize) {
        self.entries.push(Entry {
            owner: Owner::New(index),
            name: customer.name.clone(),
            email: customer.email.clone(),
            tax_key: customer.tax_id.as_deref().map(tax_key),
            archived: false,
        });
    }

    /// A customer with the same name written any way ("jose garcia" for "José García"), for a
    /// row that is about to create a new one: the user may have meant that one.
    pub(super) fn similar(&self, customer: &ValidCustomer) -> Option<&Entry> {
        let key = search_key(&customer.name);
        self.entries
            .iter()
            .find(|entry| search_key(&entry.name) == key)
    }
}

/// What differs between the row and the customer it was matched to.
pub(super) fn differences(row: &ValidCustomer, entry: &Entry) -> Vec<Difference> {
    let mut found = Vec::new();
    if row.name != entry.name {
        found.push(Difference {
            kind: DifferenceKind::Name,
            in_file: row.name.clone(),
            in_books: entry.name.clone(),
        });
    }
    // An empty email cell says nothing about the email: not a difference.
    if let Some(email) = &row.email {
        let same = entry
            .email
            .as_ref()
            .is_some_and(|known| known.eq_ignore_ascii_case(email));
        if !same {
            found.push(Difference {
                kind: DifferenceKind::Email,
                in_file: email.clone(),
                in_books: entry.email.clone().unwrap_or_default(),
            });
        }
    }
    if entry.archived {
        found.push(Difference {
            kind: DifferenceKind::Archived,
            in_file: row.name.clone(),
            in_books: entry.name.clone(),
        });
    }
    found
}
