//! Ajustes → Cobranza as the form sends and shows it: the policy's rules, with each minimum
//! balance per currency typed the region's way ("100,00" in es-VE, "100.00" in es-MX) instead
//! of in minor units. The amounts are read here, by the same reading as every amount field, and
//! each refusal is named by its row (`minimums.1.amount`) so it shows next to its cause.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::policies::save_rules;
use super::policy::{MinimumBalance, PolicyRules};
use super::CollectionsError;
use crate::books::currency;
use crate::books::reading::Reading;
use crate::db::Database;
use crate::validation::FieldErrors;

/// One row of "Saldo mínimo": below `amount` owed in `currency` nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TypedMinimum {
    pub currency: String,
    /// As typed, or as the region writes the stored amount ("1.500,00").
    pub amount: String,
}

/// The policy as Ajustes → Cobranza edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicyForm {
    /// Its `minimums` are not read: `minimums` below replaces them.
    pub rules: PolicyRules,
    pub minimums: Vec<TypedMinimum>,
}

impl PolicyForm {
    /// The stored rules with their minimums written the region's way, ready to edit.
    pub fn shown(rules: PolicyRules, reading: &Reading) -> PolicyForm {
        let minimums = rules
            .minimums
            .iter()
            .map(|minimum| TypedMinimum {
                currency: minimum.currency.clone(),
                amount: reading.money(minimum.minor, &minimum.currency).plain,
            })
            .collect();
        PolicyForm { rules, minimums }
    }
}

/// Reads the typed minimums and saves policy `policy_id`; every refusal at once, each by its
/// field.
pub fn save(
    db: &Database,
    policy_id: i64,
    form: PolicyForm,
    reading: &Reading,
) -> Result<PolicyForm, CollectionsError> {
    let mut typing = FieldErrors::default();
    // One entry per row, even a refused one, so the rules' own refusals name the right row.
    let minimums: Vec<MinimumBalance> = form
        .minimums
        .iter()
        .enumerate()
        .map(|(index, typed)| {
            let code = typed.currency.trim();
            let minor = match currency::find(code) {
                Some(found) => match reading.region.parse_amount(&typed.amount, &found) {
                    Ok(minor) => minor,
                    Err(problem) => {
                        let field = format!("minimums.{index}.amount");
                        reading
                            .region
                            .refuse_amount(&mut typing, &field, problem, &found);
                        0
                    }
                },
                // The rules refuse an unknown currency themselves.
                None => 0,
            };
            MinimumBalance {
                currency: code.to_owned(),
                minor,
            }
        })
        .collect();
    let rules = PolicyRules {
        minimums,
        ..form.rules
    };
    match rules.validate() {
        Ok(rules) if typing.is_empty() => Ok(PolicyForm::shown(
            save_rules(db, policy_id, rules)?,
            reading,
        )),
        checked => {
            let mut errors = checked.err().map(FieldErrors::into_vec).unwrap_or_default();
            errors.extend(typing.into_vec());
            Err(CollectionsError::Invalid(errors))
        }
    }
}
