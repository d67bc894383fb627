//! A forma de pago in the customer's language, as reminders and statements quote it, and the
//! line asking them to name what they pay.

use super::{AccountType, PaymentOptionDetails};
use crate::locale::Language;

/// One method as one line (an "otro" text keeps its own lines).
pub fn describe(details: &PaymentOptionDetails, language: Language) -> String {
    use PaymentOptionDetails::*;
    let es = language == Language::Es;
    match details {
        PagoMovil {
            bank,
            phone,
            id_number,
        } => format!("Pago Móvil: {bank} · {phone} · {id_number}"),
        Transfer {
            bank,
            account,
            holder,
            account_type,
        } => {
            let kind = match (account_type, es) {
                (AccountType::Checking, true) => "corriente",
                (AccountType::Savings, true) => "de ahorro",
                (AccountType::Checking, false) => "checking",
                (AccountType::Savings, false) => "savings",
            };
            if es {
                format!("Transferencia (cuenta {kind}): {bank} · {account} · titular {holder}")
            } else {
                format!("Bank transfer ({kind} account): {bank} · {account} · holder {holder}")
            }
        }
        Zelle { email, holder } => {
            if es {
                format!("Zelle: {email} · titular {holder}")
            } else {
                format!("Zelle: {email} · holder {holder}")
            }
        }
        Cash { note } => {
            let label = if es {
                "Efectivo en tienda"
            } else {
                "Cash in store"
            };
            if note.is_empty() {
                label.to_owned()
            } else {
                format!("{label}: {note}")
            }
        }
        Spei { clabe, bank } => format!("SPEI: {bank} · CLABE {clabe}"),
        Other { text } => text.clone(),
    }
}

/// "Indique como referencia F-0042." — or, for a statement covering several documents, to name
/// the one being paid.
pub fn reference_line(language: Language, document: Option<&str>) -> String {
    match (language, document) {
        (Language::Es, Some(document)) => format!("Indique como referencia {document}."),
        (Language::En, Some(document)) => {
            format!("Please use {document} as the payment reference.")
        }
        (Language::Es, None) => {
            "Indique como referencia el número del documento que paga.".to_owned()
        }
        (Language::En, None) => {
            "Please use the number of the document you pay as the payment reference.".to_owned()
        }
    }
}
