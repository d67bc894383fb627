//! The owner's words around a statement's table, one template per language: a subject, an
//! opening and a closing, plain text with `{{ variable }}` placeholders like the reminder's.
//! The table itself — every receivable, subtotal and payment — is the app's layout, never the
//! template's, so a template can change how a statement greets but not what it states.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::StatementError;
use crate::db::Database;
use crate::locale::Language;
use crate::settings::{self, SettingsError};
use crate::step_templates::{self, StepKey, StepWords};
use crate::templating;
use crate::validation::{FieldErrors, FieldProblem};

/// Long enough for any real subject, short enough for every mail client's list view.
pub const MAX_SUBJECT: usize = 200;
pub const MAX_TEXT: usize = 5_000;

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

impl StatementTemplate {
    /// The template as it will be kept: line breaks normalised, trailing blanks trimmed, and
    /// refused field by field when empty, too long, not one line (subject) or using anything
    /// but the language's variables — the reminder's rules.
    pub fn validated(self, language: Language) -> Result<StatementTemplate, StatementError> {
        let mut errors = FieldErrors::default();
        let subject = self.subject.trim().to_owned();
        let intro = self.intro.replace("\r\n", "\n").trim_end().to_owned();
        let closing = self.closing.replace("\r\n", "\n").trim_end().to_owned();
        let known = |name: &str| StatementVariable::find(language, name).is_some();
        let check = |errors: &mut FieldErrors, field: &str, text: &str, max: usize| {
            if text.trim().is_empty() {
                errors.add(field, FieldProblem::Required);
            } else if text.chars().count() > max {
                errors.add(field, FieldProblem::TooLong);
            } else if field == "subject" && text.contains(['\n', '\r']) {
                errors.add(field, FieldProblem::MultipleLines);
            } else {
                crate::templating::check_placeholders(errors, field, text, known);
            }
        };
        check(&mut errors, "subject", &subject, MAX_SUBJECT);
        check(&mut errors, "intro", &intro, MAX_TEXT);
        check(&mut errors, "closing", &closing, MAX_TEXT);
        if !errors.is_empty() {
            return Err(StatementError::Invalid(errors.into_vec()));
        }
        Ok(StatementTemplate {
            subject: subject
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
            intro,
            closing,
        })
    }
}

/// A variable as the Plantillas screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementVariableView {
    pub key: StatementVariable,
    pub name: String,
    pub may_be_empty: bool,
}

/// A language's statement template as Ajustes → Plantillas shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StatementTemplateView {
    pub language: Language,
    pub template: StatementTemplate,
    pub is_default: bool,
    /// A saved template did not pass the editor's checks (a restored copy): the default is used.
    pub saved_was_invalid: bool,
    pub variables: Vec<StatementVariableView>,
}

/// The owner's template for `language` as read back — checked like what is typed; one that
/// would be refused is never rendered, the default stands in for it.
pub fn view_in(
    conn: &Connection,
    language: Language,
) -> Result<StatementTemplateView, StatementError> {
    let saved = match settings::statement_template_in(conn, language) {
        Ok(saved) => saved.map(|json| checked(serde_json::from_value(json), language)),
        Err(SettingsError::Corrupt { .. }) => Some(Err(StatementError::Invalid(Vec::new()))),
        Err(err) => return Err(err.into()),
    };
    if saved.as_ref().is_some_and(Result::is_err) {
        tracing::warn!(
            ?language,
            "the saved statement template is invalid; the default is used"
        );
    }
    shown(language, saved, || {
        Ok(StatementTemplate::standard(language))
    })
}

/// The words of a step of a política de cobranza for `language`, checked like what is typed;
/// without any (or with one that would be refused: a restored copy) the owner's default
/// statement template stands in, and the view says so.
pub fn step_view_in(
    conn: &Connection,
    step: StepKey,
    language: Language,
) -> Result<StatementTemplateView, StatementError> {
    let saved = step_templates::stored_in(conn, step, StepWords::Statement, language)?
        .map(|json| checked(serde_json::from_str(&json), language));
    if saved.as_ref().is_some_and(Result::is_err) {
        tracing::warn!(
            ?step,
            ?language,
            "a step's statement template is invalid; the default is used"
        );
    }
    shown(language, saved, || template_in(conn, language))
}

/// The words a statement for `step` says (`None`: not for a step) in `language`.
pub fn template_for_in(
    conn: &Connection,
    step: Option<StepKey>,
    language: Language,
) -> Result<StatementTemplate, StatementError> {
    match step {
        Some(step) => Ok(step_view_in(conn, step, language)?.template),
        None => template_in(conn, language),
    }
}

fn checked(
    parsed: serde_json::Result<StatementTemplate>,
    language: Language,
) -> Result<StatementTemplate, StatementError> {
    parsed
        .map_err(|_| StatementError::Invalid(Vec::new()))
        .and_then(|template| template.validated(language))
}

/// The view of what was read back (`None`: nothing saved), `fallback` standing in for nothing
/// or for what would be refused.
fn shown(
    language: Language,
    saved: Option<Result<StatementTemplate, StatementError>>,
    fallback: impl FnOnce() -> Result<StatementTemplate, StatementError>,
) -> Result<StatementTemplateView, StatementError> {
    let chosen = templating::chosen(saved, fallback)?;
    Ok(StatementTemplateView {
        language,
        is_default: chosen.is_default,
        saved_was_invalid: chosen.saved_was_invalid,
        template: chosen.template,
        variables: StatementVariable::ALL
            .into_iter()
            .map(|key| StatementVariableView {
                key,
                name: key.name(language).to_owned(),
                may_be_empty: key.may_be_empty(),
            })
            .collect(),
    })
}

/// The owner's template for `language`, else the default one.
pub fn template_in(
    conn: &Connection,
    language: Language,
) -> Result<StatementTemplate, StatementError> {
    Ok(view_in(conn, language)?.template)
}

pub fn view(db: &Database, language: Language) -> Result<StatementTemplateView, StatementError> {
    db.read(|conn| view_in(conn, language))
}

/// Validates and keeps the owner's template; nothing changes when a field is refused.
pub fn save(
    db: &Database,
    language: Language,
    template: StatementTemplate,
) -> Result<StatementTemplateView, StatementError> {
    let valid = template.validated(language)?;
    let json = serde_json::to_value(&valid).map_err(|_| StatementError::Unstorable)?;
    settings::set_statement_template(db, language, &json)?;
    view(db, language)
}

/// "Restaurar predeterminada".
pub fn reset(db: &Database, language: Language) -> Result<StatementTemplateView, StatementError> {
    settings::remove_statement_template(db, language)?;
    view(db, language)
}
