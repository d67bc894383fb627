//! "Enviar por WhatsApp": the link that opens WhatsApp with a customer's statement (or one
//! receivable's reminder) typed in — `https://wa.me/<number>?text=<the text part>` — with the
//! customer's phone as E.164 digits: a number with its own "+" (or "00") country code is kept as
//! it is; a local one is read by the shop's region (0414-1234567 in Venezuela → 584141234567,
//! Mexico's 10 digits → 52…).
//!
//! The app cannot know whether the message was sent — WhatsApp opens with it typed in, and the
//! owner presses send — so the history records that WhatsApp was opened, no more.

use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::customers;
use crate::books::history::{self, Facts, HistoryKind};
use crate::books::reading::Reading;
use crate::books::{BooksError, Refusal};
use crate::db::Database;
use crate::locale::Region;
use crate::reminders;
use crate::statements::{self, StatementError};
use crate::validation::{FieldErrors, FieldProblem};

/// The most of a message a link carries: a longer statement is cut at a line, with "…" (the
/// whole one goes by email, with its PDF).
pub const MAX_TEXT: usize = 3_000;

/// Whose message to open WhatsApp with.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct WhatsAppRequest {
    #[ts(type = "number")]
    pub customer_id: i64,
    /// One receivable's reminder; without it, the customer's statement.
    #[ts(type = "number | null")]
    pub receivable_id: Option<i64>,
}

/// The link, for the window to say what was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WhatsAppLink {
    pub url: String,
    /// The number the link opens, E.164 digits.
    pub phone: String,
}

/// The phone as E.164 digits (without the "+"), or why it cannot be dialled.
pub fn normalize_phone(typed: &str, region: Region) -> Result<String, FieldProblem> {
    let trimmed = typed.trim();
    let allowed = trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '/'));
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if !allowed || digits.is_empty() || trimmed.matches('+').count() > 1 {
        return Err(FieldProblem::InvalidPhone);
    }
    let international = if trimmed.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else {
        local(&digits, region).ok_or(FieldProblem::InvalidPhone)?
    };
    // E.164: at most 15 digits, a country code that never starts with 0.
    if !(8..=15).contains(&international.len()) || international.starts_with('0') {
        return Err(FieldProblem::InvalidPhone);
    }
    Ok(international)
}

/// A number without a country code, as people write it in the shop's region.
fn local(digits: &str, region: Region) -> Option<String> {
    let national = |code: &str, lengths: &[usize], trunk: bool| {
        let number = if trunk {
            digits.strip_prefix('0').unwrap_or(digits)
        } else {
            digits
        };
        lengths
            .contains(&number.len())
            .then(|| format!("{code}{number}"))
    };
    match region {
        // 0414-1234567: the trunk 0 goes, ten digits stay.
        Region::EsVe => national("58", &[10], true),
        // Ten digits; WhatsApp reaches Mexican mobiles as 52 + the ten.
        Region::EsMx => national("52", &[10], false),
        Region::EsCo => national("57", &[10], false),
        // Mobiles are reached as 54 9 + area code and number (ten digits, without the 15).
        Region::EsAr => national("549", &[10], true),
        Region::EsCl => national("56", &[9], false),
        Region::EsPe => national("51", &[9], false),
        Region::EsEs => national("34", &[9], false),
        Region::EnUs => match digits.len() {
            11 if digits.starts_with('1') => Some(digits.to_owned()),
            _ => national("1", &[10], false),
        },
    }
}

/// `https://wa.me/<phone>?text=<text>`: every byte outside the URL's unreserved set
/// percent-encoded (accents, ñ, line breaks, emoji), a long text cut at a line.
pub fn link(phone: &str, text: &str) -> String {
    let text = shortened(text.trim_end());
    let encoded: String = url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        // form encoding writes a space as "+"; wa.me reads %20 (a literal "+" is already %2B).
        .replace('+', "%20");
    format!("https://wa.me/{phone}?text={encoded}")
}

/// The text a [`link`] opens WhatsApp with, decoded as WhatsApp reads it; `None` for a link
/// that carries none. The one reading of a link, so every test checks the text the same way.
pub fn text_in(link: &str) -> Option<String> {
    let url = url::Url::parse(link).ok()?;
    let text = url.query_pairs().find(|(name, _)| name == "text")?.1;
    Some(text.into_owned())
}

fn shortened(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut kept = String::new();
    for line in text.lines() {
        if kept.chars().count() + line.chars().count() + 2 > MAX_TEXT {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    if kept.is_empty() {
        kept = text.chars().take(MAX_TEXT - 1).collect();
    }
    kept.push('…');
    kept
}

#[derive(Debug, thiserror::Error)]
pub enum WhatsAppError {
    #[error(transparent)]
    Statement(#[from] StatementError),
    #[error(transparent)]
    Reminder(#[from] reminders::ReminderError),
    #[error(transparent)]
    Books(#[from] BooksError),
}

impl From<rusqlite::Error> for WhatsAppError {
    fn from(err: rusqlite::Error) -> Self {
        WhatsAppError::Books(err.into())
    }
}

/// The link for the customer's statement (or the receivable's reminder), in their language,
/// to their phone. No phone, or one that cannot be dialled, is refused with the reason.
pub fn link_for(
    db: &Database,
    request: &WhatsAppRequest,
    reading: &Reading,
) -> Result<WhatsAppLink, WhatsAppError> {
    db.read(|conn| {
        let customer = customers::find(conn, request.customer_id)?;
        let Some(phone) = customer.phone.as_deref().filter(|p| !p.trim().is_empty()) else {
            return Err(BooksError::Refused(Refusal::NoPhone).into());
        };
        let phone = normalize_phone(phone, reading.region).map_err(|problem| {
            let mut errors = FieldErrors::default();
            errors.add("phone", problem);
            BooksError::Invalid(errors.into_vec())
        })?;
        let text = match request.receivable_id {
            Some(receivable_id) => {
                let draft = reminders::draft_in(conn, receivable_id, None, reading)?;
                if draft.stated.customer_id != request.customer_id {
                    return Err(BooksError::NotFound {
                        what: "receivable",
                        id: receivable_id,
                    }
                    .into());
                }
                draft.message.text
            }
            None => {
                statements::queue::draft_in(conn, request.customer_id, None, false, reading)?
                    .message
                    .text
            }
        };
        Ok(WhatsAppLink {
            url: link(&phone, &text),
            phone,
        })
    })
}

/// Records "WhatsApp abierto" on what the message was about (the receivable, or each one the
/// statement lists), once the link was handed to the system.
pub fn record_opened(
    db: &Database,
    request: &WhatsAppRequest,
    phone: &str,
) -> Result<(), WhatsAppError> {
    db.write(|tx: &Transaction<'_>| {
        let receivables: Vec<i64> = match request.receivable_id {
            Some(id) => vec![id],
            None => tx
                .prepare_cached(
                    "SELECT id FROM receivables WHERE customer_id = ?1 AND status = 'pending'",
                )?
                .query_map([request.customer_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?,
        };
        for id in receivables {
            history::record(
                tx,
                id,
                HistoryKind::WhatsappOpened,
                &Facts {
                    recipient: Some(format!("+{phone}")),
                    ..Facts::default()
                },
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_numbers_are_read_by_the_shops_region() {
        for (typed, region, expected) in [
            ("0414-1234567", Region::EsVe, "584141234567"),
            ("(0414) 123.45.67", Region::EsVe, "584141234567"),
            ("4141234567", Region::EsVe, "584141234567"),
            ("55 1234 5678", Region::EsMx, "525512345678"),
            ("300 123 4567", Region::EsCo, "573001234567"),
            ("011 2345-6789", Region::EsAr, "5491123456789"),
            ("9 8765 4321", Region::EsCl, "56987654321"),
            ("987 654 321", Region::EsPe, "51987654321"),
            ("612 34 56 78", Region::EsEs, "34612345678"),
            ("(212) 555-0101", Region::EnUs, "12125550101"),
            ("1-212-555-0101", Region::EnUs, "12125550101"),
        ] {
            assert_eq!(
                normalize_phone(typed, region).as_deref(),
                Ok(expected),
                "{typed}"
            );
        }
    }

    #[test]
    fn a_number_with_its_own_country_code_is_kept() {
        // A Colombian customer of a Venezuelan shop.
        assert_eq!(
            normalize_phone("+57 300 123 4567", Region::EsVe).as_deref(),
            Ok("573001234567")
        );
        assert_eq!(
            normalize_phone("0034 612 345 678", Region::EsVe).as_deref(),
            Ok("34612345678")
        );
    }

    #[test]
    fn what_cannot_be_dialled_is_refused() {
        for typed in [
            "",
            "abc",
            "0414-123",
            "+0414 1234567",
            "++58414",
            "0414 1234567 ext 2",
        ] {
            assert_eq!(
                normalize_phone(typed, Region::EsVe),
                Err(FieldProblem::InvalidPhone),
                "{typed:?}"
            );
        }
        assert_eq!(
            normalize_phone("+1234567890123456", Region::EsVe),
            Err(FieldProblem::InvalidPhone),
            "more than 15 digits"
        );
    }

    fn decoded(url: &str) -> String {
        text_in(url).expect("the link carries a text")
    }

    #[test]
    fn the_text_survives_the_link_with_accents_line_breaks_and_emoji() {
        let text = "Señora Núñez:\nSaldo USD 1.100,00 (50% vencido) & más 🙏\n#F-0001 ¿ok? a+b=c";
        let url = link("584141234567", text);
        assert!(url.starts_with("https://wa.me/584141234567?text="));
        let query = url.split_once('?').expect("query").1;
        assert!(
            query["text=".len()..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~*%".contains(&b)),
            "{query}"
        );
        assert!(query.contains("%0A"), "line breaks encoded");
        assert!(query.contains("%C3%B1"), "ñ as UTF-8");
        assert!(query.contains("%F0%9F%99%8F"), "emoji as UTF-8");
        assert!(!query.contains('+'), "spaces are %20, a plus is %2B");
        assert_eq!(decoded(&url), text);
    }

    #[test]
    fn a_long_text_is_cut_at_a_line() {
        let long: String = (0..400)
            .map(|n| format!("- F-{n:04} · Saldo USD 10,00\n"))
            .collect();
        let url = link("584141234567", &long);
        let text = decoded(&url);
        assert!(text.chars().count() <= MAX_TEXT);
        assert!(text.ends_with("Saldo USD 10,00\n…"), "cut at a whole line");
        assert!(url.len() < 20_000);
    }
}
