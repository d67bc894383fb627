//! SMTP failures in the owner's terms: reply codes first (RFC 5321/3463, with Gmail's and
//! Microsoft's wording), then the connection's own failure (refused, DNS, TLS, a hang-up).
//! Whether the message may already be at the server is not decided here but by the phase the
//! failure happened in (see the parent module).

use crate::mail::config::{wants_app_password, Provider, SmtpSettings};
use crate::mail::error::{MailError, MailFailure};
use crate::mail::http::error_chain;

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
}
