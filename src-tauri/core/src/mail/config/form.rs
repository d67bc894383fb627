//! The email service form as the owner typed it, and its validation: every bad field reported
//! at once, a pasted secret trimmed, a port that contradicts the security mode let through only
//! with consent, no encryption only to this machine. The UI may check early; this is the rule.

use serde::Deserialize;
use ts_rs::TS;

use super::{
    EmailServiceConfig, FieldError, FieldProblem, Provider, ProviderSettings, Sender, SmtpSecurity,
    SmtpSettings, DEFAULT_MESSAGE_STREAM,
};
use crate::mail::address::{self, clean_display_name, EmailAddress};
use crate::mail::destination::is_loopback_host;
use crate::secrets::Sensitive;

/// The form as the user filled it in. A secret left empty keeps the one already saved for the
/// same provider.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailServiceForm {
    pub provider: Provider,
    pub sender_address: String,
    #[serde(default)]
    pub sender_name: String,
    #[serde(default)]
    pub reply_to: String,
    /// Resend API key or Postmark server token; `null` keeps the saved one.
    #[ts(type = "string | null")]
    #[serde(default)]
    pub api_key: Option<Sensitive<String>>,
    #[serde(default)]
    pub message_stream: String,
    #[serde(default)]
    pub smtp_host: String,
    #[ts(type = "number | null")]
    #[serde(default)]
    pub smtp_port: Option<u32>,
    #[serde(default = "default_security")]
    pub smtp_security: SmtpSecurity,
    #[serde(default)]
    pub smtp_username: String,
    /// `null` keeps the saved password.
    #[ts(type = "string | null")]
    #[serde(default)]
    pub smtp_password: Option<Sensitive<String>>,
    /// The user saw the port/security warning and wants this combination anyway.
    #[serde(default)]
    pub accept_port_mismatch: bool,
}

fn default_security() -> SmtpSecurity {
    SmtpSecurity::Starttls
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("some fields are invalid: {0:?}")]
    Fields(Vec<FieldError>),
    #[error("port {port} usually needs the other security mode than {security:?}")]
    PortContradictsSecurity { port: u16, security: SmtpSecurity },
}

/// A valid form: the configuration, and the secret typed in it (if any).
#[derive(Debug)]
pub struct ValidForm {
    pub config: EmailServiceConfig,
    pub secret: Option<Sensitive<String>>,
}

const MAX_FIELD: usize = 254;

/// Mailbox providers whose DMARC policy makes mail "from" them fail when another service sends
/// it: a Resend or Postmark message from such an address bounces or lands in spam. Their own
/// SMTP is the way to send as them.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.es",
    "outlook.com",
    "outlook.es",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.es",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "zoho.com",
    "gmx.com",
];

/// A free-mail sender on Resend or Postmark, refused when the service is saved (not when a saved
/// one is read: that decides nothing new), with the domain for the message.
pub fn free_mail_sender(config: &EmailServiceConfig) -> Result<(), FormError> {
    if matches!(config.settings, ProviderSettings::Smtp(_)) {
        return Ok(());
    }
    let domain = config.sender.address.domain().to_lowercase();
    if FREE_MAIL_DOMAINS.contains(&domain.as_str()) {
        return Err(FormError::Fields(vec![FieldError {
            field: "senderAddress".into(),
            problem: FieldProblem::FreeMailSender,
            detail: Some(domain),
        }]));
    }
    Ok(())
}

impl EmailServiceForm {
    pub fn validate(self) -> Result<ValidForm, FormError> {
        let mut errors = Vec::new();
        let mut problem = |field: &str, problem: FieldProblem| {
            errors.push(FieldError {
                field: field.to_owned(),
                problem,
                detail: None,
            })
        };

        let address = parse_email(&self.sender_address, true, "senderAddress", &mut problem);
        let reply_to = parse_email(&self.reply_to, false, "replyTo", &mut problem);
        if self.sender_name.chars().count() > 2 * address::MAX_DISPLAY_NAME {
            problem("senderName", FieldProblem::TooLong);
        }

        let (settings, secret) = match self.provider {
            Provider::Resend => (Some(ProviderSettings::Resend), self.api_key),
            Provider::Postmark => {
                let stream = self.message_stream.trim();
                let stream = if stream.is_empty() {
                    DEFAULT_MESSAGE_STREAM
                } else {
                    stream
                };
                let valid = stream.len() <= 100
                    && stream
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid {
                    problem("messageStream", FieldProblem::InvalidStream);
                }
                (
                    Some(ProviderSettings::Postmark {
                        message_stream: stream.to_owned(),
                    }),
                    self.api_key,
                )
            }
            Provider::Smtp => {
                let host = self.smtp_host.trim().trim_end_matches('.').to_lowercase();
                if host.is_empty() {
                    problem("smtpHost", FieldProblem::Required);
                } else if !is_hostname(&host) {
                    problem("smtpHost", FieldProblem::InvalidHost);
                }
                let port = match self.smtp_port {
                    None => {
                        problem("smtpPort", FieldProblem::Required);
                        None
                    }
                    Some(port) => match u16::try_from(port) {
                        Ok(port) if port > 0 => Some(port),
                        _ => {
                            problem("smtpPort", FieldProblem::InvalidPort);
                            None
                        }
                    },
                };
                // SMTP here always authenticates: without TLS the password would cross the
                // network in clear, which is acceptable only to a relay on this machine.
                if self.smtp_security == SmtpSecurity::None
                    && !host.is_empty()
                    && !is_loopback_host(&host)
                {
                    problem("smtpSecurity", FieldProblem::NeedsEncryption);
                }
                let username = self.smtp_username.trim().to_owned();
                if username.is_empty() {
                    problem("smtpUsername", FieldProblem::Required);
                } else if username.len() > MAX_FIELD {
                    problem("smtpUsername", FieldProblem::TooLong);
                }
                let settings = port.map(|port| {
                    ProviderSettings::Smtp(SmtpSettings {
                        host,
                        port,
                        security: self.smtp_security,
                        username,
                    })
                });
                (settings, self.smtp_password)
            }
        };
        // A key pasted with a trailing space or newline would be refused as "wrong key": what
        // surrounds it was never part of it.
        let secret = secret
            .map(|s| Sensitive::new(s.expose().trim().to_owned()))
            .filter(|s| !s.expose().is_empty());
        if let Some(secret) = &secret {
            if secret.expose().len() > 4096 {
                let field = match self.provider {
                    Provider::Smtp => "smtpPassword",
                    _ => "apiKey",
                };
                problem(field, FieldProblem::TooLong);
            }
        }

        match (settings, address) {
            (Some(settings), Some(address)) if errors.is_empty() => {
                if let ProviderSettings::Smtp(smtp) = &settings {
                    if smtp.security.contradicts(smtp.port) && !self.accept_port_mismatch {
                        return Err(FormError::PortContradictsSecurity {
                            port: smtp.port,
                            security: smtp.security,
                        });
                    }
                }
                Ok(ValidForm {
                    config: EmailServiceConfig {
                        settings,
                        sender: Sender {
                            address,
                            name: clean_display_name(&self.sender_name),
                            reply_to,
                        },
                    },
                    secret,
                })
            }
            _ => Err(FormError::Fields(errors)),
        }
    }
}

fn parse_email(
    raw: &str,
    required: bool,
    field: &str,
    problem: &mut impl FnMut(&str, FieldProblem),
) -> Option<EmailAddress> {
    if raw.trim().is_empty() {
        if required {
            problem(field, FieldProblem::Required);
        }
        return None;
    }
    match raw.parse() {
        Ok(address) => Some(address),
        Err(_) => {
            problem(field, FieldProblem::InvalidEmail);
            None
        }
    }
}

/// A DNS name or an IP literal, as a mail server's address can be.
fn is_hostname(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp_form() -> EmailServiceForm {
        EmailServiceForm {
            provider: Provider::Smtp,
            sender_address: "ventas@mitienda.com".into(),
            sender_name: "Ferretería José Peña".into(),
            reply_to: String::new(),
            api_key: None,
            message_stream: String::new(),
            smtp_host: "smtp.gmail.com".into(),
            smtp_port: Some(587),
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: "ventas@mitienda.com".into(),
            smtp_password: Some(Sensitive::new("app-password".into())),
            accept_port_mismatch: false,
        }
    }

    fn fields(err: FormError) -> Vec<(String, FieldProblem)> {
        match err {
            FormError::Fields(errors) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_smtp_form_is_valid() {
        let valid = smtp_form().validate().expect("valid");
        assert_eq!(valid.config.provider(), Provider::Smtp);
        assert_eq!(
            valid.config.sender.name.as_deref(),
            Some("Ferretería José Peña")
        );
        assert_eq!(
            valid.secret.map(|s| s.expose().clone()).as_deref(),
            Some("app-password")
        );
    }

    #[test]
    fn a_pasted_secret_loses_the_spaces_and_newline_around_it() {
        let form = EmailServiceForm {
            smtp_password: Some(Sensitive::new("  app-password\r\n".into())),
            ..smtp_form()
        };
        let valid = form.validate().expect("valid");
        assert_eq!(
            valid.secret.map(|s| s.expose().clone()).as_deref(),
            Some("app-password")
        );
        let blank = EmailServiceForm {
            smtp_password: Some(Sensitive::new(" \n ".into())),
            ..smtp_form()
        };
        assert!(blank.validate().expect("valid").secret.is_none());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let form = EmailServiceForm {
            sender_address: "ventas@".into(),
            reply_to: "no es correo".into(),
            smtp_host: "smtp gmail com".into(),
            smtp_port: Some(70000),
            smtp_username: "  ".into(),
            ..smtp_form()
        };
        assert_eq!(
            fields(form.validate().expect_err("invalid")),
            vec![
                ("senderAddress".into(), FieldProblem::InvalidEmail),
                ("replyTo".into(), FieldProblem::InvalidEmail),
                ("smtpHost".into(), FieldProblem::InvalidHost),
                ("smtpPort".into(), FieldProblem::InvalidPort),
                ("smtpUsername".into(), FieldProblem::Required),
            ]
        );
    }

    #[test]
    fn a_port_that_contradicts_the_security_mode_needs_consent() {
        let form = EmailServiceForm {
            smtp_port: Some(465),
            ..smtp_form()
        };
        assert_eq!(
            form.clone().validate().expect_err("warn"),
            FormError::PortContradictsSecurity {
                port: 465,
                security: SmtpSecurity::Starttls
            }
        );
        let accepted = EmailServiceForm {
            accept_port_mismatch: true,
            ..form
        };
        assert!(accepted.validate().is_ok());
        for (security, port) in [(SmtpSecurity::Tls, 587), (SmtpSecurity::Tls, 25)] {
            assert!(security.contradicts(port));
        }
        for (security, port) in [
            (SmtpSecurity::Starttls, 2525),
            (SmtpSecurity::Tls, 465),
            (SmtpSecurity::Starttls, 587),
            (SmtpSecurity::None, 25),
        ] {
            assert!(!security.contradicts(port), "{security:?} {port}");
        }
    }

    #[test]
    fn no_encryption_is_refused_except_to_this_machine() {
        let clear = |host: &str| EmailServiceForm {
            smtp_host: host.into(),
            smtp_port: Some(25),
            smtp_security: SmtpSecurity::None,
            ..smtp_form()
        };
        assert_eq!(
            fields(clear("mail.mitienda.com").validate().expect_err("refused")),
            vec![("smtpSecurity".into(), FieldProblem::NeedsEncryption)]
        );
        assert_eq!(
            fields(clear("192.168.1.20").validate().expect_err("refused")),
            vec![("smtpSecurity".into(), FieldProblem::NeedsEncryption)]
        );
        for host in ["localhost", "127.0.0.1", "::1"] {
            assert!(clear(host).validate().is_ok(), "{host}");
        }
    }

    #[test]
    fn postmark_defaults_to_the_outbound_stream_and_refuses_odd_names() {
        let form = EmailServiceForm {
            provider: Provider::Postmark,
            api_key: Some(Sensitive::new("token".into())),
            ..smtp_form()
        };
        let valid = form.clone().validate().expect("valid");
        assert_eq!(
            valid.config.settings,
            ProviderSettings::Postmark {
                message_stream: "outbound".into()
            }
        );
        let odd = EmailServiceForm {
            message_stream: "mi stream!".into(),
            ..form
        };
        assert_eq!(
            fields(odd.validate().expect_err("invalid")),
            vec![("messageStream".into(), FieldProblem::InvalidStream)]
        );
    }
}
