//! What the reminder and statement templates share: the engine (plain text, nothing escaped by
//! it, unknown variables an error), how a language writes figures, and the clean-up of what a
//! template produced — a subject on one line, paragraphs quoting an empty optional value left out.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::locale::Language;
use crate::locale::Region;
use crate::validation::{FieldErrors, FieldProblem};

/// Stands in for an empty optional variable while rendering: a private-use character no typed
/// text keeps (it is stripped from templates and facts first).
pub(crate) const EMPTY: char = '\u{E000}';

/// Rendered subjects are capped: variables can make a valid template's subject long.
pub(crate) const MAX_RENDERED_SUBJECT: usize = 300;

/// How many instructions one rendering may run. The editor only lets plain `{{ variable }}`s
/// through, which cost a few each; a template that loops (one that skipped the editor, in a
/// restored copy) runs out and fails in microseconds instead of hanging the preview or the send.
pub(crate) const FUEL: u64 = 20_000;

/// The template a language uses, as an editor shows it: the owner's saved one when it passes the
/// editor's checks, else `fallback` (the shipped template, or for a step the language's default),
/// and whether that was because nothing was saved or because what was saved would be refused (a
/// restored copy).
pub(crate) struct Chosen<T> {
    pub template: T,
    pub is_default: bool,
    pub saved_was_invalid: bool,
}

/// `saved`: `None` when nothing was saved, else what was read back, checked.
pub(crate) fn chosen<T, E>(
    saved: Option<Result<T, E>>,
    fallback: impl FnOnce() -> Result<T, E>,
) -> Result<Chosen<T>, E> {
    let (kept, saved_was_invalid) = match saved {
        None => (None, false),
        Some(Ok(valid)) => (Some(valid), false),
        Some(Err(_)) => (None, true),
    };
    Ok(Chosen {
        is_default: kept.is_none(),
        saved_was_invalid,
        template: match kept {
            Some(template) => template,
            None => fallback()?,
        },
    })
}

pub(crate) fn engine() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env
}

/// How `language` writes amounts and dates: Spanish follows the app's region when it is a
/// Spanish one (else Venezuela's way), English is written the US way.
pub fn region_for(language: Language, app_region: Region) -> Region {
    match language {
        Language::Es if app_region.language() == Language::Es => app_region,
        Language::Es => Region::EsVe,
        Language::En => Region::EnUs,
    }
}

/// A header line: control characters (a line break could smuggle a `Bcc:`) become spaces,
/// runs of blanks one space.
pub(crate) fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| *c != EMPTY)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    words.join(" ").chars().take(MAX_RENDERED_SUBJECT).collect()
}

/// Paragraphs (blocks between blank lines) that use an empty optional variable are left out, so
/// "Puede pagar así:" never arrives with nothing after it.
pub(crate) fn without_empty_paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut flush = |current: &mut Vec<&str>| {
        let paragraph = current.join("\n");
        if !paragraph.contains(EMPTY) && !paragraph.trim().is_empty() {
            paragraphs.push(paragraph);
        }
        current.clear();
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            flush(&mut current);
        } else {
            current.push(line);
        }
    }
    flush(&mut current);
    let mut out = paragraphs.join("\n\n");
    out.push('\n');
    out
}

/// The engine must read the text, and every `{{ }}` must hold exactly one of the language's
/// variable names (`known`). Statements (`{% %}`), filters and expressions are refused: the owner writes
/// plain text, and a line can then be left out whenever a variable it uses is empty.
pub(crate) fn check_placeholders(
    errors: &mut FieldErrors,
    field: &str,
    source: &str,
    known: impl Fn(&str) -> bool,
) {
    if let Err(err) = engine().template_from_str(source) {
        // The owner's own line, not the engine's English: the UI quotes it in their language.
        let line = err
            .line()
            .and_then(|number| source.lines().nth(number.saturating_sub(1)))
            .unwrap_or(source);
        errors.add_with(field, FieldProblem::TemplateSyntax, snippet(line.trim()));
        return;
    }
    if let Some(at) = source.find("{%") {
        errors.add_with(field, FieldProblem::TemplateSyntax, snippet(&source[at..]));
        return;
    }
    for inner in placeholders(source) {
        let name = inner.trim_matches(|c: char| c.is_whitespace() || c == '-' || c == '+');
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if !is_name {
            errors.add_with(
                field,
                FieldProblem::TemplateSyntax,
                format!("{{{{{inner}}}}}"),
            );
            return;
        }
        if !known(name) {
            errors.add_with(field, FieldProblem::UnknownVariable, name.to_owned());
            return;
        }
    }
}

/// The text between each `{{` and its `}}`.
pub(crate) fn placeholders(source: &str) -> impl Iterator<Item = &str> {
    let mut rest = source;
    std::iter::from_fn(move || {
        let start = rest.find("{{")? + 2;
        let len = rest[start..].find("}}")?;
        let inner = &rest[start..start + len];
        rest = &rest[start + len + 2..];
        Some(inner)
    })
}

fn snippet(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_template_that_loops_runs_out_of_fuel_at_once() {
        let hostile =
            "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}";
        let started = Instant::now();
        let env = engine();
        let result = env
            .template_from_str(hostile)
            .and_then(|t| t.render(minijinja::context! {}));
        let err = result.expect_err("a budget, not a hang");
        assert_eq!(err.kind(), minijinja::ErrorKind::OutOfFuel);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        // A real template is far inside the budget.
        let plain = "{{ a }} {{ b }}\n".repeat(500);
        let rendered = env
            .template_from_str(&plain)
            .and_then(|t| t.render(minijinja::context! { a => "x", b => "y" }))
            .expect("plain text renders");
        assert!(rendered.starts_with("x y"));
    }
}
