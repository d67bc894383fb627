//! The words a reminder template may use between `{{ }}`: one name per fact in each language, so a
//! Spanish owner writes `{{ cliente }}` and an English one `{{ customer }}`. The UI explains each
//! by its stable `key`; the name is what the template says.

use serde::Serialize;
use ts_rs::TS;

use crate::locale::Language;

/// One fact a reminder can quote, independent of the language the template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VariableKey {
    Customer,
    Business,
    DocumentNumber,
    Concept,
    Amount,
    Balance,
    IssueDate,
    DueDate,
    DaysOverdue,
    PaymentInstructions,
}

impl VariableKey {
    pub const ALL: [VariableKey; 10] = [
        VariableKey::Customer,
        VariableKey::Business,
        VariableKey::DocumentNumber,
        VariableKey::Concept,
        VariableKey::Amount,
        VariableKey::Balance,
        VariableKey::IssueDate,
        VariableKey::DueDate,
        VariableKey::DaysOverdue,
        VariableKey::PaymentInstructions,
    ];

    /// What a template written in `language` calls this fact.
    pub fn name(self, language: Language) -> &'static str {
        use VariableKey::*;
        match (language, self) {
            (Language::Es, Customer) => "cliente",
            (Language::Es, Business) => "negocio",
            (Language::Es, DocumentNumber) => "documento",
            (Language::Es, Concept) => "concepto",
            (Language::Es, Amount) => "monto",
            (Language::Es, Balance) => "saldo",
            (Language::Es, IssueDate) => "fecha_emision",
            (Language::Es, DueDate) => "fecha_vencimiento",
            (Language::Es, DaysOverdue) => "dias_vencidos",
            (Language::Es, PaymentInstructions) => "instrucciones_pago",
            (Language::En, Customer) => "customer",
            (Language::En, Business) => "business",
            (Language::En, DocumentNumber) => "document_number",
            (Language::En, Concept) => "concept",
            (Language::En, Amount) => "amount",
            (Language::En, Balance) => "balance",
            (Language::En, IssueDate) => "issue_date",
            (Language::En, DueDate) => "due_date",
            (Language::En, DaysOverdue) => "days_overdue",
            (Language::En, PaymentInstructions) => "payment_instructions",
        }
    }

    pub fn find(language: Language, name: &str) -> Option<VariableKey> {
        VariableKey::ALL
            .into_iter()
            .find(|key| key.name(language) == name)
    }

    /// Facts a reminder may lack (no document number, no instructions or business name saved
    /// yet): a line that uses one of them is left out rather than sent half-empty.
    pub fn may_be_empty(self) -> bool {
        matches!(
            self,
            VariableKey::Business | VariableKey::DocumentNumber | VariableKey::PaymentInstructions
        )
    }
}

/// A variable as the Plantillas screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    pub key: VariableKey,
    /// What to write between `{{ }}` in this language.
    pub name: String,
    /// A line using it is omitted when it has no value.
    pub may_be_empty: bool,
}

pub fn list(language: Language) -> Vec<Variable> {
    VariableKey::ALL
        .into_iter()
        .map(|key| Variable {
            key,
            name: key.name(language).to_owned(),
            may_be_empty: key.may_be_empty(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fact_has_a_distinct_name_in_each_language() {
        for language in [Language::Es, Language::En] {
            let names: std::collections::BTreeSet<_> =
                VariableKey::ALL.iter().map(|k| k.name(language)).collect();
            assert_eq!(names.len(), VariableKey::ALL.len());
            for key in VariableKey::ALL {
                assert_eq!(VariableKey::find(language, key.name(language)), Some(key));
            }
        }
        assert_eq!(VariableKey::find(Language::En, "cliente"), None);
    }
}
