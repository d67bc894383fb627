//! The shop every mail test speaks for — its sender address and name, the same in the core's
//! tests and the stories — and what each test email it sends must be, read as a mailbox reads it.

use mail_parser::{Message, MessageParser, MimeHeaders};

pub const SENDER: &str = "ventas@ferreteria.com.ve";
pub const SENDER_NAME: &str = "Ferretería José Peña";

/// Reads `raw` as a test email of the shop and checks what every one carries: the Date and
/// Message-ID headers, a From that is the shop's sender and name, text and HTML alternatives,
/// and the shop's name, accents intact, in the subject and in both parts. The message is
/// returned for what a test checks beyond that.
pub fn read_test_email(raw: &str) -> Message<'_> {
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a valid MIME message");
    assert!(message.date().is_some(), "a Date header");
    assert!(message.message_id().is_some(), "a Message-ID header");
    let from = message.from().and_then(|f| f.first()).expect("From");
    assert_eq!(from.name(), Some(SENDER_NAME));
    assert_eq!(from.address(), Some(SENDER));
    assert_eq!(
        message.content_type().map(|ct| (ct.ctype(), ct.subtype())),
        Some(("multipart", Some("alternative")))
    );
    let parts = [
        ("subject", message.subject().map(str::to_owned)),
        ("text part", message.body_text(0).map(Into::into)),
        ("HTML part", message.body_html(0).map(Into::into)),
    ];
    for (part, text) in parts {
        let text = text.unwrap_or_default();
        assert!(
            text.contains(SENDER_NAME),
            "the {part} names the shop: {text}"
        );
    }
    message
}
