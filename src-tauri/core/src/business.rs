//! Ajustes → Negocio: who the business is (name, tax id, address, phone), the currency its books
//! default to. Kept in the settings table. (How to pay is `payment_options`'.)
//!
//! What is read back is checked like what is typed (a restored copy may carry anything): a
//! field that would be refused on saving is left out of what reminders quote, and Ajustes →
//! Negocio shows it as needing attention.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::currency;
use crate::books::BooksError;
use crate::db::Database;
use crate::settings::{self, SettingsError};
use crate::validation::{FieldError, FieldErrors, FieldProblem};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Business {
    pub name: String,
    pub tax_id: String,
    pub address: String,
    pub phone: String,
    /// ISO 4217 code of a supported currency.
    pub default_currency: String,
    /// Free text reminders quoted before formas de pago existed. Migration 0010 turned it into
    /// an "otro" forma de pago for every currency (`payment_options`); messages no longer quote
    /// it, and it is kept only so a profile saved by either version reads back.
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

/// The business as Ajustes → Negocio shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BusinessView {
    /// As saved, for the owner to see and fix.
    pub business: Business,
    /// What saving it as it is would refuse, field by field: empty unless the saved profile
    /// came from somewhere that skipped the checks (a restored copy, an older version).
    pub problems: Vec<FieldError>,
}

/// The saved business, with its problems. Before the owner fills it in: empty, in dollars.
pub fn view(db: &Database) -> Result<BusinessView, SettingsError> {
    db.read(view_in)
}

/// [`view`] inside a transaction the caller holds.
pub fn view_in(conn: &rusqlite::Connection) -> Result<BusinessView, SettingsError> {
    let saved = match settings::business_in(conn) {
        Ok(saved) => saved,
        // Not even readable: as if never filled in, and said so.
        Err(SettingsError::Corrupt { .. }) => {
            let mut problems = FieldErrors::default();
            problems.add("name", FieldProblem::Required);
            return Ok(BusinessView {
                business: unfilled(),
                problems: problems.into_vec(),
            });
        }
        Err(err) => return Err(err),
    };
    let business = saved.unwrap_or_else(unfilled);
    let problems = match business.clone().validated() {
        Ok(_) => Vec::new(),
        Err(BooksError::Invalid(fields)) => fields,
        Err(_) => Vec::new(),
    };
    if !problems.is_empty() {
        tracing::warn!(
            fields = ?problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(),
            "the saved business profile does not pass its checks"
        );
    }
    Ok(BusinessView { business, problems })
}

/// The business reminders and the books may use: the saved one, trimmed, with any field that
/// would be refused on saving left empty (the currency falls back to dollars).
pub fn get(db: &Database) -> Result<Business, SettingsError> {
    db.read(get_in)
}

/// [`get`] inside a transaction the caller holds (the send check renders with it).
pub fn get_in(conn: &rusqlite::Connection) -> Result<Business, SettingsError> {
    let BusinessView { business, problems } = view_in(conn)?;
    if problems.is_empty() {
        // Valid, so validating again only trims.
        return Ok(business.clone().validated().unwrap_or(business));
    }
    let refused = |field: &str| problems.iter().any(|p| p.field == field);
    let keep = |field: &str, value: String| if refused(field) { String::new() } else { value };
    let usable = Business {
        name: keep("name", business.name),
        tax_id: keep("taxId", business.tax_id),
        address: keep("address", business.address),
        phone: keep("phone", business.phone),
        default_currency: if refused("defaultCurrency") {
            DEFAULT_CURRENCY.to_owned()
        } else {
            business.default_currency
        },
        payment_instructions: keep("paymentInstructions", business.payment_instructions),
    };
    Ok(usable.clone().validated().unwrap_or(usable))
}

fn unfilled() -> Business {
    Business {
        default_currency: DEFAULT_CURRENCY.to_owned(),
        ..Business::default()
    }
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
        let problems = crate::books::field_problems(err);
        let problems: Vec<_> = problems.iter().map(|(f, p)| (f.as_str(), *p)).collect();
        assert_eq!(
            problems,
            [
                ("name", FieldProblem::TooLong),
                ("defaultCurrency", FieldProblem::UnknownCurrency)
            ]
        );
        assert_eq!(get(&db).expect("read").name, "");
    }

    #[test]
    fn a_saved_profile_that_would_be_refused_is_flagged_and_not_quoted() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("c.sqlite3")).expect("db");
        // As a restored copy could carry it: written past the checks.
        settings::set_business(
            &db,
            &Business {
                name: "Ferretería Peña".into(),
                default_currency: "XXX".into(),
                payment_instructions: "P".repeat(10_000),
                ..Business::default()
            },
        )
        .expect("stored raw");
        let shown = view(&db).expect("view");
        let flagged: Vec<_> = shown
            .problems
            .iter()
            .map(|f| (f.field.as_str(), f.problem))
            .collect();
        assert_eq!(
            flagged,
            [
                ("paymentInstructions", FieldProblem::TooLong),
                ("defaultCurrency", FieldProblem::UnknownCurrency)
            ]
        );
        assert_eq!(
            shown.business.default_currency, "XXX",
            "shown as saved, to be fixed"
        );
        let usable = get(&db).expect("usable");
        assert_eq!(usable.name, "Ferretería Peña", "what passes is kept");
        assert_eq!(usable.payment_instructions, "", "what fails is not quoted");
        assert_eq!(usable.default_currency, "USD");

        save(&db, usable.clone()).expect("the owner saves it fixed");
        assert!(view(&db).expect("view").problems.is_empty());
    }
}
