//! La política de cobranza: the steps relative to a due date (−3 aviso amable, +1 vencida, +7
//! segundo aviso, +15 último aviso), each sent as the customer's statement or per receivable;
//! an optional repeat after the last step with a hard cap; a minimum balance per currency; a
//! cooldown per customer and caps that hold anything beyond for review. Off until turned on.
//!
//! Stored as JSON and read back through [`PolicyRules::validate`], the form's own check: a
//! restored or hand-edited file never reaches the evaluator unchecked.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::books::currency;
use crate::validation::{FieldErrors, FieldProblem};

/// How far a step may sit from the due date, either way (a year).
const MAX_OFFSET: i32 = 366;
const MAX_STEPS: usize = 12;
const MAX_LABEL: usize = 60;

/// What a step sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
pub enum StepUnit {
    /// The customer's statement: one message with everything they owe (the default).
    #[default]
    Statement,
    /// One reminder per receivable that reached the step.
    Receivable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicyStep {
    /// Days from the due date: −3 is three days before, +7 a week after. Also the step's
    /// identity in a slot.
    pub offset_days: i32,
    /// "Segundo aviso".
    pub label: String,
    #[serde(default)]
    pub unit: StepUnit,
}

/// After the last step, again every `every_days`, at most `times` more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Repeat {
    pub every_days: u32,
    pub times: u32,
}

/// Below this balance in this currency nothing is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MinimumBalance {
    pub currency: String,
    #[ts(type = "number")]
    pub minor: i64,
}

/// How the day's lines leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SendMode {
    /// "Revisar antes de enviar": nothing leaves without the owner's approval.
    #[default]
    Review,
    /// "Enviar a las HH:MM lo que no haya omitido".
    At { hour: u8, minute: u8 },
    /// "Automático": as soon as the evaluator decides.
    Automatic,
}

fn default_payments_gate() -> u32 {
    7
}

fn default_cooldown() -> u32 {
    3
}
fn default_monthly_cap() -> u32 {
    4
}
fn default_receivable_cap() -> u32 {
    6
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRules {
    /// Off until the owner turns it on.
    #[serde(default)]
    pub enabled: bool,
    /// In the order of their offsets.
    #[serde(default)]
    pub steps: Vec<PolicyStep>,
    #[serde(default)]
    pub repeat: Option<Repeat>,
    #[serde(default)]
    pub minimums: Vec<MinimumBalance>,
    /// Days after a message to a customer during which another one waits for review.
    #[serde(default = "default_cooldown")]
    pub cooldown_days: u32,
    /// Messages per customer per calendar month before the next waits for review.
    #[serde(default = "default_monthly_cap")]
    pub monthly_cap: u32,
    /// Messages about one receivable, ever, before the next waits for review.
    #[serde(default = "default_receivable_cap")]
    pub receivable_cap: u32,
    #[serde(default)]
    pub mode: SendMode,
    /// Before a batch leaves: when no payment was recorded for this many days, ask "¿Registró
    /// los pagos recientes?" (and in Automático, wait).
    #[serde(default = "default_payments_gate")]
    pub payments_gate_days: u32,
}

impl Default for PolicyRules {
    fn default() -> Self {
        PolicyRules {
            enabled: false,
            steps: Vec::new(),
            repeat: None,
            minimums: Vec::new(),
            cooldown_days: default_cooldown(),
            monthly_cap: default_monthly_cap(),
            receivable_cap: default_receivable_cap(),
            mode: SendMode::Review,
            payments_gate_days: default_payments_gate(),
        }
    }
}

impl PolicyRules {
    /// What the first-run guide proposes: −3 aviso amable, +1 vencida, +7 segundo aviso, +15
    /// último aviso, each the customer's statement; still off.
    pub fn proposed() -> PolicyRules {
        let step = |offset_days, label: &str| PolicyStep {
            offset_days,
            label: label.to_owned(),
            unit: StepUnit::Statement,
        };
        PolicyRules {
            steps: vec![
                step(-3, "Aviso amable"),
                step(1, "Vencida"),
                step(7, "Segundo aviso"),
                step(15, "Último aviso"),
            ],
            ..PolicyRules::default()
        }
    }

    /// The rules as the form or a stored file gave them, checked: sorted steps, unique offsets,
    /// known currencies, sane numbers. Every problem is named by field (`steps.2.offsetDays`).
    pub fn validate(mut self) -> Result<PolicyRules, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.steps.len() > MAX_STEPS {
            errors.add("steps", FieldProblem::TooLong);
        }
        self.steps.sort_by_key(|step| step.offset_days);
        for (index, step) in self.steps.iter_mut().enumerate() {
            if step.offset_days.abs() > MAX_OFFSET {
                errors.add(
                    &format!("steps.{index}.offsetDays"),
                    FieldProblem::InvalidAmount,
                );
            }
            match errors.required_text(&format!("steps.{index}.label"), &step.label, MAX_LABEL) {
                Some(label) => step.label = label,
                None => continue,
            }
        }
        if self
            .steps
            .windows(2)
            .any(|pair| pair[0].offset_days == pair[1].offset_days)
        {
            errors.add("steps", FieldProblem::DuplicateStep);
        }
        if self.enabled && self.steps.is_empty() {
            errors.add("steps", FieldProblem::Required);
        }
        if let Some(repeat) = self.repeat {
            if repeat.every_days == 0 || repeat.every_days > 366 {
                errors.add("repeat.everyDays", FieldProblem::NotPositive);
            }
            if repeat.times == 0 || repeat.times > 24 {
                errors.add("repeat.times", FieldProblem::NotPositive);
            }
        }
        for index in 0..self.minimums.len() {
            let minimum = &mut self.minimums[index];
            match currency::find(&minimum.currency) {
                Some(found) => minimum.currency = found.code.to_owned(),
                None => errors.add(
                    &format!("minimums.{index}.currency"),
                    FieldProblem::UnknownCurrency,
                ),
            }
            let minimum = &self.minimums[index];
            // Only the first would count (`minimum`): the second is refused, not ignored.
            if self.minimums[..index]
                .iter()
                .any(|earlier| earlier.currency == minimum.currency)
            {
                errors.add(
                    &format!("minimums.{index}.currency"),
                    FieldProblem::DuplicateCurrency,
                );
            }
            if minimum.minor < 0 {
                errors.add(
                    &format!("minimums.{index}.minor"),
                    FieldProblem::NotPositive,
                );
            }
        }
        if self.cooldown_days > 60 {
            errors.add("cooldownDays", FieldProblem::TooLong);
        }
        if self.monthly_cap == 0 {
            errors.add("monthlyCap", FieldProblem::NotPositive);
        }
        if let SendMode::At { hour, minute } = self.mode {
            if hour > 23 || minute > 59 {
                errors.add("mode", FieldProblem::InvalidDate);
            }
        }
        if self.payments_gate_days == 0 || self.payments_gate_days > 90 {
            errors.add("paymentsGateDays", FieldProblem::NotPositive);
        }
        if self.receivable_cap == 0 {
            errors.add("receivableCap", FieldProblem::NotPositive);
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// Every step with its offset, the repeats after the last included, in order.
    pub fn ladder(&self) -> Vec<(i32, StepUnit)> {
        let mut ladder: Vec<(i32, StepUnit)> = self
            .steps
            .iter()
            .map(|step| (step.offset_days, step.unit))
            .collect();
        if let (Some(repeat), Some(&(last, unit))) = (self.repeat, ladder.last()) {
            let every = i32::try_from(repeat.every_days).unwrap_or(i32::MAX);
            for time in 1..=i32::try_from(repeat.times).unwrap_or(0) {
                ladder.push((last.saturating_add(every.saturating_mul(time)), unit));
            }
        }
        ladder
    }

    /// The smallest balance worth a message in `currency` (one minor unit when none is set).
    pub fn minimum(&self, currency: &str) -> i64 {
        self.minimums
            .iter()
            .find(|m| m.currency == currency)
            .map_or(1, |m| m.minor.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proposal_is_four_steps_and_off() {
        let proposed = PolicyRules::proposed().validate().expect("valid");
        assert!(!proposed.enabled);
        let offsets: Vec<i32> = proposed.steps.iter().map(|s| s.offset_days).collect();
        assert_eq!(offsets, [-3, 1, 7, 15]);
    }

    #[test]
    fn steps_are_sorted_unique_and_repeats_follow_the_last() {
        let mut rules = PolicyRules::proposed();
        rules.steps.reverse();
        rules.repeat = Some(Repeat {
            every_days: 10,
            times: 2,
        });
        let rules = rules.validate().expect("valid");
        let offsets: Vec<i32> = rules.ladder().iter().map(|(o, _)| *o).collect();
        assert_eq!(offsets, [-3, 1, 7, 15, 25, 35]);

        let mut twice = PolicyRules::proposed();
        twice.steps[1].offset_days = 7;
        let problems: Vec<_> = twice
            .validate()
            .expect_err("refused")
            .into_vec()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        assert_eq!(
            problems,
            [("steps".to_owned(), FieldProblem::DuplicateStep)]
        );
    }

    #[test]
    fn turning_on_a_policy_without_steps_or_with_an_unknown_currency_is_refused() {
        let rules = PolicyRules {
            enabled: true,
            minimums: vec![MinimumBalance {
                currency: "XXX1".into(),
                minor: 100,
            }],
            ..PolicyRules::default()
        };
        let fields: Vec<String> = rules
            .validate()
            .expect_err("refused")
            .into_vec()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["steps", "minimums.0.currency"]);
    }
}
