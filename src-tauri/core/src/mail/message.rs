//! An email ready to go: sender, recipient, subject, and both a plain-text and an HTML body.
//! The rendered message is what gets stored and sent, so what the user previewed is what leaves.

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};

pub use super::attachment::Attachment;

use super::address::EmailAddress;
use super::config::Sender;
use crate::locale::Language;
use crate::wire;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub from: Sender,
    pub to: EmailAddress,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<uuid@sender-domain>`: lettre does not add one by itself.
    pub message_id: String,
    /// Files sent beside the two parts (a statement's PDF).
    pub attachments: Vec<Attachment>,
}

impl OutgoingEmail {
    pub fn new(
        from: Sender,
        to: EmailAddress,
        subject: String,
        text: String,
        html: String,
    ) -> Self {
        let message_id = format!(
            "<{}@{}>",
            uuid::Uuid::new_v4(),
            from.address.ascii().domain()
        );
        Self {
            from,
            to,
            subject,
            text,
            html,
            message_id,
            attachments: Vec::new(),
        }
    }

    /// The MIME message for SMTP: multipart/alternative (text, then HTML), UTF-8, with Date and
    /// Message-ID; with attachments, that inside a multipart/mixed followed by each file. Display names were cleaned of control characters when the sender was saved.
    /// Addresses carry ASCII domains (punycode), which the envelope lettre derives from them
    /// inherits: a server without SMTPUTF8 reads them.
    pub fn to_mime(&self) -> Result<lettre::Message, lettre::error::Error> {
        let from = Mailbox::new(self.from.name.clone(), self.from.address.ascii());
        let mut builder = lettre::Message::builder()
            .from(from)
            .to(Mailbox::new(None, self.to.ascii()))
            .subject(self.subject.clone())
            .message_id(Some(self.message_id.clone()))
            .date_now();
        if let Some(reply_to) = &self.from.reply_to {
            builder = builder.reply_to(Mailbox::new(None, reply_to.ascii()));
        }
        let alternative = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(self.text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(self.html.clone()),
            );
        if self.attachments.is_empty() {
            return builder.multipart(alternative);
        }
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for attachment in &self.attachments {
            mixed = mixed.singlepart(attachment.to_mime());
        }
        builder.multipart(mixed)
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The message "Enviar correo de prueba" sends: it names the sender (and the business, once it
/// has a name) so the owner sees what their customers will see.
pub fn test_email(
    sender: &Sender,
    to: EmailAddress,
    language: Language,
    business: Option<&str>,
) -> OutgoingEmail {
    let sender_name = sender
        .name
        .clone()
        .unwrap_or_else(|| sender.address.to_string());
    let who = match business.map(str::trim).filter(|b| !b.is_empty()) {
        Some(business) if business != sender_name => format!("{business} ({sender_name})"),
        _ => sender_name,
    };
    let (subject, greeting, body, footer) = match language {
        Language::Es => (
            format!("Correo de prueba de Cachicamo · {who}"),
            "¡Hola!",
            format!(
                "Este es un correo de prueba enviado por Cachicamo en nombre de {who} <{}>. \
                 Si lo está leyendo, el servicio de email está bien configurado y sus clientes \
                 recibirán los recordatorios de pago.",
                sender.address
            ),
            "Enviado con Cachicamo.",
        ),
        Language::En => (
            format!("Cachicamo test email · {who}"),
            "Hello!",
            format!(
                "This is a test email sent by Cachicamo on behalf of {who} <{}>. If you are \
                 reading it, the email service is set up correctly and your customers will \
                 receive payment reminders.",
                sender.address
            ),
            "Sent with Cachicamo.",
        ),
    };
    let text = format!("{greeting}\n\n{body}\n\n-- \n{footer}\n");
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;color:#1f2a28;line-height:1.5\">\
         <p><strong>{greeting}</strong></p><p>{body}</p>\
         <p style=\"color:#5b6b67;font-size:13px\">{footer}</p></body></html>",
        lang = wire::code(&language),
        title = escape_html(&subject),
        greeting = escape_html(greeting),
        body = escape_html(&body),
        footer = escape_html(footer),
    );
    OutgoingEmail::new(sender.clone(), to, subject, text, html)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender {
            address: "ventas@mitienda.com".parse().expect("valid"),
            name: Some("Ferretería José Peña <b>".into()),
            reply_to: Some("cobros@mitienda.com".parse().expect("valid")),
        }
    }

    #[test]
    fn the_test_email_is_multipart_utf8_with_date_and_message_id() {
        let email = test_email(
            &sender(),
            "ana@cliente.com".parse().expect("valid"),
            Language::Es,
            Some("Ferretería & Co"),
        );
        assert!(email
            .text
            .contains("Ferretería & Co (Ferretería José Peña <b>)"));
        assert!(
            email.html.contains("Ferretería &amp; Co"),
            "the business is escaped in HTML"
        );
        assert!(email.message_id.ends_with("@mitienda.com>"));
        assert!(email.html.contains("Ferretería José Peña &lt;b&gt;"));
        assert!(!email.html.contains("<b>"), "names are escaped in HTML");
        let raw = String::from_utf8(email.to_mime().expect("mime").formatted()).expect("utf8");
        for header in [
            "Date: ",
            "Message-ID: <",
            "Reply-To: cobros@mitienda.com",
            "multipart/alternative",
        ] {
            assert!(raw.contains(header), "missing {header} in:\n{raw}");
        }
        assert!(raw.contains("text/plain; charset=utf-8"));
        assert!(raw.contains("text/html; charset=utf-8"));
    }

    #[test]
    fn html_escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape_html("<b>Peña & Hijos</b> \"x\" 'y'"),
            "&lt;b&gt;Peña &amp; Hijos&lt;/b&gt; &quot;x&quot; &#39;y&#39;"
        );
    }
}
