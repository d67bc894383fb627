//! A statement's email: the subject and the owner's words from the template, around the app's
//! own layout of the statement — as plain text (also what WhatsApp gets) and as HTML where every
//! value, the owner's words included, is escaped. Written from the same [`Statement`] the PDF is.

use std::collections::BTreeMap;

use serde::Serialize;
use ts_rs::TS;

use super::model::{CurrencyGroup, Statement, StatementLine, Totals};
use super::template::{StatementTemplate, StatementVariable};
use super::words::{self, Words};
use super::StatementError;
use crate::books::dates::from_iso;
use crate::books::reading::Reading;
use crate::locale::Language;
use crate::mail::letter::{letter, paragraphs, Letterhead, FONT};
use crate::mail::message::escape_html;
use crate::templating::{engine, one_line, without_empty_paragraphs, EMPTY};

/// The statement's email, exactly as it will be sent (the PDF travels beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenderedStatement {
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// "Estado de cuenta – Ana Pérez – 2026-11-30.pdf".
    pub file_name: String,
}

/// Writes the email of `statement` with the owner's `template`.
pub fn render(
    statement: &Statement,
    template: &StatementTemplate,
) -> Result<RenderedStatement, StatementError> {
    let language = statement.language;
    let words = words::of(language);
    let reading = statement.reading();
    let values = values(statement, &reading);
    let env = engine();
    let fill = |source: &str| -> Result<String, StatementError> {
        let source: String = source.chars().filter(|c| *c != EMPTY).collect();
        Ok(env
            .template_from_str(&source)
            .and_then(|template| template.render(&values))?)
    };
    let subject = one_line(&fill(&template.subject)?);
    let intro = without_empty_paragraphs(&fill(&template.intro)?);
    let closing = without_empty_paragraphs(&fill(&template.closing)?);
    let text = text(statement, &words, &reading, &intro, &closing);
    let html = html(statement, &words, &reading, &subject, &intro, &closing);
    Ok(RenderedStatement {
        language,
        subject,
        text,
        html,
        file_name: file_name(statement, &words),
    })
}

fn values(statement: &Statement, reading: &Reading) -> BTreeMap<&'static str, String> {
    let language = statement.language;
    StatementVariable::ALL
        .into_iter()
        .map(|variable| {
            let value = match variable {
                StatementVariable::Customer => statement.customer.name.clone(),
                StatementVariable::Business => statement.business.name.clone(),
                StatementVariable::Date => date(reading, &statement.date),
                StatementVariable::Balance => balances(statement, reading),
            };
            let value: String = value.chars().filter(|c| *c != EMPTY).collect();
            let value = if value.trim().is_empty() && variable.may_be_empty() {
                EMPTY.to_string()
            } else {
                value
            };
            (variable.name(language), value)
        })
        .collect()
}

/// "USD 1.100,00 y VES 2.000,00": never one sum across currencies.
pub(crate) fn balances(statement: &Statement, reading: &Reading) -> String {
    let parts: Vec<String> = statement
        .groups
        .iter()
        .map(|group| reading.money(group.totals.balance, &group.currency).text)
        .collect();
    let and = match statement.language {
        Language::Es => " y ",
        Language::En => " and ",
    };
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{and}{last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

/// An ISO date the statement's way; a stored one that does not read is shown as stored.
pub(crate) fn date(reading: &Reading, iso: &str) -> String {
    from_iso(iso).map_or_else(|_| iso.to_owned(), |d| reading.date(d).text)
}

pub(crate) fn document<'a>(line: &'a StatementLine, words: &Words) -> &'a str {
    line.document_number.as_deref().unwrap_or(words.no_document)
}

/// The lines under a subtotal: the overdue part and the reference equivalent, when there are.
pub(crate) fn group_notes(
    statement: &Statement,
    group: &CurrencyGroup,
    reading: &Reading,
    words: &Words,
) -> Vec<String> {
    let mut notes = Vec::new();
    if group.overdue > 0 {
        notes.push(format!(
            "{}: {}",
            words.overdue,
            reading.money(group.overdue, &group.currency).text
        ));
    }
    if let Some(equivalent) = &group.equivalent {
        notes.push(words::equivalent(
            statement.language,
            &reading.money(equivalent.amount, &equivalent.currency).text,
            &equivalent.source,
            &date(reading, &equivalent.rate_on),
        ));
    }
    notes
}

pub(crate) fn payment_sentences(statement: &Statement, reading: &Reading) -> Vec<String> {
    statement
        .payments
        .iter()
        .map(|payment| {
            words::payment_received(
                statement.language,
                &reading.money(payment.amount, &payment.currency).text,
                &date(reading, &payment.paid_on),
                payment.document_number.as_deref(),
            )
        })
        .collect()
}

fn text(
    statement: &Statement,
    words: &Words,
    reading: &Reading,
    intro: &str,
    closing: &str,
) -> String {
    let language = statement.language;
    let mut out = String::new();
    let mut push = |line: &str| {
        out.push_str(line);
        out.push('\n');
    };
    push(intro.trim_end());
    push("");
    push(&format!(
        "{} {} {}",
        words.title.to_uppercase(),
        words.as_of,
        date(reading, &statement.date)
    ));
    push(&statement.customer.name);
    for group in &statement.groups {
        push("");
        push(&format!("{} {}", words.balance_in, group.currency));
        for line in &group.lines {
            push(&format!(
                "- {} · {}",
                document(line, words),
                one_line(&line.concept)
            ));
            push(&format!(
                "  {} {} · {} {} · {}",
                words.issued,
                date(reading, &line.issue_date),
                words.due,
                date(reading, &line.due_date),
                words::overdue_days(language, line.days_overdue)
            ));
            push(&format!(
                "  {}",
                figures(words, reading, &group.currency, line.totals)
            ));
        }
        push(&format!(
            "{} {}: {}",
            words.total,
            group.currency,
            figures(words, reading, &group.currency, group.totals)
        ));
        for note in group_notes(statement, group, reading, words) {
            push(&note);
        }
    }
    let payments = payment_sentences(statement, reading);
    if !payments.is_empty() {
        push("");
        push(words.payments_title);
        for sentence in payments {
            push(&format!("- {sentence}"));
        }
    }
    if !statement.payment_instructions.is_empty() {
        push("");
        push(words.methods_title);
        for block in &statement.payment_instructions {
            push(block.trim_end());
        }
    }
    push("");
    push(closing.trim_end());
    out
}

const CELL: &str = "padding:6px 8px;border-bottom:1px solid #e4e0d6;vertical-align:top;";

/// "Monto USD 100,00 · Abonado USD 40,00 · Saldo USD 60,00": a line's or a total's three
/// figures, written alike wherever the text part shows them.
fn figures(
    words: &Words,
    reading: &Reading,
    currency: &str,
    Totals {
        amount,
        paid,
        balance,
    }: Totals,
) -> String {
    let money = |cents: i64| reading.money(cents, currency).text;
    format!(
        "{} {} · {} {} · {} {}",
        words.amount,
        money(amount),
        words.paid,
        money(paid),
        words.balance,
        money(balance)
    )
}

fn html(
    statement: &Statement,
    words: &Words,
    reading: &Reading,
    subject: &str,
    intro: &str,
    closing: &str,
) -> String {
    let mut tables = String::new();
    for group in &statement.groups {
        tables.push_str(&format!(
            "<h3 style=\"{FONT}font-size:15px;color:#0f5c4d;margin:20px 0 8px 0\">{} {}</h3>\n",
            escape_html(words.balance_in),
            escape_html(&group.currency)
        ));
        tables.push_str(
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" \
             border=\"0\" style=\"border-collapse:collapse;font-size:13px\">\n<tr>",
        );
        for (heading, right) in [
            (words.document, false),
            (words.concept, false),
            (words.due, false),
            (words.days_overdue, true),
            (words.amount, true),
            (words.paid, true),
            (words.balance, true),
        ] {
            let align = if right { "text-align:right;" } else { "" };
            tables.push_str(&format!(
                "<th style=\"{CELL}{align}background-color:#f0ede4;color:#1f2a28\">{}</th>",
                escape_html(heading)
            ));
        }
        tables.push_str("</tr>\n");
        for line in &group.lines {
            let money = |minor| escape_html(&reading.money(minor, &group.currency).text);
            tables.push_str(&format!(
                "<tr><td style=\"{CELL}\">{}</td><td style=\"{CELL}\">{}</td>\
                 <td style=\"{CELL}white-space:nowrap\">{}</td>\
                 <td style=\"{CELL}text-align:right\">{}</td>\
                 <td style=\"{CELL}text-align:right;white-space:nowrap\">{}</td>\
                 <td style=\"{CELL}text-align:right;white-space:nowrap\">{}</td>\
                 <td style=\"{CELL}text-align:right;white-space:nowrap\">{}</td></tr>\n",
                escape_html(document(line, words)),
                escape_html(&line.concept),
                escape_html(&date(reading, &line.due_date)),
                line.days_overdue,
                money(line.totals.amount),
                money(line.totals.paid),
                money(line.totals.balance),
            ));
        }
        let money = |minor| escape_html(&reading.money(minor, &group.currency).text);
        tables.push_str(&format!(
            "<tr><td colspan=\"4\" style=\"{CELL}font-weight:bold\">{} {}</td>\
             <td style=\"{CELL}text-align:right;font-weight:bold;white-space:nowrap\">{}</td>\
             <td style=\"{CELL}text-align:right;font-weight:bold;white-space:nowrap\">{}</td>\
             <td style=\"{CELL}text-align:right;font-weight:bold;white-space:nowrap\">{}</td></tr>\n",
            escape_html(words.total),
            escape_html(&group.currency),
            money(group.totals.amount),
            money(group.totals.paid),
            money(group.totals.balance),
        ));
        tables.push_str("</table>\n");
        for note in group_notes(statement, group, reading, words) {
            tables.push_str(&format!(
                "<p style=\"margin:6px 0 0 0;color:#5b6b67;font-size:13px\">{}</p>\n",
                escape_html(&note)
            ));
        }
    }
    let payments = payment_sentences(statement, reading);
    if !payments.is_empty() {
        tables.push_str(&format!(
            "<h3 style=\"{FONT}font-size:15px;color:#0f5c4d;margin:20px 0 8px 0\">{}</h3>\n<ul style=\"margin:0;padding-left:20px\">\n",
            escape_html(words.payments_title)
        ));
        for sentence in payments {
            tables.push_str(&format!("<li>{}</li>\n", escape_html(&sentence)));
        }
        tables.push_str("</ul>\n");
    }
    if !statement.payment_instructions.is_empty() {
        tables.push_str(&format!(
            "<h3 style=\"{FONT}font-size:15px;color:#0f5c4d;margin:20px 0 8px 0\">{}</h3>\n",
            escape_html(words.methods_title)
        ));
        for block in &statement.payment_instructions {
            tables.push_str(&paragraphs(block));
            tables.push('\n');
        }
    }
    let title = format!(
        "{} {} {}",
        words.title,
        words.as_of,
        date(reading, &statement.date)
    );
    let body = format!(
        "{intro}\n\
         <h2 style=\"{FONT}font-size:17px;margin:8px 0 4px 0\">{title}</h2>\n\
         <p style=\"margin:0 0 8px 0\">{customer}</p>\n\
         {tables}\
         <div style=\"margin-top:20px\">{closing}</div>",
        intro = paragraphs(intro),
        title = escape_html(&title),
        customer = escape_html(&statement.customer.name),
        closing = paragraphs(closing),
    );
    let business = &statement.business;
    let head = Letterhead {
        language: statement.language,
        title: subject,
        business_name: &business.name,
        contact: [&business.tax_id, &business.phone, &business.address]
            .into_iter()
            .filter_map(|part| part.as_deref())
            .collect(),
        note: words.sent_with,
        width: 680,
    };
    letter(&head, &body)
}

/// "Estado de cuenta – Ana Pérez – 2026-11-30.pdf": no character a file system refuses, one
/// line, a name of reasonable length.
pub fn file_name(statement: &Statement, words: &Words) -> String {
    let customer: String = statement
        .customer
        .name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(80)
        .collect();
    let customer = customer.trim();
    if customer.is_empty() {
        format!("{} – {}.pdf", words.file_prefix, statement.date)
    } else {
        format!(
            "{} – {customer} – {}.pdf",
            words.file_prefix, statement.date
        )
    }
}
