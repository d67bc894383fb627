//! Outbox throughput: 1,000 queued reminders drained by the app's worker to a local SMTP sink,
//! next to a plain loop of pooled lettre sends of the same messages, in the same run.
//!
//! Run (the worker reads its secret from the keychain, like the app):
//! `.ci/desktop-session cargo run --release -p cachicamo-core --example outbox-bench [count] [rounds]`
//!
//! The sink is a minimal in-process SMTP server (tokio, no TLS, AUTH accepted, DATA counted and
//! discarded), so it is faster than either side and the figures measure the senders. It ACKs at
//! once (TCP_QUICKACK): lettre writes a message's body and its final dot in two writes without
//! TCP_NODELAY, so against a server that delays its ACKs (Linux: 40 ms) every message waits for
//! that timer — a property of the server, which would otherwise be all this measures.

// The shop the core's tests build: a SQLite file, a keychain service of its own, the service.
#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cachicamo_core::mail::config::SmtpSecurity;
use cachicamo_core::mail::{OutgoingEmail, Sender, Timeouts};
use cachicamo_core::outbox::{self, OutboxSettings, OutboxState};
use common::{queued_email, smtp_form, Shop, SENDER, SENDER_NAME, SMTP_PASSWORD};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(Ok(1_000), |a| a.parse())?;
    let rounds: usize = args.next().map_or(Ok(3), |a| a.parse())?;
    let received = Arc::new(AtomicUsize::new(0));
    let port = sink(received.clone())?;
    let messages = rendered(count);
    run(port, &messages, rounds, &received).await
}

async fn run(
    port: u16,
    messages: &[OutgoingEmail],
    rounds: usize,
    received: &AtomicUsize,
) -> Result<(), Failure> {
    let count = messages.len();
    let mut worker = Vec::new();
    let mut plain = Vec::new();
    let mut concurrent = Vec::new();
    // A short warm-up of each, so neither pays for first connections and page faults alone.
    outbox_drain(port, &messages[..count.min(20)]).await?;
    plain_loop(port, &messages[..count.min(20)]).await?;
    for _ in 0..rounds {
        for (figures, which) in [(&mut plain, 0), (&mut worker, 1), (&mut concurrent, 2)] {
            let before = received.load(Ordering::SeqCst);
            let phase = async {
                match which {
                    0 => plain_loop(port, messages).await,
                    1 => outbox_drain(port, messages).await,
                    _ => concurrent_loop(port, messages).await,
                }
            };
            // A benchmark that hangs says nothing: fail with which side hung.
            let elapsed = tokio::time::timeout(Duration::from_secs(120), phase)
                .await
                .map_err(|_| format!("phase {which} (0 plain, 1 worker, 2 concurrent) hung"))??;
            let got = received.load(Ordering::SeqCst) - before;
            if got != count {
                return Err(format!("the sink received {got} messages, not {count}").into());
            }
            figures.push(count as f64 / elapsed.as_secs_f64());
        }
    }
    let (worker, plain, concurrent) = (spread(worker), spread(plain), spread(concurrent));
    let report = format!(
        "outbox-bench: {count} messages, {rounds} rounds, msg/s as median (min-max)\n\
         outbox worker (queued in SQLite, sent by the worker):   {}\n\
         plain loop of pooled lettre sends (one at a time):      {}\n\
         pooled lettre sends, 4 at a time (the worker's width):  {}\n\
         ratio worker / plain loop: {:.2} (target >= 0.7)\n\
         ratio worker / 4-at-a-time lettre: {:.2}\n",
        worker.1,
        plain.1,
        concurrent.1,
        worker.0 / plain.0,
        worker.0 / concurrent.0,
    );
    std::io::Write::write_all(&mut std::io::stdout().lock(), report.as_bytes())?;
    Ok(())
}

/// The median, and how it reads with its range.
fn spread(mut figures: Vec<f64>) -> (f64, String) {
    figures.sort_by(f64::total_cmp);
    let median = figures[figures.len() / 2];
    let text = format!(
        "{median:>6.0} ({:.0}-{:.0})",
        figures[0],
        figures[figures.len() - 1]
    );
    (median, text)
}

fn sender() -> Sender {
    Sender {
        address: SENDER.parse().expect("valid"),
        name: Some(SENDER_NAME.into()),
        reply_to: None,
    }
}

/// Reminder-sized messages (a short text and HTML body), like the app renders.
fn rendered(count: usize) -> Vec<OutgoingEmail> {
    (0..count)
        .map(|i| {
            let subject = format!("Recordatorio de pago: factura {i}");
            OutgoingEmail::new(
                sender(),
                format!("cliente{i}@example.com").parse().expect("valid"),
                subject.clone(),
                format!("Hola,\n\n{subject}. Saldo pendiente: 1.500,50 Bs.\n\nGracias.\n"),
                format!(
                    "<!doctype html><html><body><p>Hola,</p><p>{subject}. Saldo pendiente: \
                     <strong>1.500,50 Bs.</strong></p><p>Gracias.</p></body></html>"
                ),
            )
        })
        .collect()
}

/// The app's path: queue in SQLite, the worker sends through the configured (pooled) service,
/// with the app's own deadlines.
async fn outbox_drain(port: u16, messages: &[OutgoingEmail]) -> Result<Duration, Failure> {
    let shop = Shop::open_with(Timeouts::default());
    let mut form = smtp_form(port, SmtpSecurity::None, Some(SMTP_PASSWORD));
    form.smtp_host = "127.0.0.1".into();
    shop.service.save(form).await?;
    let db = shop.db.clone();
    db.write(|tx| {
        for email in messages {
            let to = email.to.to_string();
            outbox::enqueue(
                tx,
                queued_email(&to, &email.subject, &email.text, &email.html),
            )?;
        }
        Ok::<_, outbox::OutboxError>(())
    })?;
    let started = Instant::now();
    // The app's own send check (these rows are about no receivable, so it lets them go).
    let handle = outbox::start(
        db.clone(),
        shop.service.clone(),
        std::sync::Arc::new(cachicamo_core::reminders::ReminderGate),
        OutboxSettings::default(),
    )?;
    let mut events = handle.subscribe();
    let mut sent = 0;
    while sent < messages.len() {
        let Ok(event) = tokio::time::timeout(Duration::from_secs(10), events.recv()).await else {
            let states: Vec<(String, i64)> = db.read(|c| {
                c.prepare("SELECT state, count(*) FROM outbox GROUP BY state")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()
            })?;
            return Err(format!("the worker stalled after {sent} sent: {states:?}").into());
        };
        match event {
            Ok(event) if event.state == OutboxState::Sent => sent += 1,
            Ok(event) if event.state == OutboxState::Sending => {}
            Ok(event) => return Err(format!("unexpected {event:?}").into()),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                sent = db.read(|c| {
                    c.query_row(
                        "SELECT count(*) FROM outbox WHERE state = 'sent'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                })? as usize;
            }
            Err(err) => return Err(err.into()),
        }
    }
    let elapsed = started.elapsed();
    handle.stop().await?;
    Ok(elapsed)
}

fn transport(port: u16) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .credentials(Credentials::new(SENDER.into(), SMTP_PASSWORD.into()))
        .pool_config(PoolConfig::new().max_size(4))
        .build()
}

/// The baseline: the same messages, one pooled lettre send after another.
async fn plain_loop(port: u16, messages: &[OutgoingEmail]) -> Result<Duration, Failure> {
    let transport = transport(port);
    let started = Instant::now();
    for email in messages {
        transport.send(email.to_mime()?).await?;
    }
    Ok(started.elapsed())
}

/// The same, four sends at a time over one pool: what the worker's concurrency could reach.
async fn concurrent_loop(port: u16, messages: &[OutgoingEmail]) -> Result<Duration, Failure> {
    let transport = transport(port);
    let started = Instant::now();
    let mut lanes = tokio::task::JoinSet::new();
    for lane in 0..4 {
        let transport = transport.clone();
        let mine: Vec<OutgoingEmail> = messages.iter().skip(lane).step_by(4).cloned().collect();
        lanes.spawn(async move {
            for email in mine {
                transport.send(email.to_mime()?).await?;
            }
            Ok::<_, Failure>(())
        });
    }
    while let Some(lane) = lanes.join_next().await {
        lane??;
    }
    Ok(started.elapsed())
}

/// A minimal SMTP server: greets, accepts EHLO, AUTH, MAIL, RCPT, NOOP, RSET, counts each DATA
/// and forgets it. It runs on a thread and runtime of its own, as a server in another process
/// would: sharing the senders' runtime made every figure depend on which thread a task landed on.
fn sink(received: Arc<AtomicUsize>) -> Result<u16, Failure> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("sink runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).expect("sink listener");
            while let Ok((socket, _)) = listener.accept().await {
                let received = received.clone();
                tokio::spawn(async move {
                    let _ = session(socket, &received).await;
                });
            }
        });
    });
    Ok(port)
}

async fn session(socket: tokio::net::TcpStream, received: &AtomicUsize) -> std::io::Result<()> {
    let _ = socket.set_nodelay(true);
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut line = Vec::new();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    loop {
        line.clear();
        quickack(&lines);
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if command.starts_with("AUTH PLAIN ") {
            b"235 2.7.0 ok\r\n"
        } else if command.starts_with("AUTH") {
            // PLAIN without an initial response, or LOGIN: ask until a line comes back.
            write.write_all(b"334 \r\n").await?;
            line.clear();
            lines.read_until(b'\n', &mut line).await?;
            if command.starts_with("AUTH LOGIN") {
                write.write_all(b"334 \r\n").await?;
                line.clear();
                lines.read_until(b'\n', &mut line).await?;
            }
            b"235 2.7.0 ok\r\n"
        } else if command.starts_with("DATA") {
            write.write_all(b"354 go ahead\r\n").await?;
            loop {
                line.clear();
                quickack(&lines);
                if lines.read_until(b'\n', &mut line).await? == 0 {
                    return Ok(());
                }
                if line == b".\r\n" {
                    break;
                }
            }
            received.fetch_add(1, Ordering::SeqCst);
            b"250 2.0.0 ok\r\n"
        } else if command.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 ok\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// Linux leaves quick-ACK mode after a while on its own: re-arm it before every read.
#[cfg(target_os = "linux")]
fn quickack(lines: &BufReader<tokio::net::tcp::OwnedReadHalf>) {
    let stream: &tokio::net::TcpStream = lines.get_ref().as_ref();
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

/// Elsewhere the figures include the platform's delayed-ACK behaviour (unverified here).
#[cfg(not(target_os = "linux"))]
fn quickack(_lines: &BufReader<tokio::net::tcp::OwnedReadHalf>) {}
