//! "Comprobar remitente" on Postmark. Sender signatures and domains belong to the *account*, so
//! they are read with the account token (`X-Postmark-Account-Token`), which the owner pastes for
//! this one check: it is never stored, because it can change every server, signature and domain
//! of the account — far more than sending needs. A domain on the account covers every address on
//! it; otherwise the sender's own signature must be there and confirmed. DKIM and a verified
//! Return-Path are what make the messages pass DMARC as the sender's domain.

use serde::Deserialize;

use super::PostmarkMailer;
use crate::mail::config::{Provider, Sender};
use crate::mail::error::MailError;
use crate::mail::http;
use crate::mail::sender_check::{PostmarkCover, SenderCheck};

const ACCOUNT_TOKEN_HEADER: &str = "X-Postmark-Account-Token";
/// Postmark's largest page of domains or signatures.
const PAGE: usize = 500;
/// How many pages are read before the search gives up (5,000 entries: no shop has more).
const MAX_PAGES: usize = 10;

/// A page of `GET /domains` or `GET /senders`: each fills its own list.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(default)]
    total_count: usize,
    #[serde(default)]
    domains: Vec<Listed>,
    #[serde(default)]
    sender_signatures: Vec<Listed>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Listed {
    #[serde(rename = "ID")]
    id: i64,
    /// A domain's name.
    #[serde(default)]
    name: String,
    /// A signature's address.
    #[serde(default)]
    email_address: String,
}

/// `GET /domains/{id}` or `GET /senders/{id}`: what signing as it needs.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Verification {
    #[serde(rename = "DKIMVerified", default)]
    dkim_verified: bool,
    #[serde(default)]
    return_path_domain: String,
    #[serde(default)]
    return_path_domain_verified: bool,
    /// Signatures only: the owner followed the confirmation link.
    #[serde(default)]
    confirmed: Option<bool>,
}

impl PostmarkMailer {
    /// The sender's domain on the account, or else its own signature, with what DMARC needs.
    /// Without an account token there is nothing the server token may read: that is an answer.
    pub async fn check_sender(
        &self,
        sender: &Sender,
        account_token: Option<&str>,
    ) -> Result<SenderCheck, MailError> {
        let Some(token) = account_token.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(SenderCheck::NeedsAccountToken);
        };
        let token = http::secret_header(Provider::Postmark, token)?;
        let domain = ascii_domain(sender.address.domain());
        if let Some(id) = self
            .find(&token, "domains", |d| ascii_domain(&d.name) == domain)
            .await?
        {
            let found: Verification = self.account_read(&token, &format!("domains/{id}")).await?;
            return Ok(checked(PostmarkCover::Domain, domain, found));
        }
        let wanted = sender.address.as_str();
        if let Some(id) = self
            .find(&token, "senders", |s| {
                same_address(&s.email_address, wanted)
            })
            .await?
        {
            let found: Verification = self.account_read(&token, &format!("senders/{id}")).await?;
            return Ok(checked(PostmarkCover::Signature, wanted.to_owned(), found));
        }
        Ok(SenderCheck::PostmarkSenderMissing {
            address: wanted.to_owned(),
            domain,
        })
    }

    /// The id of the first listed entry `wanted` accepts, page by page.
    async fn find(
        &self,
        token: &reqwest::header::HeaderValue,
        path: &str,
        wanted: impl Fn(&Listed) -> bool,
    ) -> Result<Option<i64>, MailError> {
        for page in 0..MAX_PAGES {
            let offset = page * PAGE;
            let listed: Page = self
                .account_read(token, &format!("{path}?count={PAGE}&offset={offset}"))
                .await?;
            if let Some(found) = listed
                .domains
                .iter()
                .chain(&listed.sender_signatures)
                .find(|entry| wanted(entry))
            {
                return Ok(Some(found.id));
            }
            if offset + PAGE >= listed.total_count {
                break;
            }
        }
        Ok(None)
    }

    async fn account_read<T: serde::de::DeserializeOwned>(
        &self,
        token: &reqwest::header::HeaderValue,
        path_and_query: &str,
    ) -> Result<T, MailError> {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let mut url = http::endpoint(&self.base, path);
        url.set_query(Some(query).filter(|q| !q.is_empty()));
        self.get_json(url, ACCOUNT_TOKEN_HEADER, token).await
    }
}

fn checked(covered_by: PostmarkCover, name: String, found: Verification) -> SenderCheck {
    SenderCheck::PostmarkSender {
        covered_by,
        name,
        // A domain needs no confirmation link: DKIM is its proof.
        confirmed: found.confirmed.unwrap_or(true),
        dkim_verified: found.dkim_verified,
        return_path_domain: found.return_path_domain,
        return_path_verified: found.return_path_domain_verified,
    }
}

/// Postmark may list an internationalised domain in either form: compare the ASCII forms.
fn ascii_domain(domain: &str) -> String {
    idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase())
}

fn same_address(listed: &str, sender: &str) -> bool {
    match (listed.rsplit_once('@'), sender.rsplit_once('@')) {
        (Some((a_local, a_domain)), Some((b_local, b_domain))) => {
            a_local.eq_ignore_ascii_case(b_local)
                && ascii_domain(a_domain) == ascii_domain(b_domain)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::same_address;

    #[test]
    fn a_signature_matches_its_address_whatever_the_case_or_form_of_the_domain() {
        assert!(same_address("Ventas@Tienda.com", "ventas@tienda.com"));
        assert!(same_address("ventas@xn--pia-8ma.com", "ventas@piña.com"));
        assert!(!same_address("ventas@tienda.com", "cobros@tienda.com"));
        assert!(!same_address("ventas@tienda.com", "ventas@tienda.com.ve"));
    }
}
