//! The app's own words in a statement — the table's headings, the payments' sentence, the page
//! numbers — in each language a customer may read. The owner's words around the table are the
//! template's (`template`); these are the layout's and are not edited.

use crate::locale::Language;

/// Every fixed text of a statement in one language.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub title: &'static str,
    /// "al" / "as of", before the date.
    pub as_of: &'static str,
    pub customer: &'static str,
    pub tax_id: &'static str,
    pub phone: &'static str,
    pub document: &'static str,
    pub concept: &'static str,
    pub issued: &'static str,
    pub due: &'static str,
    pub days_overdue: &'static str,
    pub amount: &'static str,
    pub paid: &'static str,
    pub balance: &'static str,
    /// "Saldo en" / "Balance in", before a currency code.
    pub balance_in: &'static str,
    pub total: &'static str,
    pub overdue: &'static str,
    pub continued: &'static str,
    pub payments_title: &'static str,
    pub methods_title: &'static str,
    /// Where no document number was given.
    pub no_document: &'static str,
    pub file_prefix: &'static str,
    pub sent_with: &'static str,
}

pub fn of(language: Language) -> Words {
    match language {
        Language::Es => Words {
            title: "Estado de cuenta",
            as_of: "al",
            customer: "Cliente",
            tax_id: "Identificación fiscal",
            phone: "Teléfono",
            document: "Documento",
            concept: "Concepto",
            issued: "Emisión",
            due: "Vencimiento",
            days_overdue: "Días venc.",
            amount: "Monto",
            paid: "Abonado",
            balance: "Saldo",
            balance_in: "Saldo en",
            total: "Total",
            overdue: "Vencido",
            continued: "(continúa)",
            payments_title: "Abonos recibidos",
            methods_title: "Formas de pago",
            no_document: "—",
            file_prefix: "Estado de cuenta",
            sent_with: "Estado de cuenta enviado con Cachicamo.",
        },
        Language::En => Words {
            title: "Statement of account",
            as_of: "as of",
            customer: "Customer",
            tax_id: "Tax ID",
            phone: "Phone",
            document: "Document",
            concept: "Concept",
            issued: "Issued",
            due: "Due",
            days_overdue: "Days overdue",
            amount: "Amount",
            paid: "Paid",
            balance: "Balance",
            balance_in: "Balance in",
            total: "Total",
            overdue: "Overdue",
            continued: "(continued)",
            payments_title: "Payments received",
            methods_title: "Payment methods",
            no_document: "—",
            file_prefix: "Statement",
            sent_with: "Statement sent with Cachicamo.",
        },
    }
}

/// "Recibimos su abono de USD 50,00 el 12/11/2026 (F-0042)."
pub fn payment_received(
    language: Language,
    amount: &str,
    date: &str,
    document: Option<&str>,
) -> String {
    let sentence = match language {
        Language::Es => format!("Recibimos su abono de {amount} el {date}"),
        Language::En => format!("We received your payment of {amount} on {date}"),
    };
    match document {
        Some(document) => format!("{sentence} ({document})."),
        None => format!("{sentence}."),
    }
}

/// "Equivalente referencial: VES 36.500,00 a tasa BCV del 30/11/2026".
pub fn equivalent(language: Language, amount: &str, source: &str, date: &str) -> String {
    match language {
        Language::Es => format!("Equivalente referencial: {amount} a tasa {source} del {date}"),
        Language::En => format!("Reference equivalent: {amount} at the {source} rate of {date}"),
    }
}

/// "30 días vencida" / "not yet due".
pub fn overdue_days(language: Language, days: u32) -> String {
    match (language, days) {
        (Language::Es, 0) => "por vencer".to_owned(),
        (Language::Es, 1) => "1 día vencida".to_owned(),
        (Language::Es, n) => format!("{n} días vencida"),
        (Language::En, 0) => "not yet due".to_owned(),
        (Language::En, 1) => "1 day overdue".to_owned(),
        (Language::En, n) => format!("{n} days overdue"),
    }
}

/// "Página 2 de 5".
pub fn page_of(language: Language, page: usize, pages: usize) -> String {
    match language {
        Language::Es => format!("Página {page} de {pages}"),
        Language::En => format!("Page {page} of {pages}"),
    }
}
