//! Bulk throughput: 1,000 messages without attachments drained by the app's worker through the
//! fake Resend's batch endpoint (`POST /emails/batch`, 100 a request) with the fake enforcing a
//! per-second request limit like Resend's, next to the same 1,000 sent one by one
//! (`POST /emails`) in the same run.
//!
//! Run (the worker reads its secret from the keychain, like the app):
//! `.ci/desktop-session cargo run --release -p cachicamo-core --example batch-bench [count=1000]
//!  [requests per second=10]`
#![allow(clippy::print_stdout)] // A benchmark reports its figures on stdout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cachicamo_core::mail::config::{EmailServiceForm, Provider, SmtpSecurity};
use cachicamo_core::mail::service::EmailService;
use cachicamo_core::mail::Timeouts;
use cachicamo_core::outbox::{self, OutboxSettings, QueuedEmail, Unconditional};
use cachicamo_core::secrets::{Keychain, SecretSlot, Sensitive};
use cachicamo_core::Database;
use cachicamo_e2e::fakes::FakeServer;

const SENDER: &str = "ventas@ferreteria.com.ve";
const KEY: &str = "re_bench_k3y";

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(Ok(1_000), |a| a.parse())?;
    let rate: u32 = args.next().map_or(Ok(10), |a| a.parse())?;
    let server = FakeServer::resend(&[
        "--api-key",
        KEY,
        "--domain",
        "ferreteria.com.ve:verified",
        "--rate-limit",
        &rate.to_string(),
    ]);
    std::env::set_var("CACHICAMO_RESEND_API_URL", server.base_url());
    let dir = tempfile::tempdir()?;
    let keychain = Keychain::for_data_dir(
        &format!("cachicamo-bench-{}", std::process::id()),
        dir.path(),
    )?;
    let result = run(&server, &dir, &keychain, count, rate).await;
    for slot in SecretSlot::ALL {
        let _ = keychain.delete(slot);
    }
    result
}

async fn run(
    server: &FakeServer,
    dir: &tempfile::TempDir,
    keychain: &Keychain,
    count: usize,
    rate: u32,
) -> Result<(), Failure> {
    let db = Arc::new(Database::open(&dir.path().join("cachicamo.sqlite3"))?);
    let service = EmailService::new(db.clone(), keychain.clone(), Timeouts::default());
    service
        .save(EmailServiceForm {
            provider: Provider::Resend,
            sender_address: SENDER.into(),
            sender_name: "Ferretería El Tornillo".into(),
            reply_to: String::new(),
            api_key: Some(Sensitive::new(KEY.into())),
            message_stream: String::new(),
            smtp_host: String::new(),
            smtp_port: None,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: String::new(),
            smtp_password: None,
            accept_port_mismatch: false,
        })
        .await?;
    let handle = outbox::start(
        db.clone(),
        service,
        Arc::new(Unconditional),
        OutboxSettings::default(),
    )?;
    let mut figures = Vec::new();
    for (label, batchable) in [("batch endpoint", true), ("one by one", false)] {
        server.control("POST", "reset", None);
        let ids = db.write(|tx| {
            let ids = (0..count)
                .map(|n| {
                    outbox::enqueue(
                        tx,
                        QueuedEmail {
                            to: format!("cliente{n}@example.com").parse().expect("address"),
                            subject: format!("Estado de cuenta al 30/11/2026 · {n}"),
                            text: format!("Saldo pendiente: USD {n},00"),
                            html: format!("<p>Saldo pendiente: USD {n},00</p>"),
                            reference: None,
                            facts: None,
                            attachments: Vec::new(),
                        },
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            if batchable {
                outbox::allow_batch(tx, &ids)?;
            }
            Ok::<_, outbox::OutboxError>(ids)
        })?;
        let started = Instant::now();
        handle.kick();
        let deadline = started + Duration::from_secs(3_600);
        loop {
            let sent: i64 = db.read(|c| {
                c.query_row(
                    "SELECT count(*) FROM outbox WHERE state = 'sent' AND id BETWEEN ?1 AND ?2",
                    [ids[0].0, ids[ids.len() - 1].0],
                    |r| r.get(0),
                )
            })?;
            if sent as usize == count {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("{label}: only {sent} of {count} sent in an hour").into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let took = started.elapsed();
        let requests = server
            .control("GET", "requests", None)
            .as_array()
            .map_or(0, Vec::len);
        let refused = server
            .control("GET", "requests", None)
            .as_array()
            .map_or(0, |r| r.iter().filter(|r| r["status"] == 429).count());
        println!(
            "{label}: {count} messages in {:.2} s ({:.0} msg/s), {requests} requests, {refused} \
             answered 429, fake limit {rate} req/s",
            took.as_secs_f64(),
            count as f64 / took.as_secs_f64()
        );
        figures.push(took);
    }
    println!(
        "batch endpoint / one by one: {:.1}× faster",
        figures[1].as_secs_f64() / figures[0].as_secs_f64()
    );
    handle.stop().await?;
    Ok(())
}
