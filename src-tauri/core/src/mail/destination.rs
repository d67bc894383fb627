//! Where a secret may be sent: the destination a keychain secret is bound to, and what counts as
//! this machine.
//!
//! A secret is typed for one destination — (provider, host, port, user, security) for SMTP,
//! (provider, API address) for Resend and Postmark — and is used for that one only. When the
//! saved configuration points anywhere else (the host was edited with the password left empty, a
//! restored database, a migration), the secret stays unused until the owner types it again, and
//! [`SecretProblem`] says why. The comparison is exact: `smtp.gmail.com` on 465 is another
//! destination than on 587, since the security that protects the password differs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::config::{EmailServiceConfig, ProviderSettings, SmtpSecurity};
use super::error::MailError;
use super::{postmark, resend};

/// What a secret was typed for; stored next to it in the keychain entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum SecretBinding {
    Smtp {
        host: String,
        port: u16,
        username: String,
        security: SmtpSecurity,
    },
    Resend {
        api: String,
    },
    Postmark {
        api: String,
    },
}

/// One part of a destination, to tell the owner what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DestinationPart {
    Provider,
    Host,
    Port,
    Username,
    Security,
    /// The API's address (`CACHICAMO_RESEND_API_URL` / `CACHICAMO_POSTMARK_API_URL`).
    Api,
}

/// Why the saved secret cannot be used for the saved configuration: the owner must type it
/// again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecretProblem {
    /// Nothing is in this data directory's keychain entry.
    Missing,
    /// It was typed for another destination: `typed` says which (host and port, or the API's
    /// address), `changed` what differs now.
    OtherDestination {
        typed: String,
        changed: Vec<DestinationPart>,
    },
    /// Nothing says what it was typed for (kept from an earlier version with no configuration
    /// to bind it to, or written by another program).
    Unbound,
}

impl SecretBinding {
    /// The destination `config` sends to. The API address comes from the environment (tests,
    /// proxies), so it is checked here like it is before connecting.
    pub fn of(config: &EmailServiceConfig) -> Result<Self, MailError> {
        Ok(match &config.settings {
            ProviderSettings::Smtp(smtp) => SecretBinding::Smtp {
                host: smtp.host.clone(),
                port: smtp.port,
                username: smtp.username.clone(),
                security: smtp.security,
            },
            ProviderSettings::Resend => SecretBinding::Resend {
                api: resend::base_url()?.to_string(),
            },
            ProviderSettings::Postmark { .. } => SecretBinding::Postmark {
                api: postmark::base_url()?.to_string(),
            },
        })
    }

    /// How the owner recognises it: "smtp.gmail.com:587" or "https://api.resend.com/".
    pub fn describe(&self) -> String {
        match self {
            SecretBinding::Smtp { host, port, .. } => format!("{host}:{port}"),
            SecretBinding::Resend { api } | SecretBinding::Postmark { api } => api.clone(),
        }
    }

    /// The parts of `now` that differ from what the secret was typed for.
    pub fn changed_in(&self, now: &SecretBinding) -> Vec<DestinationPart> {
        use SecretBinding::{Postmark, Resend, Smtp};
        match (self, now) {
            (
                Smtp {
                    host,
                    port,
                    username,
                    security,
                },
                Smtp {
                    host: host_now,
                    port: port_now,
                    username: username_now,
                    security: security_now,
                },
            ) => [
                (host != host_now, DestinationPart::Host),
                (port != port_now, DestinationPart::Port),
                (username != username_now, DestinationPart::Username),
                (security != security_now, DestinationPart::Security),
            ]
            .into_iter()
            .filter_map(|(differs, part)| differs.then_some(part))
            .collect(),
            (Resend { api }, Resend { api: now }) | (Postmark { api }, Postmark { api: now })
                if api != now =>
            {
                vec![DestinationPart::Api]
            }
            (Resend { .. }, Resend { .. }) | (Postmark { .. }, Postmark { .. }) => Vec::new(),
            _ => vec![DestinationPart::Provider],
        }
    }

    /// `Ok` when a secret bound to `typed_for` may go to `self`.
    pub fn admits(&self, typed_for: Option<&SecretBinding>) -> Result<(), SecretProblem> {
        match typed_for {
            None => Err(SecretProblem::Unbound),
            Some(typed) if typed == self => Ok(()),
            Some(typed) => Err(SecretProblem::OtherDestination {
                typed: typed.describe(),
                changed: typed.changed_in(self),
            }),
        }
    }
}

/// Whether `host`, as typed, names this machine: `localhost` or a loopback address. A name is
/// not resolved: what the owner typed is what is judged, and a name that happens to resolve to
/// 127.0.0.1 today may not tomorrow.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim().trim_end_matches('.');
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(host: &str, port: u16, security: SmtpSecurity) -> SecretBinding {
        SecretBinding::Smtp {
            host: host.into(),
            port,
            username: "ventas@tienda.com".into(),
            security,
        }
    }

    #[test]
    fn a_secret_goes_only_to_the_destination_it_was_typed_for() {
        let typed = smtp("smtp.gmail.com", 587, SmtpSecurity::Starttls);
        assert_eq!(typed.admits(Some(&typed.clone())), Ok(()));
        let moved = smtp("mail.evil.com", 25, SmtpSecurity::None);
        assert_eq!(
            moved.admits(Some(&typed)),
            Err(SecretProblem::OtherDestination {
                typed: "smtp.gmail.com:587".into(),
                changed: vec![
                    DestinationPart::Host,
                    DestinationPart::Port,
                    DestinationPart::Security
                ],
            })
        );
        let api = SecretBinding::Resend {
            api: "https://api.resend.com/".into(),
        };
        assert_eq!(
            api.admits(Some(&typed)),
            Err(SecretProblem::OtherDestination {
                typed: "smtp.gmail.com:587".into(),
                changed: vec![DestinationPart::Provider],
            })
        );
        let proxied = SecretBinding::Resend {
            api: "https://proxy.example/".into(),
        };
        assert_eq!(
            proxied.changed_in(&api),
            vec![DestinationPart::Api],
            "another API address is another destination"
        );
        assert_eq!(typed.admits(None), Err(SecretProblem::Unbound));
    }

    #[test]
    fn a_binding_reads_back_what_was_stored() {
        let typed = smtp("smtp.gmail.com", 465, SmtpSecurity::Tls);
        let text = serde_json::to_string(&typed).expect("json");
        assert_eq!(
            serde_json::from_str::<SecretBinding>(&text).expect("back"),
            typed
        );
    }

    #[test]
    fn only_this_machine_is_loopback() {
        for host in [
            "localhost",
            "LOCALHOST.",
            "127.0.0.1",
            "127.3.2.1",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "smtp.gmail.com",
            "192.168.1.10",
            "localhost.evil.com",
            "10.0.0.1",
            "::ffff:192.0.2.1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
