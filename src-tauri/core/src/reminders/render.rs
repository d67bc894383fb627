//! Turns a template and the facts of a receivable into the message that leaves: a subject, the
//! plain-text part and the HTML part inside Cachicamo's own simple layout.
//!
//! The engine never escapes (set explicitly: minijinja would escape only templates named
//! `*.html`), so the text part says exactly what was typed and what the facts hold. The HTML
//! part is that same text with *everything* escaped — the owner's words and every variable — so
//! no customer name, concept or instruction can ever become markup.

use serde::Serialize;
use time::Date;
use ts_rs::TS;

use super::facts::ReminderFacts;
use super::template::ReminderTemplate;
use super::variables::VariableKey;
use super::ReminderError;
use crate::books::reading::Reading;
use crate::locale::Language;
use crate::locale::Region;
use crate::mail::message::escape_html;
pub use crate::templating::region_for;
#[cfg(test)]
use crate::templating::MAX_RENDERED_SUBJECT;
use crate::templating::{engine, one_line, without_empty_paragraphs, EMPTY};
use crate::wire;

/// What a reminder says, exactly as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RenderedReminder {
    pub language: Language,
    /// One line, free of control characters.
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub fn render(
    template: &ReminderTemplate,
    facts: &ReminderFacts,
    language: Language,
    app_region: Region,
) -> Result<RenderedReminder, ReminderError> {
    let values = values(facts, language, region_for(language, app_region));
    let env = engine();
    let fill = |source: &str| -> Result<String, ReminderError> {
        let source: String = source.chars().filter(|c| *c != EMPTY).collect();
        Ok(env
            .template_from_str(&source)
            .and_then(|template| template.render(&values))?)
    };
    let subject = one_line(&fill(&template.subject)?);
    let text = without_empty_paragraphs(&fill(&template.body)?);
    let html = layout(facts, language, &subject, &text);
    Ok(RenderedReminder {
        language,
        subject,
        text,
        html,
    })
}

fn values(
    facts: &ReminderFacts,
    language: Language,
    region: Region,
) -> std::collections::BTreeMap<&'static str, String> {
    // Only the region writes here: `today` plays no part in formatting.
    let reading = Reading {
        region,
        today: Date::MIN,
    };
    VariableKey::ALL
        .into_iter()
        .map(|key| {
            let value = match key {
                VariableKey::Customer => facts.customer.clone(),
                VariableKey::Business => facts.business_name.clone(),
                VariableKey::DocumentNumber => facts.document_number.clone().unwrap_or_default(),
                VariableKey::Concept => facts.concept.clone(),
                VariableKey::Amount => reading.money(facts.amount_minor, &facts.currency).text,
                VariableKey::Balance => reading.money(facts.balance_minor, &facts.currency).text,
                VariableKey::IssueDate => reading.date(facts.issue_date).text,
                VariableKey::DueDate => reading.date(facts.due_date).text,
                VariableKey::DaysOverdue => facts.days_overdue.to_string(),
                VariableKey::PaymentInstructions => facts.payment_instructions.clone(),
            };
            let value: String = value.chars().filter(|c| *c != EMPTY).collect();
            let value = if value.trim().is_empty() && key.may_be_empty() {
                EMPTY.to_string()
            } else {
                value
            };
            (key.name(language), value)
        })
        .collect()
}

/// The HTML part: tables and inline styles only, because mail clients drop `<style>` and
/// modern layout; the business name on top, its contact details at the foot.
fn layout(facts: &ReminderFacts, language: Language, subject: &str, text: &str) -> String {
    const FONT: &str = "font-family:Arial,Helvetica,sans-serif;";
    let paragraphs: String = text
        .trim_end()
        .split("\n\n")
        .map(|paragraph| {
            let lines: Vec<String> = paragraph.lines().map(escape_html).collect();
            format!(
                "<p style=\"margin:0 0 16px 0\">{}</p>",
                lines.join("<br>\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let header = if facts.business_name.is_empty() {
        String::new()
    } else {
        format!(
            "<tr><td style=\"padding:20px 28px;border-bottom:3px solid #0f5c4d;{FONT}\
             font-size:18px;font-weight:bold;color:#0f5c4d\">{}</td></tr>\n",
            escape_html(&facts.business_name)
        )
    };
    let mut footer_lines: Vec<String> = Vec::new();
    if !facts.business_name.is_empty() {
        footer_lines.push(escape_html(&facts.business_name));
    }
    footer_lines.extend(facts.business_contact.iter().map(|part| escape_html(part)));
    let footer_lines = footer_lines.join(" · ");
    let note = match language {
        Language::Es => "Recordatorio de pago enviado con Cachicamo.",
        Language::En => "Payment reminder sent with Cachicamo.",
    };
    let footer = if footer_lines.is_empty() {
        note.to_owned()
    } else {
        format!("{footer_lines}<br>\n{note}")
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background-color:#f6f4ef\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"background-color:#f6f4ef\"><tr><td align=\"center\" style=\"padding:24px 12px\">\n\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" \
         style=\"width:100%;max-width:600px;background-color:#ffffff;border:1px solid #d9d4c7\">\n\
         {header}\
         <tr><td style=\"padding:24px 28px;{FONT}font-size:15px;line-height:1.6;color:#1f2a28\">\n\
         {paragraphs}\n</td></tr>\n\
         <tr><td style=\"padding:16px 28px;border-top:1px solid #d9d4c7;{FONT}font-size:12px;\
         line-height:1.5;color:#5b6b67\">{footer}</td></tr>\n\
         </table>\n</td></tr></table>\n</body>\n</html>\n",
        lang = wire::code(&language),
        title = escape_html(subject),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business::Business;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, m.try_into().expect("month"), d).expect("date")
    }

    fn facts() -> ReminderFacts {
        ReminderFacts {
            customer: "<b>Peña & Hijos</b>".into(),
            business_name: "Ferretería \"El Tornillo\"".into(),
            business_contact: vec!["J-12345678-9".into(), "0412-5550101".into()],
            document_number: Some("F-0042".into()),
            concept: "Cemento <gris>".into(),
            currency: "USD".into(),
            amount_minor: 150_050,
            balance_minor: 100_000,
            issue_date: date(2026, 3, 5),
            due_date: date(2026, 4, 4),
            days_overdue: 12,
            payment_instructions: "Pago móvil: 0412-5550101\nBanco de Venezuela".into(),
        }
    }

    fn es() -> ReminderTemplate {
        ReminderTemplate::standard(Language::Es)
    }

    #[test]
    fn a_customer_named_with_markup_is_text_in_html_and_literal_in_text() {
        let sent = render(&es(), &facts(), Language::Es, Region::EsVe).expect("render");
        assert!(sent.text.contains("Estimado(a) <b>Peña & Hijos</b>:"));
        assert!(sent
            .html
            .contains("Estimado(a) &lt;b&gt;Peña &amp; Hijos&lt;/b&gt;:"));
        assert!(
            !sent.html.contains("<b>"),
            "no customer markup in:\n{}",
            sent.html
        );
        assert!(!sent.html.contains("<gris>"));
        assert!(sent.html.contains("Ferretería &quot;El Tornillo&quot;"));
    }

    #[test]
    fn the_owners_own_words_are_escaped_too() {
        let template = ReminderTemplate {
            subject: "Pago <pendiente>".into(),
            body: "<script>alert(1)</script> & {{ cliente }}".into(),
        };
        let sent = render(&template, &facts(), Language::Es, Region::EsVe).expect("render");
        assert!(sent
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"));
        assert!(!sent.html.contains("<script"));
        assert!(sent.html.contains("<title>Pago &lt;pendiente&gt;</title>"));
        assert_eq!(sent.subject, "Pago <pendiente>");
    }

    #[test]
    fn spanish_follows_a_spanish_region_and_english_is_written_the_us_way() {
        let es_mx = render(&es(), &facts(), Language::Es, Region::EsMx).expect("es-MX");
        assert!(
            es_mx.text.contains("saldo pendiente de USD 1,000.00"),
            "{}",
            es_mx.text
        );
        assert!(es_mx.text.contains("vencimiento 04/04/2026"));
        let es_ve = render(&es(), &facts(), Language::Es, Region::EsVe).expect("es-VE");
        assert!(es_ve.text.contains("de USD 1.000,00"));
        assert!(es_ve.text.contains("monto original USD 1.500,50"));
        assert!(es_ve.text.contains("emitido el 05/03/2026"));
        // An English-speaking app region still writes Spanish reminders the Spanish way.
        let es_from_us = render(&es(), &facts(), Language::Es, Region::EnUs).expect("es");
        assert!(es_from_us.text.contains("de USD 1.000,00"));
        let en = render(
            &ReminderTemplate::standard(Language::En),
            &facts(),
            Language::En,
            Region::EsVe,
        )
        .expect("en");
        assert!(en.text.starts_with("Dear <b>Peña & Hijos</b>,"));
        assert!(en.text.contains("a balance of USD 1,000.00"));
        assert!(en.text.contains("due on 04/04/2026"));
        assert!(en
            .text
            .contains("issued on 03/05/2026 · original amount USD 1,500.50"));
        assert_eq!(en.subject, "Payment reminder: Cemento <gris>");
        assert!(en.html.contains("<html lang=\"en\">"));
        assert!(en.html.contains("Payment reminder sent with Cachicamo."));
    }

    #[test]
    fn days_overdue_and_multi_line_instructions_become_paragraphs_with_breaks() {
        let template = ReminderTemplate {
            subject: "{{ dias_vencidos }} días".into(),
            body: "Atraso: {{ dias_vencidos }} días\n\nPague así:\n{{ instrucciones_pago }}".into(),
        };
        let sent = render(&template, &facts(), Language::Es, Region::EsVe).expect("render");
        assert_eq!(sent.subject, "12 días");
        assert_eq!(
            sent.text,
            "Atraso: 12 días\n\nPague así:\nPago móvil: 0412-5550101\nBanco de Venezuela\n"
        );
        assert!(sent.html.contains(
            "<p style=\"margin:0 0 16px 0\">Pague así:<br>\nPago móvil: 0412-5550101<br>\nBanco de Venezuela</p>"
        ));
        let on_time = ReminderFacts {
            days_overdue: 0,
            ..facts()
        };
        let sent = render(&template, &on_time, Language::Es, Region::EsVe).expect("render");
        assert_eq!(sent.subject, "0 días");
    }

    #[test]
    fn paragraphs_quoting_missing_instructions_or_document_are_left_out() {
        let bare = ReminderFacts {
            payment_instructions: "  ".into(),
            document_number: None,
            business_name: String::new(),
            business_contact: vec![],
            ..facts()
        };
        let sent = render(&es(), &bare, Language::Es, Region::EsVe).expect("render");
        assert!(
            !sent.text.contains("Puede realizar su pago"),
            "{}",
            sent.text
        );
        assert!(!sent.text.contains("Documento:"));
        assert!(!sent.text.contains("Atentamente"));
        assert!(!sent.text.contains("\n\n\n"));
        assert!(!sent.text.contains(EMPTY));
        assert!(!sent.html.contains(EMPTY));
        assert!(sent.text.contains("Si ya realizó el pago"));
        assert!(!sent.html.contains("border-bottom:3px"), "no empty header");
        let full = render(&es(), &facts(), Language::Es, Region::EsVe).expect("render");
        assert!(full
            .text
            .contains("Puede realizar su pago de la siguiente manera:\nPago móvil: 0412-5550101"));
        assert!(full
            .text
            .ends_with("Atentamente,\nFerretería \"El Tornillo\"\n"));
    }

    #[test]
    fn control_characters_never_reach_the_subject() {
        let template = ReminderTemplate {
            subject: "Pago de {{ cliente }}".into(),
            body: "Hola".into(),
        };
        let sneaky = ReminderFacts {
            customer: "Ana\r\nBcc: todos@ejemplo.com\u{7}".into(),
            ..facts()
        };
        let sent = render(&template, &sneaky, Language::Es, Region::EsVe).expect("render");
        assert_eq!(sent.subject, "Pago de Ana Bcc: todos@ejemplo.com");
        assert!(!sent.subject.chars().any(char::is_control));
        let long = ReminderFacts {
            customer: "N".repeat(2_000),
            ..facts()
        };
        let sent = render(&template, &long, Language::Es, Region::EsVe).expect("render");
        assert_eq!(sent.subject.chars().count(), MAX_RENDERED_SUBJECT);
    }

    #[test]
    fn the_sample_is_a_realistic_overdue_receivable_in_the_businesss_currency() {
        let business = Business {
            name: "Ferretería Peña".into(),
            default_currency: "VES".into(),
            ..Business::default()
        };
        let today = date(2026, 11, 29);
        let sample = ReminderFacts::sample(Language::Es, &business, today);
        let sent = render(&es(), &sample, Language::Es, Region::EsVe).expect("render");
        assert!(
            sent.text.contains("saldo pendiente de VES 850,00"),
            "{}",
            sent.text
        );
        assert!(sent.text.contains("vencimiento 14/11/2026"));
        assert!(sent.text.ends_with("Atentamente,\nFerretería Peña\n"));
        assert!(!sent.text.contains("Puede realizar su pago"));
    }
}
