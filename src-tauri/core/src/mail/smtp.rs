//! SMTP through lettre's async transport (tokio + rustls with the OS trust store, pooled).

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::config::{wants_app_password, Provider, SmtpSecurity, SmtpSettings};
use super::destination::is_loopback_host;
use super::error::{MailError, MailFailure};
use super::http::error_chain;
use super::message::OutgoingEmail;
use super::{Receipt, Timeouts};
use crate::secrets::Sensitive;

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    settings: SmtpSettings,
    timeouts: Timeouts,
}

impl SmtpMailer {
    /// Builds the pooled transport; call inside the tokio runtime. The security mode picks the
    /// constructor, never the port.
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
        let tls_parameters = || {
            TlsParameters::new(settings.host.clone()).map_err(|err| {
                MailError::new(Provider::Smtp, MailFailure::Tls).message(error_chain(&err))
            })
        };
        let tls = match settings.security {
            SmtpSecurity::Starttls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
            SmtpSecurity::None => Tls::None,
        };
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .tls(tls)
                .credentials(Credentials::new(
                    settings.username.clone(),
                    password.expose().clone(),
                ))
                .hello_name(ClientId::Domain(hello_name()))
                .timeout(Some(timeouts.connect))
                .pool_config(
                    PoolConfig::new()
                        .max_size(4)
                        .idle_timeout(Duration::from_secs(60)),
                )
                .build();
        Ok(Self {
            transport,
            settings: settings.clone(),
            timeouts,
        })
    }

    /// Connect, TLS, AUTH and NOOP: proves the settings and credentials without sending.
    pub async fn verify(&self) -> Result<(), MailError> {
        match tokio::time::timeout(self.timeouts.request, self.transport.test_connection()).await {
            Err(_) => Err(self.timed_out()),
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false)) => Err(
                MailError::new(Provider::Smtp, MailFailure::ProviderUnavailable)
                    .message("the server did not answer NOOP"),
            ),
            Ok(Err(err)) => Err(classify(&err, &self.settings)),
        }
    }

    /// The async transport's own timeout covers only the TCP connect; a server that accepts and
    /// then stalls would hang forever without this outer one.
    pub async fn send(&self, email: &OutgoingEmail) -> Result<Receipt, MailError> {
        let message = email.to_mime().map_err(|err| {
            MailError::new(Provider::Smtp, MailFailure::Rejected).message(err.to_string())
        })?;
        match tokio::time::timeout(self.timeouts.request, self.transport.send(message)).await {
            Err(_) => Err(self.timed_out()),
            Ok(Ok(response)) => Ok(Receipt {
                provider_message_id: email.message_id.clone(),
                provider_response: response.message().collect::<Vec<_>>().join(" "),
                rate_limit: None,
            }),
            Ok(Err(err)) => Err(classify(&err, &self.settings)),
        }
    }

    fn timed_out(&self) -> MailError {
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

/// Maps lettre's error to what the owner must do. Reply codes first (RFC 5321/3463), then the
/// connection's own failure (refused, DNS, TLS).
pub fn classify(err: &lettre::transport::smtp::Error, settings: &SmtpSettings) -> MailError {
    let text = error_chain(err);
    let lowered = text.to_lowercase();
    let code = err.status().map(|c| c.to_string());
    // Implicit TLS against a plaintext port: rustls reads the server's "220" greeting as a
    // corrupt TLS record. (The reverse case is a silent wait, caught by the timeout.)
    let wrong_mode = lowered.contains("corrupt message")
        || lowered.contains("invalidcontenttype")
        || lowered.contains("wrong version")
        || lowered.contains("record overflow");
    let failure = if let Some(code) = &code {
        classify_reply(code, &lowered, &settings.host)
    } else if lowered.contains("smtputf8") {
        // lettre refuses, before MAIL FROM, to send a non-ASCII mailbox to a server that does
        // not announce SMTPUTF8: not a network problem, and the same on every retry.
        MailFailure::NonAsciiMailbox
    } else if wrong_mode {
        MailFailure::WrongSecurityMode
    } else if err.is_timeout() {
        MailFailure::Offline
    } else if dropped_mid_session(&lowered) {
        // Checked before TLS: rustls words an abrupt close as a TLS error ("peer closed
        // connection without sending TLS close_notify"), but it is the server hanging up.
        MailFailure::ProviderUnavailable
    } else if err.is_tls()
        || lowered.contains("certificate")
        || lowered.contains("handshake")
        || lowered.contains("tls")
    {
        MailFailure::Tls
    } else if lowered.contains("connection refused")
        || lowered.contains("failed to lookup")
        || lowered.contains("name or service not known")
        || lowered.contains("temporary failure in name resolution")
        || lowered.contains("no address")
        || lowered.contains("unreachable")
        || lowered.contains("timed out")
    {
        MailFailure::Offline
    } else if lowered.contains("starttls") {
        MailFailure::WrongSecurityMode
    } else if err.is_permanent() {
        MailFailure::Rejected
    } else {
        MailFailure::ProviderUnavailable
    };
    let mut error = MailError::new(Provider::Smtp, failure).message(text);
    if let Some(code) = code {
        error = error.code(code);
    }
    error
}

/// The server closed or reset a session that was already established.
fn dropped_mid_session(lowered: &str) -> bool {
    lowered.contains("connection reset")
        || lowered.contains("broken pipe")
        || lowered.contains("unexpected eof")
        || lowered.contains("close_notify")
        || lowered.contains("incomplete")
}

fn classify_reply(code: &str, text: &str, host: &str) -> MailFailure {
    let microsoft_basic_auth_off = text.contains("5.7.30")
        || text.contains("5.7.139")
        || text.contains("basic authentication is disabled");
    match code {
        _ if microsoft_basic_auth_off => MailFailure::BasicAuthDisabled,
        // RFC 6531: "553 5.6.7 non-ASCII addresses not permitted for that sender/recipient".
        _ if text.contains("5.6.7") || text.contains("smtputf8") => MailFailure::NonAsciiMailbox,
        "534" | "535" => {
            if wants_app_password(host)
                || text.contains("5.7.9")
                || text.contains("application-specific password")
                || text.contains("app password")
            {
                MailFailure::AppPasswordRequired
            } else {
                MailFailure::AuthFailed
            }
        }
        "530" if text.contains("starttls") => MailFailure::WrongSecurityMode,
        "530" => MailFailure::AuthFailed,
        "550" | "551" | "553" | "554" if text.contains("5.1.") => MailFailure::RecipientRejected,
        "550" | "551" | "553" | "554" if text.contains("relay") => MailFailure::RecipientRejected,
        "552" => MailFailure::Rejected,
        c if c.starts_with('4') && (text.contains("rate") || text.contains("too many")) => {
            MailFailure::RateLimited
        }
        c if c.starts_with('4') => MailFailure::ProviderUnavailable,
        _ => MailFailure::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_codes_map_to_what_the_owner_must_do() {
        let cases = [
            (
                "535",
                "535 5.7.8 username and password not accepted",
                "mail.tienda.com",
                MailFailure::AuthFailed,
            ),
            (
                "535",
                "535 5.7.8 username and password not accepted",
                "smtp.gmail.com",
                MailFailure::AppPasswordRequired,
            ),
            (
                "534",
                "534 5.7.9 application-specific password required",
                "mail.x.com",
                MailFailure::AppPasswordRequired,
            ),
            (
                "535",
                "535 5.7.139 authentication unsuccessful, basic authentication is disabled",
                "smtp.office365.com",
                MailFailure::BasicAuthDisabled,
            ),
            (
                "550",
                "550 5.7.30 basic authentication is not supported",
                "smtp.office365.com",
                MailFailure::BasicAuthDisabled,
            ),
            (
                "530",
                "530 5.7.0 must issue a starttls command first",
                "x.com",
                MailFailure::WrongSecurityMode,
            ),
            (
                "550",
                "550 5.1.1 the email account does not exist",
                "x.com",
                MailFailure::RecipientRejected,
            ),
            (
                "554",
                "554 5.7.1 relaying denied",
                "x.com",
                MailFailure::RecipientRejected,
            ),
            (
                "552",
                "552 5.3.4 message too big",
                "x.com",
                MailFailure::Rejected,
            ),
            (
                "421",
                "421 4.7.0 try again later",
                "x.com",
                MailFailure::ProviderUnavailable,
            ),
            (
                "553",
                "553 5.6.7 non-ascii addresses are not permitted",
                "x.com",
                MailFailure::NonAsciiMailbox,
            ),
            (
                "451",
                "451 4.7.1 too many messages, slow down",
                "x.com",
                MailFailure::RateLimited,
            ),
        ];
        for (code, text, host, expected) in cases {
            assert_eq!(classify_reply(code, text, host), expected, "{text}");
        }
    }

    #[test]
    fn a_server_hanging_up_mid_session_is_transient_not_a_tls_problem() {
        for text in [
            "network error: peer closed connection without sending tls close_notify",
            "network error: connection reset by peer (os error 104)",
            "network error: unexpected eof",
        ] {
            assert!(dropped_mid_session(text), "{text}");
        }
        assert!(!dropped_mid_session(
            "invalid peer certificate: unknownissuer"
        ));
    }

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
