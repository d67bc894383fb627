//! Ajustes → Negocio: who the business is (name, tax id, address, phone), the currency its books
//! default to, and the payment instructions reminders quote. Kept in the settings table.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::currency;
use crate::books::BooksError;
use crate::db::Database;
use crate::settings::{self, SettingsError};
use crate::validation::{FieldErrors, FieldProblem};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Business {
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    /// ISO 4217 code of a supported currency.
    pub default_currency: String,
    /// Free text quoted in payment reminders (bank accounts, pago móvil, where to pay).
    pub payment_instructions: String,
}

const DEFAULT_CURRENCY: &str = "USD";

impl Business {
    /// Trims every field and refuses what cannot be kept, field by field.
    fn validated(self) -> Result<Business, BooksError> {
        let mut errors = FieldErrors::default();
        let text = |errors: &mut FieldErrors, field: &str, raw: &str, max: usize| {
            errors.optional_text(field, raw, max).unwrap_or_default()
        };
        let name = text(&mut errors, "name", &self.name, 200);
        let tax_id = text(&mut errors, "taxId", &self.tax_id, 100);
        let address = text(&mut errors, "address", &self.address, 2000);
        let phone = text(&mut errors, "phone", &self.phone, 100);
        let payment_instructions = text(
            &mut errors,
            "paymentInstructions",
            &self.payment_instructions,
            4000,
        );
        let default_currency = match currency::find(&self.default_currency) {
            Some(found) => found.code.to_owned(),
            None => {
                errors.add("defaultCurrency", FieldProblem::UnknownCurrency);
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(BooksError::Invalid(errors.into_vec()));
        }
        Ok(Business {
            name,
            tax_id,
            address,
            phone,
            default_currency,
            payment_instructions,
        })
    }
}

/// The saved business, or an empty one in dollars before the owner fills it in.
pub fn get(db: &Database) -> Result<Business, SettingsError> {
    db.read(get_in)
}

/// [`get`] inside a transaction the caller holds.
pub fn get_in(conn: &rusqlite::Connection) -> Result<Business, SettingsError> {
    Ok(settings::business_in(conn)?.unwrap_or_else(|| Business {
        default_currency: DEFAULT_CURRENCY.to_owned(),
        ..Business::default()
    }))
}

pub fn save(db: &Database, business: Business) -> Result<Business, BooksError> {
    let valid = business.validated()?;
    settings::set_business(db, &valid).map_err(|err| match err {
        SettingsError::Db(db) => BooksError::Db(db),
        SettingsError::Corrupt { .. } => {
            BooksError::Refused(crate::books::Refusal::SettingsUnstorable)
        }
    })?;
    Ok(valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_is_saved_trimmed_and_read_back() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("c.sqlite3")).expect("db");
        assert_eq!(get(&db).expect("default").default_currency, "USD");
        let saved = save(
            &db,
            Business {
                name: "  Ferretería José Peña ".into(),
                default_currency: "ves".into(),
                payment_instructions: "Pago móvil: 0412-5550101, Banco de Venezuela".into(),
                ..Business::default()
            },
        )
        .expect("saved");
        assert_eq!(saved.name, "Ferretería José Peña");
        assert_eq!(saved.default_currency, "VES");
        assert_eq!(get(&db).expect("read"), saved);
    }

    #[test]
    fn an_unknown_currency_and_a_huge_name_are_refused_and_nothing_changes() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("c.sqlite3")).expect("db");
        let err = save(
            &db,
            Business {
                name: "N".repeat(1_000_000),
                default_currency: "XXX".into(),
                ..Business::default()
            },
        )
        .expect_err("invalid");
        let BooksError::Invalid(fields) = err else {
            panic!("field errors expected");
        };
        let problems: Vec<_> = fields
            .iter()
            .map(|f| (f.field.as_str(), f.problem))
            .collect();
        assert_eq!(
            problems,
            [
                ("name", FieldProblem::TooLong),
                ("defaultCurrency", FieldProblem::UnknownCurrency)
            ]
        );
        assert_eq!(get(&db).expect("read").name, "");
    }
}
