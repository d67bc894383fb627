//! What a reminder says, as the owner edits it in Ajustes → Plantillas: a subject and a body of
//! plain text with `{{ variable }}` placeholders, one pair per language. This module owns the
//! defaults and the rules a template must meet to be saved; it never stores or sends anything.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::variables::VariableKey;
use super::ReminderError;
use crate::locale::Language;
use crate::validation::{FieldErrors, FieldProblem};

/// Long enough for any real subject, short enough for every mail client's list view.
pub const MAX_SUBJECT: usize = 200;
pub const MAX_BODY: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ReminderTemplate {
    pub subject: String,
    pub body: String,
}

impl Default for ReminderTemplate {
    fn default() -> Self {
        ReminderTemplate::standard(Language::DEFAULT)
    }
}

impl ReminderTemplate {
    /// The template Cachicamo ships for `language`, which "Restaurar predeterminada" brings back.
    pub fn standard(language: Language) -> ReminderTemplate {
        let (subject, body) = match language {
            Language::Es => (
                "Recordatorio de pago: {{ concepto }}",
                "Estimado(a) {{ cliente }}:\n\
                 \n\
                 Reciba un cordial saludo. Le recordamos amablemente que tiene un saldo pendiente \
                 de {{ saldo }} por {{ concepto }}, con fecha de vencimiento {{ fecha_vencimiento }}.\n\
                 \n\
                 Documento: {{ documento }} · emitido el {{ fecha_emision }} · monto original {{ monto }}\n\
                 \n\
                 Puede realizar su pago de la siguiente manera:\n\
                 {{ instrucciones_pago }}\n\
                 \n\
                 Si ya realizó el pago, por favor ignore este mensaje o envíenos el comprobante. \
                 ¡Muchas gracias por su confianza!\n\
                 \n\
                 Atentamente,\n\
                 {{ negocio }}",
            ),
            Language::En => (
                "Payment reminder: {{ concept }}",
                "Dear {{ customer }},\n\
                 \n\
                 We hope you are well. This is a friendly reminder that a balance of {{ balance }} \
                 for {{ concept }} is pending, due on {{ due_date }}.\n\
                 \n\
                 Document: {{ document_number }} · issued on {{ issue_date }} · original amount {{ amount }}\n\
                 \n\
                 You can pay as follows:\n\
                 {{ payment_instructions }}\n\
                 \n\
                 If you have already paid, please disregard this message or send us the receipt. \
                 Thank you for your business!\n\
                 \n\
                 Kind regards,\n\
                 {{ business }}",
            ),
        };
        ReminderTemplate {
            subject: subject.to_owned(),
            body: body.to_owned(),
        }
    }

    /// The template as it will be kept: line breaks normalised, trailing blanks trimmed, and
    /// refused field by field when it is empty, too long, not one line (subject) or uses
    /// anything but the language's variables.
    pub fn validated(self, language: Language) -> Result<ReminderTemplate, ReminderError> {
        let mut errors = FieldErrors::default();
        let subject = self.subject.trim().to_owned();
        let body = self.body.replace("\r\n", "\n").trim_end().to_owned();
        let subject_problem = text_problem(&subject, MAX_SUBJECT).or_else(|| {
            subject
                .contains(['\n', '\r'])
                .then_some(FieldProblem::MultipleLines)
        });
        match subject_problem {
            Some(problem) => errors.add("subject", problem),
            None => check_placeholders(&mut errors, "subject", &subject, language),
        }
        match text_problem(&body, MAX_BODY) {
            Some(problem) => errors.add("body", problem),
            None => check_placeholders(&mut errors, "body", &body, language),
        }
        if !errors.is_empty() {
            return Err(ReminderError::Invalid(errors.into_vec()));
        }
        Ok(ReminderTemplate {
            // Tabs and other controls would reach a mail header: gone before anything is kept.
            subject: subject
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
            body,
        })
    }
}

fn text_problem(text: &str, max: usize) -> Option<FieldProblem> {
    if text.trim().is_empty() {
        Some(FieldProblem::Required)
    } else if text.chars().count() > max {
        Some(FieldProblem::TooLong)
    } else {
        None
    }
}

/// The engine must read the text, and every `{{ }}` must hold exactly one of the language's
/// variable names (see `templating::check_placeholders`).
fn check_placeholders(errors: &mut FieldErrors, field: &str, source: &str, language: Language) {
    crate::templating::check_placeholders(errors, field, source, |name| {
        VariableKey::find(language, name).is_some()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::FieldError;

    fn problems(err: ReminderError) -> Vec<FieldError> {
        match err {
            ReminderError::Invalid(fields) => fields,
            other => panic!("field errors expected, got {other:?}"),
        }
    }

    #[test]
    fn both_default_templates_are_valid_in_their_own_language_only() {
        for language in [Language::Es, Language::En] {
            let standard = ReminderTemplate::standard(language);
            assert_eq!(
                standard.clone().validated(language).expect("valid"),
                standard
            );
        }
        let fields = problems(
            ReminderTemplate::standard(Language::En)
                .validated(Language::Es)
                .expect_err("English names in a Spanish template"),
        );
        assert_eq!(fields[0].problem, FieldProblem::UnknownVariable);
        assert_eq!(fields[0].detail.as_deref(), Some("concept"));
    }

    #[test]
    fn an_unknown_variable_is_refused_by_name_next_to_its_field() {
        let fields = problems(
            ReminderTemplate {
                subject: "Hola {{ cliente }}".into(),
                body: "Su saldo: {{ saldo }}. Pague a {{ banco }}.".into(),
            }
            .validated(Language::Es)
            .expect_err("unknown"),
        );
        assert_eq!(
            fields,
            [FieldError {
                field: "body".into(),
                problem: FieldProblem::UnknownVariable,
                detail: Some("banco".into()),
            }]
        );
    }

    #[test]
    fn broken_braces_statements_and_expressions_are_refused() {
        for body in [
            "Hola {{ cliente",
            "Hola\n{{ cliente }\nAdiós",
            "{% if saldo %}Debe{% endif %}",
            "{{ saldo | upper }}",
            "{{ range(10) }}",
            "{{ }}",
        ] {
            let fields = problems(
                ReminderTemplate {
                    subject: "Recordatorio".into(),
                    body: body.into(),
                }
                .validated(Language::Es)
                .expect_err(body),
            );
            assert_eq!(fields[0].field, "body", "{body}");
            assert_eq!(fields[0].problem, FieldProblem::TemplateSyntax, "{body}");
            assert!(fields[0].detail.as_deref().is_some_and(|d| !d.is_empty()));
        }
    }

    #[test]
    fn the_subject_is_one_short_line_and_both_are_required() {
        let fields = problems(
            ReminderTemplate {
                subject: "Recordatorio\nBcc: todos@ejemplo.com".into(),
                body: " \n ".into(),
            }
            .validated(Language::Es)
            .expect_err("invalid"),
        );
        let got: Vec<_> = fields
            .iter()
            .map(|f| (f.field.as_str(), f.problem))
            .collect();
        assert_eq!(
            got,
            [
                ("subject", FieldProblem::MultipleLines),
                ("body", FieldProblem::Required)
            ]
        );
        let fields = problems(
            ReminderTemplate {
                subject: "x".repeat(MAX_SUBJECT + 1),
                body: "y".repeat(MAX_BODY + 1),
            }
            .validated(Language::Es)
            .expect_err("too long"),
        );
        assert!(fields.iter().all(|f| f.problem == FieldProblem::TooLong));
        assert_eq!(fields.len(), 2);
    }

    #[test]
    fn tabs_leave_the_subject_and_windows_line_breaks_the_body() {
        let saved = ReminderTemplate {
            subject: "  Pago\tpendiente  ".into(),
            body: "Hola {{ cliente }}:\r\n\r\nGracias.\r\n".into(),
        }
        .validated(Language::Es)
        .expect("valid");
        assert_eq!(saved.subject, "Pago pendiente");
        assert_eq!(saved.body, "Hola {{ cliente }}:\n\nGracias.");
    }
}
