//! Formas de pago (Ajustes → Negocio): how customers can pay — Pago Móvil, transferencia, Zelle,
//! efectivo en tienda, SPEI or any other text — each tied to the currencies it accepts, checked
//! field by field. Reminders and statements quote the ones that accept what the message asks to
//! be paid, with "indique como referencia <documento>".
//!
//! Kept in their own table as a list the owner edits and saves whole. What is read back is
//! checked like what is typed (a restored copy may carry anything): a method that would be
//! refused is left out of every message, and the list says so.

mod describe;
pub mod fields;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use describe::{describe, reference_line};

use crate::books::{currency, BooksError};
use crate::db::Database;
use crate::locale::Language;
use crate::mail::EmailAddress;
use crate::validation::{FieldError, FieldErrors, FieldProblem};
use crate::wire;

/// No shop offers more ways to pay than this.
pub const MAX_OPTIONS: usize = 20;
const MAX_SHORT: usize = 100;
const MAX_NOTE: usize = 500;
/// Long enough for the free-text instructions of earlier versions (4,000 characters).
const MAX_TEXT: usize = 4_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    /// Cuenta corriente.
    Checking,
    /// Cuenta de ahorro.
    Savings,
}

/// One way to pay, with what it needs. Its kind (`PaymentKind`) is stored beside the details, by
/// its wire name, so the database can be read without parsing every row's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, strum::EnumDiscriminants)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[strum_discriminants(
    name(PaymentKind),
    derive(Serialize, Deserialize, strum::VariantArray),
    serde(rename_all = "snake_case")
)]
pub enum PaymentOptionDetails {
    PagoMovil {
        bank: String,
        phone: String,
        /// Cédula or RIF.
        id_number: String,
    },
    Transfer {
        bank: String,
        account: String,
        holder: String,
        account_type: AccountType,
    },
    Zelle {
        email: String,
        holder: String,
    },
    /// Efectivo en tienda; `note` may say where or when.
    Cash {
        #[serde(default)]
        note: String,
    },
    Spei {
        clabe: String,
        bank: String,
    },
    /// Any other instructions, as typed.
    Other {
        text: String,
    },
}

/// A forma de pago as the owner types it and as it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentOption {
    pub details: PaymentOptionDetails,
    /// ISO 4217 codes it accepts; `null`: every currency.
    pub currencies: Option<Vec<String>>,
}

impl PaymentOption {
    /// Whether it is offered for what is owed in `code`.
    pub fn accepts(&self, code: &str) -> bool {
        self.currencies
            .as_ref()
            .is_none_or(|codes| codes.iter().any(|c| c == code))
    }

    /// Trims and normalises every field, or says what is wrong with each, under `prefix`
    /// ("2.clabe").
    fn validated(self, prefix: &str, errors: &mut FieldErrors) -> Option<PaymentOption> {
        use PaymentOptionDetails::*;
        let before = errors.len();
        let field = |name: &str| format!("{prefix}{name}");
        let required = |errors: &mut FieldErrors, name: &str, text: &str, max: usize| {
            errors
                .required_text(&field(name), text, max)
                .unwrap_or_default()
        };
        let check = |errors: &mut FieldErrors,
                     name: &str,
                     text: &str,
                     read: fn(&str) -> Result<String, FieldProblem>| {
            if text.trim().is_empty() {
                errors.add(&field(name), FieldProblem::Required);
                return String::new();
            }
            read(text).unwrap_or_else(|problem| {
                errors.add(&field(name), problem);
                String::new()
            })
        };
        // Each field is replaced by its trimmed, normalised text, or refused where it stands.
        let mut details = self.details;
        match &mut details {
            PagoMovil {
                bank,
                phone,
                id_number,
            } => {
                *bank = required(errors, "bank", bank, MAX_SHORT);
                *phone = check(errors, "phone", phone, fields::mobile_phone);
                *id_number = check(errors, "idNumber", id_number, fields::id_number);
            }
            Transfer {
                bank,
                account,
                holder,
                ..
            } => {
                *bank = required(errors, "bank", bank, MAX_SHORT);
                *account = check(errors, "account", account, fields::account);
                *holder = required(errors, "holder", holder, MAX_SHORT);
            }
            Zelle { email, holder } => {
                *email = check(errors, "email", email, |text| {
                    text.trim()
                        .parse::<EmailAddress>()
                        .map(|address| address.to_string())
                        .map_err(|_| FieldProblem::InvalidEmail)
                });
                *holder = required(errors, "holder", holder, MAX_SHORT);
            }
            Cash { note } => {
                *note = errors
                    .optional_text(&field("note"), note, MAX_NOTE)
                    .unwrap_or_default();
            }
            Spei { clabe, bank } => {
                *clabe = check(errors, "clabe", clabe, fields::clabe);
                *bank = required(errors, "bank", bank, MAX_SHORT);
            }
            Other { text } => {
                *text = required(errors, "text", &text.replace("\r\n", "\n"), MAX_TEXT);
            }
        }
        let currencies = match self.currencies {
            None => None,
            Some(codes) if codes.is_empty() => {
                errors.add(&field("currencies"), FieldProblem::Required);
                None
            }
            Some(codes) => {
                let mut kept: Vec<String> = Vec::new();
                for code in codes {
                    match currency::find(&code) {
                        Some(found) if !kept.iter().any(|k| k == found.code) => {
                            kept.push(found.code.to_owned());
                        }
                        Some(_) => {}
                        None => errors.add_with(
                            &field("currencies"),
                            FieldProblem::UnknownCurrency,
                            code.chars().take(10).collect(),
                        ),
                    }
                }
                Some(kept)
            }
        };
        (errors.len() == before).then_some(PaymentOption {
            details,
            currencies,
        })
    }
}

/// The list as Ajustes → Negocio shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PaymentOptionsView {
    /// As saved, in the owner's order (the unusable ones too, to be fixed).
    pub methods: Vec<PaymentOption>,
    /// What saving the list as it is would refuse (`"2.clabe"`…): empty unless it came from
    /// somewhere that skipped the checks (a restored copy).
    pub problems: Vec<FieldError>,
}

/// Checks a whole list, every method's fields at once.
pub fn validated(methods: Vec<PaymentOption>) -> Result<Vec<PaymentOption>, BooksError> {
    let mut errors = FieldErrors::default();
    if methods.len() > MAX_OPTIONS {
        errors.add("methods", FieldProblem::TooLong);
        return Err(BooksError::Invalid(errors.into_vec()));
    }
    let kept: Vec<PaymentOption> = methods
        .into_iter()
        .enumerate()
        .filter_map(|(index, method)| method.validated(&format!("{index}."), &mut errors))
        .collect();
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(BooksError::Invalid(errors.into_vec()))
    }
}

/// Replaces the list with `methods`, checked, in one transaction; nothing changes when a field
/// is refused.
pub fn save(db: &Database, methods: Vec<PaymentOption>) -> Result<PaymentOptionsView, BooksError> {
    let valid = validated(methods)?;
    db.write(|tx| {
        tx.execute("DELETE FROM payment_options", [])?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO payment_options (position, kind, details, currencies)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (position, method) in valid.iter().enumerate() {
            insert.execute(params![
                position as i64,
                wire::code(&PaymentKind::from(&method.details)),
                json(&method.details)?,
                method.currencies.as_ref().map(json).transpose()?,
            ])?;
        }
        Ok::<_, BooksError>(())
    })?;
    view(db)
}

fn json<T: Serialize>(value: &T) -> Result<String, BooksError> {
    serde_json::to_string(value).map_err(|err| BooksError::Export(err.to_string()))
}

pub fn view(db: &Database) -> Result<PaymentOptionsView, BooksError> {
    db.read(view_in)
}

/// Every saved method, and what would be refused in them.
pub fn view_in(conn: &Connection) -> Result<PaymentOptionsView, BooksError> {
    let mut statement = conn
        .prepare_cached("SELECT details, currencies FROM payment_options ORDER BY position, id")?;
    let rows = statement
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut methods = Vec::new();
    let mut errors = FieldErrors::default();
    for (index, (details, currencies)) in rows.into_iter().enumerate() {
        let parsed = serde_json::from_str::<PaymentOptionDetails>(&details)
            .ok()
            .zip(match currencies {
                None => Some(None),
                Some(json) => serde_json::from_str::<Vec<String>>(&json).ok().map(Some),
            });
        match parsed {
            Some((details, currencies)) => {
                let method = PaymentOption {
                    details,
                    currencies,
                };
                method.clone().validated(&format!("{index}."), &mut errors);
                methods.push(method);
            }
            None => errors.add(&format!("{index}.kind"), FieldProblem::Required),
        }
    }
    Ok(PaymentOptionsView {
        methods,
        problems: errors.into_vec(),
    })
}

/// The methods messages may quote: those that pass their checks, in the owner's order. One
/// that would be refused (a restored copy) is left out, never quoted half-right.
pub fn usable_in(conn: &Connection) -> Result<Vec<PaymentOption>, BooksError> {
    let view = view_in(conn)?;
    Ok(view
        .methods
        .into_iter()
        .enumerate()
        .filter(|(index, _)| {
            let prefix = format!("{index}.");
            !view.problems.iter().any(|p| p.field.starts_with(&prefix))
        })
        .map(|(_, method)| method)
        .collect())
}

/// How to pay what is owed in `currencies`, in `language`: one block per method accepting any
/// of them, then the reference line (`document` for one receivable; none for a statement).
/// Empty when no method accepts them, so a message's paragraph about paying is left out.
pub fn instructions(
    methods: &[PaymentOption],
    currencies: &[&str],
    language: Language,
    document: Option<&str>,
) -> Vec<String> {
    let mut blocks: Vec<String> = methods
        .iter()
        .filter(|method| currencies.iter().any(|code| method.accepts(code)))
        .map(|method| describe(&method.details, language))
        .collect();
    if !blocks.is_empty() {
        blocks.push(reference_line(language, document));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `kind` column's names: the migration's CHECK lists exactly these.
    #[test]
    fn kinds_are_pinned_and_are_the_details_own_tag() {
        wire::assert_pinned(|kind| match kind {
            PaymentKind::PagoMovil => "pago_movil",
            PaymentKind::Transfer => "transfer",
            PaymentKind::Zelle => "zelle",
            PaymentKind::Cash => "cash",
            PaymentKind::Spei => "spei",
            PaymentKind::Other => "other",
        });
        let cash = PaymentOptionDetails::Cash {
            note: String::new(),
        };
        let tagged = serde_json::to_value(&cash).expect("json");
        assert_eq!(tagged["kind"], wire::code(&PaymentKind::from(&cash)));
    }
}
