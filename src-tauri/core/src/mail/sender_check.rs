//! "Comprobar remitente": whether the provider can send as the saved sender without failing
//! SPF, DKIM or DMARC. Resend shows the sender's domain and each of its DNS records
//! (`GET /domains/{id}`, full-access key only); Postmark keeps sender signatures at the account
//! level, behind a token the app does not hold; SMTP sends as the account itself. What each
//! provider documents is in docs/providers.md. It reads, and never changes anything.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What "Comprobar remitente" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SenderCheck {
    /// Resend: the sender's domain, its status and each DNS record's.
    Domain {
        domain: String,
        status: String,
        records: Vec<DnsRecord>,
    },
    /// Resend: the sender's domain is not added to the account.
    DomainNotAdded { domain: String },
    /// Resend with a sending-only key: it cannot read domains.
    NeedsFullAccessKey,
    /// Postmark: sender signatures and domains need the account token, not the server's.
    NeedsAccountToken,
    /// SMTP: the server sends as its own account; there is nothing to read here.
    SmtpAccount,
}

/// One DNS record of a Resend domain, in Resend's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecord {
    /// What it is for: "SPF", "DKIM", "MX"…
    pub record: String,
    /// The DNS type: "TXT", "MX", "CNAME".
    #[serde(rename(deserialize = "type"))]
    pub kind: String,
    pub name: String,
    /// "verified", "pending", "failed", "not_started"… (shown as Resend says it).
    pub status: String,
}

impl SenderCheck {
    /// Whether the provider can sign as the sender: the domain and every record verified.
    pub fn healthy(&self) -> bool {
        match self {
            SenderCheck::Domain {
                status, records, ..
            } => status == "verified" && records.iter().all(|r| r.status == "verified"),
            _ => false,
        }
    }
}
