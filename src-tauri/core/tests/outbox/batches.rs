//! Bulk work through the providers' batch endpoints with the single send's guarantees: one
//! request for many emails; a retry sends the very same bytes under the same key; a batch whose
//! outcome is unknown at a provider without keys leaves every member uncertain; a member the
//! provider refuses fails alone; rows with a PDF go one by one where the batch takes no files.

use std::collections::BTreeSet;

use crate::common::*;
use cachicamo_core::mail::{Attachment, MailFailure};
use cachicamo_core::outbox::{self, OutboxId, OutboxState, QueuedEmail};

fn queue_many(shop: &Shop, count: usize, with_pdf: bool) -> Vec<OutboxId> {
    shop.db
        .write(|tx| {
            (0..count)
                .map(|n| {
                    outbox::enqueue(
                        tx,
                        QueuedEmail {
                            to: format!("cliente{n}@example.com").parse().expect("address"),
                            subject: format!("Estado de cuenta {n}"),
                            text: format!("Saldo {n}"),
                            html: format!("<p>Saldo {n}</p>"),
                            reference: None,
                            facts: None,
                            attachments: if with_pdf {
                                vec![Attachment::pdf(
                                    format!("Estado {n}.pdf"),
                                    b"%PDF-1.7".to_vec(),
                                )]
                            } else {
                                Vec::new()
                            },
                        },
                    )
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|ids| outbox::allow_batch(tx, &ids).map(|()| ids))
        })
        .expect("queued")
}

async fn all_in(shop: &Shop, ids: &[OutboxId], state: OutboxState) {
    for id in ids {
        shop.wait_state(*id, state, LONG).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn thirty_emails_leave_in_one_resend_batch_and_pdfs_one_by_one() {
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    server.control("POST", "reset", None);
    let ids = queue_many(&shop, 30, false);
    let handle = shop.start();
    handle.kick();
    all_in(&shop, &ids, OutboxState::Sent).await;
    let batches = send_requests(&server, "/emails/batch");
    assert_eq!(batches.len(), 1, "one request for thirty");
    assert!(batches[0]["headers"]["idempotency-key"].is_string());
    assert_eq!(batches[0]["headers"]["x-batch-validation"], "strict");
    assert!(send_requests(&server, "/emails").is_empty());
    let recipients: BTreeSet<String> = accepted(&server)
        .iter()
        .map(|e| e["payload"]["to"][0].as_str().expect("to").to_owned())
        .collect();
    assert_eq!(recipients.len(), 30);
    assert!(shop.entry(ids[0]).provider_message_id.is_some());
    // Every member sent: the batch's stored copy of the messages is let go.
    let kept: i64 = shop
        .db
        .read(|c| {
            c.query_row("SELECT sum(length(payload)) FROM outbox_batches", [], |r| {
                r.get(0)
            })
        })
        .expect("payloads");
    assert_eq!(kept, 0);

    // Resend's batch takes no attachments: statements with their PDF go one by one.
    server.control("POST", "reset", None);
    let with_pdf = queue_many(&shop, 3, true);
    handle.kick();
    all_in(&shop, &with_pdf, OutboxState::Sent).await;
    assert!(send_requests(&server, "/emails/batch").is_empty());
    assert_eq!(send_requests(&server, "/emails").len(), 3);
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resend_batch_retried_after_a_5xx_is_the_same_bytes_under_the_same_key() {
    let env = provider_env().await;
    let (server, shop) = resend_shop(&env, &[]).await;
    server.control("POST", "reset", None);
    server.control(
        "POST",
        "fail",
        Some(serde_json::json!({"status": 503, "count": 1})),
    );
    let ids = queue_many(&shop, 12, false);
    let handle = shop.start();
    handle.kick();
    all_in(&shop, &ids, OutboxState::Sent).await;
    let batches = send_requests(&server, "/emails/batch");
    assert_eq!(batches.len(), 2, "the failed one and its retry");
    assert_eq!(
        batches[0]["headers"]["idempotency-key"],
        batches[1]["headers"]["idempotency-key"]
    );
    assert_eq!(batches[0]["body"], batches[1]["body"], "byte for byte");
    assert_eq!(accepted(&server).len(), 12, "each once");
    assert_eq!(shop.entry(ids[0]).attempts, 2);
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn postmark_batches_carry_pdfs_a_refused_member_fails_alone_and_no_answer_is_uncertain() {
    let env = provider_env().await;
    let (server, shop) =
        postmark_shop(&env, &["--inactive-recipient", "cliente1@example.com"]).await;
    server.control("POST", "reset", None);
    let ids = queue_many(&shop, 3, true);
    let handle = shop.start();
    handle.kick();
    let failed = shop.wait_state(ids[1], OutboxState::Failed, LONG).await;
    assert_eq!(
        failed.error.map(|e| e.code),
        Some(MailFailure::RecipientInactive)
    );
    shop.wait_state(ids[0], OutboxState::Sent, LONG).await;
    shop.wait_state(ids[2], OutboxState::Sent, LONG).await;
    assert_eq!(
        send_requests(&server, "/email/batch").len(),
        1,
        "one request, PDFs and all"
    );
    assert_eq!(
        accepted(&server)[0]["payload"]["Attachments"][0]["Name"],
        "Estado 0.pdf"
    );

    // The answer never comes after the batch may have arrived: Postmark has no key, so every
    // member is uncertain and nothing is sent again on its own.
    server.control("POST", "reset", None);
    server.control(
        "POST",
        "drop",
        Some(serde_json::json!({"count": 1, "process": true})),
    );
    let more = queue_many(&shop, 4, false);
    handle.kick();
    all_in(&shop, &more[..], OutboxState::Uncertain).await;
    settle(&handle).await;
    assert_eq!(
        send_requests(&server, "/email/batch").len(),
        1,
        "not resent"
    );
    // They did arrive, once (all but cliente1, whose address Postmark marks inactive).
    assert_eq!(accepted(&server).len(), 3);
    handle.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rest_of_a_bulk_send_is_cancelled_and_what_left_is_left_alone() {
    let shop = Shop::for_outbox();
    let ids = queue_many(&shop, 5, false);
    shop.db
        .write(|tx| tx.execute("UPDATE outbox SET state = 'sent' WHERE id = ?1", [ids[0].0]))
        .expect("one already left");
    let handle = shop.start();
    let changed = handle
        .act(
            outbox::OwnerAction::Cancel,
            outbox::Rows::Listed { ids: ids.clone() },
        )
        .expect("cancelled");
    assert_eq!(changed.len(), 4);
    assert!(changed.iter().all(|e| e.state == OutboxState::Cancelled));
    assert_eq!(shop.entry(ids[0]).state, OutboxState::Sent);
    handle.stop().await.expect("stopped");
}
