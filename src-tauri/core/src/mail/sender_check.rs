//! "Comprobar remitente": whether the provider can send as the saved sender without failing
//! SPF, DKIM or DMARC. Resend shows the sender's domain and each of its DNS records
//! (`GET /domains/{id}`, full-access key only); Postmark keeps sender signatures and domains at
//! the account level, read with an account token typed for the check and never kept
//! (`postmark/account.rs`); SMTP sends as the account itself. What each
//! provider documents is in docs/providers.md. It reads, and never changes anything.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What "Comprobar remitente" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
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
    /// Postmark, read with the account token: the sender's domain (covering every address on
    /// it) or the sender's own signature, and what signing as it needs.
    PostmarkSender {
        covered_by: PostmarkCover,
        /// The domain, or the signature's address.
        name: String,
        /// A signature's confirmation link was followed (always true for a domain).
        confirmed: bool,
        dkim_verified: bool,
        return_path_domain: String,
        return_path_verified: bool,
    },
    /// Postmark: neither the sender's domain nor its address is on the account.
    PostmarkSenderMissing { address: String, domain: String },
    /// SMTP: the server sends as its own account; there is nothing to read here.
    SmtpAccount,
}

/// What puts the sender on a Postmark account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PostmarkCover {
    Domain,
    Signature,
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
            SenderCheck::PostmarkSender {
                confirmed,
                dkim_verified,
                return_path_verified,
                ..
            } => *confirmed && *dkim_verified && *return_path_verified,
            _ => false,
        }
    }
}
