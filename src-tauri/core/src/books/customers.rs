//! Clientes: create, edit, find, archive, delete.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{search_key, BooksError, Paging, Refusal, WaitingMail};
use crate::db::Database;
use crate::locale::Language;
use crate::mail::EmailAddress;
use crate::validation::{FieldErrors, FieldProblem};
use crate::wire;

const MAX_NAME: usize = 200;
const MAX_SHORT: usize = 100;
const MAX_LONG: usize = 2000;

/// The customer form as typed.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerForm {
    pub name: String,
    /// The registered address reminders go to.
    pub email: String,
    pub phone: String,
    /// RIF, NIT, RFC, CUIT…: free text.
    pub tax_id: String,
    pub address: String,
    pub notes: String,
    /// `null`: the app's language.
    pub email_language: Option<Language>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub email_language: Language,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomerQuery {
    pub search: String,
    pub include_archived: bool,
    #[serde(flatten)]
    #[ts(flatten)]
    pub page: Paging,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub customers: Vec<Customer>,
    /// How many match the search in all (for paging).
    #[ts(type = "number")]
    pub total: u32,
}

pub(super) struct ValidCustomer {
    pub(super) name: String,
    pub(super) email: Option<String>,
    phone: Option<String>,
    pub(super) tax_id: Option<String>,
    address: Option<String>,
    notes: Option<String>,
    email_language: Language,
}

impl CustomerForm {
    pub(super) fn validate(self, default_language: Language) -> Result<ValidCustomer, BooksError> {
        let mut errors = FieldErrors::default();
        let name = errors.required_text("name", &self.name, MAX_NAME);
        let email = match self.email.trim() {
            "" => None,
            raw => match raw.parse::<EmailAddress>() {
                Ok(address) => Some(address.to_string()),
                Err(_) => {
                    errors.add("email", FieldProblem::InvalidEmail);
                    None
                }
            },
        };
        let phone = errors.optional_text("phone", &self.phone, MAX_SHORT);
        let tax_id = errors.optional_text("taxId", &self.tax_id, MAX_SHORT);
        let address = errors.optional_text("address", &self.address, MAX_LONG);
        let notes = errors.optional_text("notes", &self.notes, MAX_LONG);
        match name {
            Some(name) if errors.is_empty() => Ok(ValidCustomer {
                name,
                email,
                phone,
                tax_id,
                address,
                notes,
                email_language: self.email_language.unwrap_or(default_language),
            }),
            _ => Err(BooksError::Invalid(errors.into_vec())),
        }
    }
}

/// A validated customer as its columns store it, for the INSERT and the UPDATE alike.
struct StoredCustomer<'a> {
    valid: &'a ValidCustomer,
    email_language: String,
    search_key: String,
}

impl StoredCustomer<'_> {
    fn as_params(&self) -> Vec<(&'static str, &dyn rusqlite::ToSql)> {
        vec![
            (":name", &self.valid.name),
            (":email", &self.valid.email),
            (":phone", &self.valid.phone),
            (":tax_id", &self.valid.tax_id),
            (":address", &self.valid.address),
            (":notes", &self.valid.notes),
            (":email_language", &self.email_language),
            (":search_key", &self.search_key),
        ]
    }
}

impl ValidCustomer {
    fn stored(&self) -> StoredCustomer<'_> {
        StoredCustomer {
            valid: self,
            email_language: wire::code(&self.email_language),
            search_key: self.search_key(),
        }
    }

    fn search_key(&self) -> String {
        search_key(&format!(
            "{} {} {}",
            self.name,
            self.email.as_deref().unwrap_or_default(),
            self.tax_id.as_deref().unwrap_or_default()
        ))
    }
}

const COLUMNS: &str = "id, name, email, phone, tax_id, address, notes, email_language, \
                       archived_at IS NOT NULL, created_at, updated_at";

fn read(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        phone: row.get(3)?,
        tax_id: row.get(4)?,
        address: row.get(5)?,
        notes: row.get(6)?,
        email_language: wire::column(row, 7)?,
        archived: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

fn not_found(id: i64) -> BooksError {
    BooksError::NotFound {
        what: "customer",
        id,
    }
}

pub(crate) fn find(conn: &Connection, id: i64) -> Result<Customer, BooksError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM customers WHERE id = ?1"),
        [id],
        read,
    )
    .optional()?
    .ok_or(not_found(id))
}

pub fn get(db: &Database, id: i64) -> Result<Customer, BooksError> {
    db.read(|conn| find(conn, id))
}

pub fn create(
    db: &Database,
    form: CustomerForm,
    default_language: Language,
) -> Result<Customer, BooksError> {
    let valid = form.validate(default_language)?;
    db.write(|tx| {
        let id = insert(tx, &valid)?;
        find(tx, id)
    })
}

/// Writes a validated customer inside the caller's transaction (a form, or a CSV import).
pub(super) fn insert(tx: &Transaction<'_>, valid: &ValidCustomer) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO customers (name, email, phone, tax_id, address, notes, email_language,
                                search_key)
         VALUES (:name, :email, :phone, :tax_id, :address, :notes, :email_language,
                 :search_key)",
    )?
    .execute(&*valid.stored().as_params())?;
    Ok(tx.last_insert_rowid())
}

pub fn update(
    db: &Database,
    waiting: &dyn WaitingMail,
    id: i64,
    form: CustomerForm,
    default_language: Language,
) -> Result<Customer, BooksError> {
    let valid = form.validate(default_language)?;
    db.write(|tx| {
        let stored = valid.stored();
        let mut values = stored.as_params();
        values.push((":id", &id));
        let changed = tx.execute(
            "UPDATE customers SET name = :name, email = :email, phone = :phone,
                 tax_id = :tax_id, address = :address, notes = :notes,
                 email_language = :email_language, search_key = :search_key,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = :id",
            &*values,
        )?;
        if changed == 0 {
            return Err(not_found(id));
        }
        // Pagos Pendientes sorts and searches by the customer's name without a join.
        tx.execute(
            "UPDATE receivables SET customer_key = ?2 WHERE customer_id = ?1",
            params![id, search_key(&valid.name)],
        )?;
        waiting.customer_changed(tx, id)?;
        find(tx, id)
    })
}

/// Keeps `email` as the customer's registered address (a reminder sent to a typed address
/// with "guardar" ticked), inside the caller's transaction.
pub(crate) fn set_email(tx: &Transaction<'_>, id: i64, email: &str) -> Result<(), BooksError> {
    let customer = find(tx, id)?;
    let key = search_key(&format!(
        "{} {} {}",
        customer.name,
        email,
        customer.tax_id.as_deref().unwrap_or_default()
    ));
    tx.execute(
        "UPDATE customers SET email = ?2, search_key = ?3,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
        params![id, email, key],
    )?;
    Ok(())
}

/// Archived customers leave the everyday lists but keep their history.
pub fn set_archived(db: &Database, id: i64, archived: bool) -> Result<Customer, BooksError> {
    db.write(|tx| {
        let changed = tx.execute(
            "UPDATE customers SET
                 archived_at = CASE WHEN ?2 THEN coalesce(archived_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) END,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![id, archived],
        )?;
        if changed == 0 {
            return Err(not_found(id));
        }
        find(tx, id)
    })
}

/// Deletes a customer that has nothing in the books; one with receivables (whatever their
/// status) is refused here, and by the foreign key, and can only be archived.
pub fn delete(db: &Database, id: i64) -> Result<(), BooksError> {
    db.write(|tx| {
        let has_receivables: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM receivables WHERE customer_id = ?1)",
            [id],
            |row| row.get(0),
        )?;
        if has_receivables {
            return Err(BooksError::Refused(Refusal::CustomerHasReceivables));
        }
        let changed = tx.execute("DELETE FROM customers WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(not_found(id));
        }
        Ok(())
    })
}

pub fn list(db: &Database, query: &CustomerQuery) -> Result<CustomerPage, BooksError> {
    let limit = query.page.size();
    let pattern = format!("%{}%", super::escape_like(&search_key(query.search.trim())));
    db.read(|conn| {
        let filter = "search_key LIKE ?1 ESCAPE '\\' AND (?2 OR archived_at IS NULL)";
        let total: u32 = conn.query_row(
            &format!("SELECT count(*) FROM customers WHERE {filter}"),
            params![pattern, query.include_archived],
            |row| row.get(0),
        )?;
        let mut statement = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM customers WHERE {filter}
             ORDER BY name COLLATE NOCASE, id LIMIT ?3 OFFSET ?4"
        ))?;
        let customers = statement
            .query_map(
                params![pattern, query.include_archived, limit, query.page.offset],
                read,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CustomerPage { customers, total })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("c.sqlite3")).expect("db");
        (dir, db)
    }

    fn form(name: &str) -> CustomerForm {
        CustomerForm {
            name: name.into(),
            ..CustomerForm::default()
        }
    }

    /// Clientes' search box, typed `text`.
    fn search(db: &Database, text: &str) -> CustomerPage {
        let query = CustomerQuery {
            search: text.into(),
            ..Default::default()
        };
        list(db, &query).expect("search")
    }

    #[test]
    fn a_customer_is_created_found_edited_archived_and_deleted() {
        let (_dir, db) = db();
        let created = create(
            &db,
            CustomerForm {
                name: "  Ferretería José Peña ".into(),
                email: "cobros@peña.com.ve".into(),
                tax_id: "J-12345678-9".into(),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect("created");
        assert_eq!(created.name, "Ferretería José Peña");
        assert_eq!(created.email_language, Language::Es);
        create(&db, form("Bodega La Esquina"), Language::En).expect("second");

        let found = search(&db, "pena");
        assert_eq!(found.total, 1);
        assert_eq!(found.customers[0].id, created.id);
        let by_tax_id = search(&db, "12345678");
        assert_eq!(by_tax_id.total, 1);

        let edited = update(
            &db,
            &crate::reminders::Rechecks::default(),
            created.id,
            CustomerForm {
                phone: "+58 412 555 0101".into(),
                email_language: Some(Language::En),
                ..form("Ferretería José Peña")
            },
            Language::Es,
        )
        .expect("edited");
        assert_eq!(edited.phone.as_deref(), Some("+58 412 555 0101"));
        assert_eq!(edited.email_language, Language::En);

        set_archived(&db, created.id, true).expect("archived");
        let everyday = list(&db, &CustomerQuery::default()).expect("list");
        assert_eq!(
            everyday.total, 1,
            "archived customers leave the everyday list"
        );
        let all = list(
            &db,
            &CustomerQuery {
                include_archived: true,
                ..Default::default()
            },
        )
        .expect("list");
        assert_eq!(all.total, 2);

        delete(&db, created.id).expect("deleted");
        assert!(matches!(
            get(&db, created.id),
            Err(BooksError::NotFound { .. })
        ));
    }

    #[test]
    fn bad_input_is_refused_field_by_field_and_nothing_is_written() {
        let (_dir, db) = db();
        let err = create(
            &db,
            CustomerForm {
                name: "  ".into(),
                email: "ana@".into(),
                notes: "x".repeat(MAX_LONG + 1),
                ..CustomerForm::default()
            },
            Language::Es,
        )
        .expect_err("invalid");
        let problems = crate::books::field_problems(err);
        let problems: Vec<_> = problems.iter().map(|(f, p)| (f.as_str(), *p)).collect();
        assert_eq!(
            problems,
            [
                ("name", FieldProblem::Required),
                ("email", FieldProblem::InvalidEmail),
                ("notes", FieldProblem::TooLong)
            ]
        );
        let huge = create(&db, form(&"N".repeat(1_000_000)), Language::Es).expect_err("1 MB name");
        assert!(matches!(huge, BooksError::Invalid(_)));
        assert_eq!(list(&db, &CustomerQuery::default()).expect("list").total, 0);
    }

    #[test]
    fn search_treats_wildcards_as_text() {
        let (_dir, db) = db();
        create(&db, form("100% Repuestos"), Language::Es).expect("created");
        create(&db, form("Repuestos Centro"), Language::Es).expect("created");
        let found = search(&db, "100%");
        assert_eq!(found.total, 1);
    }
}
