//! What the reminder and statement templates share: the engine (plain text, nothing escaped by
//! it, unknown variables an error), how a language writes figures, and the clean-up of what a
//! template produced — a subject on one line, paragraphs quoting an empty optional value left out.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::books::region::Region;
use crate::locale::Language;

/// Stands in for an empty optional variable while rendering: a private-use character no typed
/// text keeps (it is stripped from templates and facts first).
pub(crate) const EMPTY: char = '\u{E000}';

/// Rendered subjects are capped: variables can make a valid template's subject long.
pub(crate) const MAX_RENDERED_SUBJECT: usize = 300;

pub(crate) fn engine() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

/// How `language` writes amounts and dates: Spanish follows the app's region when it is a
/// Spanish one (else Venezuela's way), English is written the US way.
pub fn region_for(language: Language, app_region: Region) -> Region {
    match language {
        Language::Es if app_region.code().starts_with("es-") => app_region,
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
