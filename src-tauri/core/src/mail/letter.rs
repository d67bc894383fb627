//! The shop's letter: the HTML every message to a customer wears — the business name on top,
//! the body, and the business's contact details with a note at the foot.
//!
//! Tables and inline styles only, because mail clients drop `<style>` and modern layout. One
//! frame for reminders and statements, so they look like they come from the same shop.

use super::message::escape_html;
use crate::locale::Language;
use crate::wire;

/// The font every part of the letter is set in.
pub(crate) const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";

/// Who the letter is from and how it is titled; every text is plain and escaped here.
pub(crate) struct Letterhead<'a> {
    pub language: Language,
    /// The `<title>`: the message's subject.
    pub title: &'a str,
    pub business_name: &'a str,
    /// Tax id, phone, address… in the order they are shown; empty ones are left out.
    pub contact: Vec<&'a str>,
    /// The last line of the foot ("Recordatorio de pago enviado con Cachicamo.").
    pub note: &'a str,
    /// The content column's width in pixels: a statement's tables want more than a letter.
    pub width: u32,
}

/// Plain text as paragraphs: a blank line starts a new one, a line break stays a break.
pub(crate) fn paragraphs(text: &str) -> String {
    text.trim_end()
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.lines().map(escape_html).collect();
            format!(
                "<p style=\"margin:0 0 16px 0\">{}</p>",
                lines.join("<br>\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whole HTML document around `body`, which is already HTML.
pub(crate) fn letter(head: &Letterhead<'_>, body: &str) -> String {
    let name = head.business_name.trim();
    let header = if name.is_empty() {
        String::new()
    } else {
        format!(
            "<tr><td style=\"padding:20px 28px;border-bottom:3px solid #0f5c4d;{FONT}\
             font-size:18px;font-weight:bold;color:#0f5c4d\">{}</td></tr>\n",
            escape_html(name)
        )
    };
    let from: Vec<String> = std::iter::once(name)
        .chain(head.contact.iter().copied())
        .filter(|part| !part.trim().is_empty())
        .map(escape_html)
        .collect();
    let note = escape_html(head.note);
    let footer = if from.is_empty() {
        note
    } else {
        format!("{}<br>\n{note}", from.join(" · "))
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background-color:#f6f4ef\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"background-color:#f6f4ef\"><tr><td align=\"center\" style=\"padding:24px 12px\">\n\
         <table role=\"presentation\" width=\"{width}\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"width:100%;max-width:{width}px;background-color:#ffffff;border:1px solid #d9d4c7\">\n\
         {header}\
         <tr><td style=\"padding:24px 28px;{FONT}font-size:15px;line-height:1.6;color:#1f2a28\">\n\
         {body}\n</td></tr>\n\
         <tr><td style=\"padding:16px 28px;border-top:1px solid #d9d4c7;{FONT}font-size:12px;\
         line-height:1.5;color:#5b6b67\">{footer}</td></tr>\n\
         </table>\n</td></tr></table>\n</body>\n</html>\n",
        lang = wire::code(&head.language),
        title = escape_html(head.title),
        width = head.width,
    )
}
