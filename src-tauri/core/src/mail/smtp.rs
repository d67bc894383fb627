//! SMTP: lettre's connection-level client driven phase by phase, each phase with its own
//! deadline, so that every failure says whether the message may already be at the server.
//!
//! lettre's pooled `AsyncSmtpTransport::send` runs connect, TLS, AUTH and MAIL…DATA…final dot
//! as one step: one deadline around it cannot tell "never left" from "left, reply late". Here:
//! - **Opening** a session (TCP within `connect`; greeting, EHLO, STARTTLS and AUTH within
//!   `request`) and the **envelope** (MAIL FROM, RCPT TO, the DATA command, within `request`):
//!   whatever fails, the content has not left, so the error is never `maybe_delivered`.
//! - **Hand-over**: the content, its final dot and the server's reply, within `final_reply`
//!   (10 minutes unless shortened, as RFC 5321 §4.5.3.2.6 asks). A 4xx/5xx reply is definite; a
//!   write failure, a hang-up or no reply in time means the server may have taken the message:
//!   the error is `maybe_delivered`, and a sender without idempotency must not retry it blindly.
//!
//! Sessions are kept between sends in a small pool of our own ([`pool`]: reused only after an
//! accepted send). TLS trusts the OS store (rustls platform verifier). Failures are put in the
//! owner's terms by [`classify()`].

mod classify;
mod pool;

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;

pub use classify::classify;

use super::config::{Provider, SmtpSecurity, SmtpSettings};
use super::destination::is_loopback_host;
use super::error::{MailError, MailFailure};
use super::http::error_chain;
use super::message::OutgoingEmail;
use super::{Receipt, Timeouts};
use crate::secrets::Sensitive;

/// Sessions kept open between sends: the outbox sends up to four at a time.
const MAX_IDLE: usize = 4;
/// Servers drop idle sessions after a minute or a few; reusing one that old mostly fails.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// A parked session must answer NOOP this fast, or a new one is opened instead.
const PROBE_DEADLINE: Duration = Duration::from_secs(3);

pub struct SmtpMailer {
    settings: SmtpSettings,
    credentials: Credentials,
    /// The server name checked against its certificate; `None` for the plain-text mode.
    tls: Option<TlsParameters>,
    hello: ClientId,
    timeouts: Timeouts,
    pool: pool::Pool,
}

impl SmtpMailer {
    /// Call inside the tokio runtime (the pool closes idle sessions there). The security mode
    /// decides TLS, never the port.
    pub fn new(
        settings: &SmtpSettings,
        password: &Sensitive<String>,
        timeouts: Timeouts,
    ) -> Result<Self, MailError> {
        // The form refuses this; a configuration that arrives another way is refused here too.
        if settings.security == SmtpSecurity::None && !is_loopback_host(&settings.host) {
            return Err(
                MailError::new(Provider::Smtp, MailFailure::InsecureEndpoint).message(format!(
                    "{}:{} without encryption: the password would cross the network in clear",
                    settings.host, settings.port
                )),
            );
        }
        let tls = match settings.security {
            SmtpSecurity::Starttls | SmtpSecurity::Tls => {
                Some(TlsParameters::new(settings.host.clone()).map_err(|err| {
                    MailError::new(Provider::Smtp, MailFailure::Tls).message(error_chain(&err))
                })?)
            }
            SmtpSecurity::None => None,
        };
        Ok(Self {
            settings: settings.clone(),
            credentials: Credentials::new(settings.username.clone(), password.expose().clone()),
            tls,
            hello: ClientId::Domain(hello_name()),
            timeouts,
            pool: pool::Pool::new(MAX_IDLE, IDLE_TIMEOUT, PROBE_DEADLINE.min(timeouts.request)),
        })
    }

    /// Connect, TLS, AUTH and NOOP: proves the settings and credentials without sending.
    pub async fn verify(&self) -> Result<(), MailError> {
        let mut conn = self.open().await?;
        match tokio::time::timeout(self.timeouts.request, conn.test_connected()).await {
            Err(_) => Err(self.open_timed_out()),
            Ok(false) => Err(
                MailError::new(Provider::Smtp, MailFailure::ProviderUnavailable)
                    .message("the server did not answer NOOP"),
            ),
            Ok(true) => {
                pool::quit_in_background(conn);
                Ok(())
            }
        }
    }

    /// Sends one message on a pooled session (or a new one), phase by phase (see the module).
    pub async fn send(&self, email: &OutgoingEmail) -> Result<Receipt, MailError> {
        let message = email.to_mime().map_err(|err| {
            MailError::new(Provider::Smtp, MailFailure::Rejected).message(err.to_string())
        })?;
        let content = message.formatted();
        let envelope = message.envelope();
        let conn = match self.pool.take().await {
            Some(conn) => conn,
            None => self.open().await?,
        };
        let parameters = match mail_parameters(&conn, envelope, &content) {
            Ok(parameters) => parameters,
            Err(err) => {
                pool::quit_in_background(conn);
                return Err(err);
            }
        };
        let conn = self.envelope(conn, envelope, parameters).await?;
        let (conn, response) = self.hand_over(conn, &content).await?;
        self.pool.put(conn);
        Ok(Receipt {
            provider_message_id: email.message_id.clone(),
            provider_response: response.message().collect::<Vec<_>>().join(" "),
            rate_limit: None,
        })
    }

    /// TCP (lettre's own connect timeout), greeting, EHLO, STARTTLS and AUTH under `request`.
    async fn open(&self) -> Result<AsyncSmtpConnection, MailError> {
        let session = async {
            let implicit_tls = match self.settings.security {
                SmtpSecurity::Tls => self.tls.clone(),
                SmtpSecurity::Starttls | SmtpSecurity::None => None,
            };
            let mut conn = AsyncSmtpConnection::connect_tokio1(
                (self.settings.host.as_str(), self.settings.port),
                Some(self.timeouts.connect),
                &self.hello,
                implicit_tls,
                None,
            )
            .await?;
            if let (SmtpSecurity::Starttls, Some(tls)) = (self.settings.security, &self.tls) {
                conn.starttls(tls.clone(), &self.hello).await?;
            }
            conn.auth(DEFAULT_MECHANISMS, &self.credentials).await?;
            Ok(conn)
        };
        match tokio::time::timeout(self.timeouts.request, session).await {
            Err(_) => Err(self.open_timed_out()),
            Ok(Err(err)) => Err(classify(&err, &self.settings)),
            Ok(Ok(conn)) => Ok(conn),
        }
    }

    /// MAIL FROM, RCPT TO and DATA under `request`. The content has not left yet: nothing here
    /// can have delivered the message.
    async fn envelope(
        &self,
        mut conn: AsyncSmtpConnection,
        envelope: &Envelope,
        parameters: Vec<MailParameter>,
    ) -> Result<AsyncSmtpConnection, MailError> {
        let commands = async {
            conn.command(Mail::new(envelope.from().cloned(), parameters))
                .await?;
            for to in envelope.to() {
                conn.command(Rcpt::new(to.clone(), vec![])).await?;
            }
            conn.command(Data).await
        };
        match tokio::time::timeout(self.timeouts.request, commands).await {
            Ok(Ok(_)) => Ok(conn),
            Ok(Err(err)) => Err(self.failed(conn, &err)),
            Err(_) => Err(
                MailError::new(Provider::Smtp, MailFailure::Timeout).message(format!(
                    "{}:{} did not answer MAIL, RCPT or DATA within {} s; the message was not sent",
                    self.settings.host,
                    self.settings.port,
                    self.timeouts.request.as_secs()
                )),
            ),
        }
    }

    /// The content, its final dot and the reply, under `final_reply`. Only a reply is definite.
    async fn hand_over(
        &self,
        mut conn: AsyncSmtpConnection,
        content: &[u8],
    ) -> Result<(AsyncSmtpConnection, Response), MailError> {
        match tokio::time::timeout(self.timeouts.final_reply, conn.message(content)).await {
            Ok(Ok(response)) => Ok((conn, response)),
            Ok(Err(err)) if err.status().is_some() => Err(self.failed(conn, &err)),
            // The write failed or the server hung up: the dot may have arrived before that.
            Ok(Err(err)) => Err(classify(&err, &self.settings).maybe_delivered()),
            Err(_) => Err(MailError::new(Provider::Smtp, MailFailure::Timeout)
                .message(format!(
                    "the message went to {}:{}, but no reply came within {} s: it may have \
                     been delivered",
                    self.settings.host,
                    self.settings.port,
                    self.timeouts.final_reply.as_secs()
                ))
                .maybe_delivered()),
        }
    }

    /// A failure the server stated (a reply code) leaves the session in a known state, so it
    /// gets a polite QUIT; anything else (a hang-up, garbage) is closed as it is.
    fn failed(&self, conn: AsyncSmtpConnection, err: &lettre::transport::smtp::Error) -> MailError {
        if err.status().is_some() {
            pool::quit_in_background(conn);
        }
        classify(err, &self.settings)
    }

    fn open_timed_out(&self) -> MailError {
        let mut error = MailError::new(Provider::Smtp, MailFailure::Timeout).message(format!(
            "no answer from {}:{} within {} s",
            self.settings.host,
            self.settings.port,
            self.timeouts.request.as_secs()
        ));
        // STARTTLS against an implicit-TLS port waits forever for a greeting that never comes.
        if self.settings.security.contradicts(self.settings.port) {
            error.failure = MailFailure::WrongSecurityMode;
        }
        error
    }
}

/// SMTPUTF8 for internationalised addresses and 8BITMIME for 8-bit content, as lettre's own
/// `send` asks for them; a server lacking one cannot take this message, now or later.
fn mail_parameters(
    conn: &AsyncSmtpConnection,
    envelope: &Envelope,
    content: &[u8],
) -> Result<Vec<MailParameter>, MailError> {
    let info = conn.server_info();
    let mut parameters = Vec::new();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|address| !AsRef::<str>::as_ref(address).is_ascii());
    if non_ascii_address {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            // Not a network problem, and the same on every retry: a permanent failure in words.
            return Err(MailError::new(Provider::Smtp, MailFailure::NonAsciiMailbox)
                .message("the server does not accept addresses with accents (no SMTPUTF8)"));
        }
        parameters.push(MailParameter::SmtpUtfEight);
    }
    if !content.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            return Err(MailError::new(Provider::Smtp, MailFailure::Rejected)
                .message("the server does not accept 8-bit content (no 8BITMIME)"));
        }
        parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    Ok(parameters)
}

/// Gmail rejects HELO names with `_` or non-ASCII; a plain, valid name avoids that whatever the
/// computer is called.
fn hello_name() -> String {
    let raw = hostname_or_default();
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(|c| c == '-' || c == '.').to_owned();
    if cleaned.is_empty() {
        "cachicamo.localdomain".to_owned()
    } else {
        cleaned
    }
}

fn hostname_or_default() -> String {
    ClientId::default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_name_is_plain_ascii() {
        let name = hello_name();
        assert!(!name.is_empty());
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'),
            "{name}"
        );
    }
}
