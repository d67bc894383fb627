//! A file queued with an email leaves with it, byte for byte, through each provider: a
//! multipart/mixed message at the real SMTP server, base64 `attachments` at the fake Resend,
//! `Attachments` at the fake Postmark — each fake checking the documented fields.

use crate::common::*;
use base64::Engine;
use cachicamo_core::mail::Attachment;
use cachicamo_core::outbox::{self, OutboxId, OutboxState, QueuedEmail};
use cachicamo_e2e::fakes::FakeServer;
use mail_parser::{MessageParser, MimeHeaders};

const FILE: &str = "Estado de cuenta – Ana Pérez – 2026-11-30.pdf";

fn pdf_bytes() -> Vec<u8> {
    // Binary on purpose: every byte value, as a PDF's compressed streams have.
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(40_000));
    bytes
}

fn queue_with_pdf(shop: &Shop, handle: &outbox::OutboxHandle) -> OutboxId {
    let id = shop
        .db
        .write(|tx| {
            outbox::enqueue(
                tx,
                QueuedEmail {
                    to: "ana@cliente.com".parse().expect("address"),
                    subject: "Estado de cuenta al 30/11/2026".into(),
                    text: "Su estado de cuenta, adjunto.".into(),
                    html: "<p>Su estado de cuenta, adjunto.</p>".into(),
                    reference: None,
                    facts: None,
                    attachments: vec![Attachment::pdf(FILE.into(), pdf_bytes())],
                },
            )
        })
        .expect("queued");
    handle.queued(id);
    id
}

fn decode(text: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text.as_str().expect("base64 text"))
        .expect("base64")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_reaches_the_smtp_server_as_an_attachment_of_a_mixed_message() {
    let server = FakeServer::smtp("starttls", SENDER, SMTP_PASSWORD);
    let shop = Shop::for_outbox();
    shop.configure_smtp(server.port).await;
    let handle = shop.start();
    let id = queue_with_pdf(&shop, &handle);
    let sent = shop.wait_state(id, OutboxState::Sent, LONG).await;
    assert_eq!(sent.attachments, [FILE], "the row says it carries the PDF");
    let messages = server.smtp_messages();
    assert_eq!(messages.len(), 1);
    let raw = &messages[0].1;
    let message = MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a MIME message");
    assert!(
        raw.contains("multipart/mixed"),
        "{}",
        &raw[..raw.len().min(2000)]
    );
    assert_eq!(
        message.body_text(0).as_deref(),
        Some("Su estado de cuenta, adjunto.")
    );
    let attachment = message.attachment(0).expect("the PDF");
    assert_eq!(attachment.attachment_name(), Some(FILE));
    assert_eq!(attachment.contents(), pdf_bytes().as_slice());
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_reaches_resend_and_postmark_as_base64_with_its_name() {
    let env = provider_env().await;
    let (resend, shop) = resend_shop(&env, &[]).await;
    let handle = shop.start();
    let id = queue_with_pdf(&shop, &handle);
    shop.wait_state(id, OutboxState::Sent, LONG).await;
    let sent = accepted(&resend);
    let attachment = &sent[0]["payload"]["attachments"][0];
    assert_eq!(attachment["filename"], FILE);
    assert_eq!(decode(&attachment["content"]), pdf_bytes());
    handle.stop().await.expect("stopped");
    drop(shop);

    let (postmark, shop) = postmark_shop(&env, &[]).await;
    let handle = shop.start();
    let id = queue_with_pdf(&shop, &handle);
    shop.wait_state(id, OutboxState::Sent, LONG).await;
    let sent = accepted(&postmark);
    let attachment = &sent[0]["payload"]["Attachments"][0];
    assert_eq!(attachment["Name"], FILE);
    assert_eq!(attachment["ContentType"], "application/pdf");
    assert_eq!(decode(&attachment["Content"]), pdf_bytes());
    handle.stop().await.expect("stopped");
}

#[test]
fn files_no_provider_would_take_are_refused_when_queued() {
    let shop = Shop::for_outbox();
    for bad in [
        Attachment::pdf(" ".into(), pdf_bytes()),
        Attachment::pdf("a\nb.pdf".into(), pdf_bytes()),
        Attachment::pdf("vacío.pdf".into(), Vec::new()),
        Attachment::pdf("grande.pdf".into(), vec![0; outbox::MAX_TOTAL_BYTES + 1]),
    ] {
        let refused = shop.db.write(|tx| {
            outbox::enqueue(
                tx,
                QueuedEmail {
                    to: "ana@cliente.com".parse().expect("address"),
                    subject: "Estado de cuenta".into(),
                    text: "x".into(),
                    html: "<p>x</p>".into(),
                    reference: None,
                    facts: None,
                    attachments: vec![bad.clone()],
                },
            )
        });
        assert!(refused.is_err(), "{bad:?}");
    }
}
