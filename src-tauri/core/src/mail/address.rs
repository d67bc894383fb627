//! Email addresses and display names as the user types them, and as they go on the wire.
//!
//! An address is kept as typed ("ana@ferretería.com.ve") for the owner to read; what reaches an
//! SMTP envelope, a MIME header or a provider's API is [`EmailAddress::ascii`], with the domain
//! converted to ASCII (punycode, by the `idna` crate), because a server without SMTPUTF8 refuses
//! a UTF-8 domain. A non-ASCII mailbox name has no ASCII form: only a server announcing SMTPUTF8
//! can take it, and one that does not refuses it for good.

use std::fmt;
use std::str::FromStr;

/// A validated address ("ventas@mitienda.com"); internationalised domains are accepted
/// ("josé@peña.com.ve"). Parsing rules are lettre's, so what we accept SMTP can send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(lettre::Address);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct InvalidEmail;

impl FromStr for EmailAddress {
    type Err = InvalidEmail;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let trimmed = raw.trim();
        let address: lettre::Address = trimmed.parse().map_err(|_| InvalidEmail)?;
        // A bare host ("ana@tienda") parses but no shop owner means it; refuse rather than guess.
        if !address.domain().contains('.') || trimmed.len() > 254 {
            return Err(InvalidEmail);
        }
        // A domain with no ASCII form could never be delivered: refuse it while it is typed.
        if !address.domain().is_ascii() && idna::domain_to_ascii(address.domain()).is_err() {
            return Err(InvalidEmail);
        }
        Ok(Self(address))
    }
}

impl EmailAddress {
    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    pub fn domain(&self) -> &str {
        self.0.domain()
    }

    pub fn lettre(&self) -> &lettre::Address {
        &self.0
    }

    /// The address as it goes on the wire: the domain in ASCII ("ana@xn--ferretera-n5a.com.ve"),
    /// the mailbox name as typed.
    pub fn ascii(&self) -> lettre::Address {
        let domain = self.0.domain();
        if domain.is_ascii() {
            return self.0.clone();
        }
        // Parsing checked that the domain converts; the fallback only keeps this total.
        idna::domain_to_ascii(domain)
            .ok()
            .and_then(|ascii| lettre::Address::new(self.0.user(), ascii).ok())
            .unwrap_or_else(|| self.0.clone())
    }

    /// [`EmailAddress::ascii`] as text, for the HTTP APIs.
    pub fn ascii_string(&self) -> String {
        self.ascii().to_string()
    }

    /// Whether the part before the @ is plain ASCII (any server takes it).
    pub fn has_ascii_mailbox(&self) -> bool {
        self.0.user().is_ascii()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The longest display name we keep; longer ones are cut, not refused.
pub const MAX_DISPLAY_NAME: usize = 120;

/// Strips control characters (a CR/LF in a display name would make lettre panic and could inject
/// headers), folds whitespace and caps the length.
pub fn clean_display_name(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_DISPLAY_NAME)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// "Name <addr>" for the HTTP APIs; the name is quoted so commas, dots and accents are safe.
pub fn mailbox_text(name: Option<&str>, address: &EmailAddress) -> String {
    match name {
        Some(name) => {
            let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{escaped}\" <{}>", address.ascii())
        }
        None => address.ascii_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_everyday_and_internationalised_addresses() {
        for ok in [
            "ventas@mitienda.com",
            "  ana.perez+cobros@empresa.com.ve ",
            "josé@peña.com.ve",
            "info@xn--pea-8ma.com",
        ] {
            assert!(
                ok.parse::<EmailAddress>().is_ok(),
                "{ok} should be accepted"
            );
        }
    }

    #[test]
    fn refuses_what_cannot_be_delivered() {
        for bad in [
            "",
            "ventas",
            "ventas@",
            "@mitienda.com",
            "ana@tienda",
            "ana perez@tienda.com",
            "ana@tienda..com",
            "a@b.com\r\nBcc: x@y.com",
        ] {
            assert!(
                bad.parse::<EmailAddress>().is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn internationalised_domains_go_on_the_wire_as_punycode() {
        let address: EmailAddress = "ana@Ferretería.com.ve".parse().expect("valid");
        assert_eq!(address.as_str(), "ana@Ferretería.com.ve", "shown as typed");
        assert_eq!(address.ascii_string(), "ana@xn--ferretera-n5a.com.ve");
        assert!(address.has_ascii_mailbox());
        let plain: EmailAddress = "Ventas@MiTienda.com".parse().expect("valid");
        assert_eq!(
            plain.ascii_string(),
            "Ventas@MiTienda.com",
            "ASCII is left alone"
        );
        let mailbox: EmailAddress = "josé@peña.com.ve".parse().expect("valid");
        assert_eq!(mailbox.ascii_string(), "josé@xn--pea-8ma.com.ve");
        assert!(!mailbox.has_ascii_mailbox());
        assert_eq!(
            mailbox_text(Some("José"), &mailbox),
            "\"José\" <josé@xn--pea-8ma.com.ve>"
        );
    }

    #[test]
    fn display_names_lose_control_characters_and_keep_accents() {
        assert_eq!(
            clean_display_name("Ferretería\r\nBcc: evil@x.com  José\tPeña"),
            Some("Ferretería Bcc: evil@x.com José Peña".to_owned())
        );
        assert_eq!(clean_display_name(" \n\t "), None);
        assert_eq!(
            clean_display_name(&"ñ".repeat(500)).map(|n| n.chars().count()),
            Some(MAX_DISPLAY_NAME)
        );
    }

    #[test]
    fn mailbox_text_quotes_the_name() {
        let addr: EmailAddress = "ventas@mitienda.com".parse().expect("valid");
        assert_eq!(
            mailbox_text(Some("Peña, \"El Bueno\""), &addr),
            "\"Peña, \\\"El Bueno\\\"\" <ventas@mitienda.com>"
        );
        assert_eq!(mailbox_text(None, &addr), "ventas@mitienda.com");
    }
}
