//! Resend's HTTP API (`docs/providers.md`): send with `POST /emails`, verify with `GET /domains`,
//! ask what happened after sending with `GET /emails` (many at once) and `GET /emails/{id}`.
//! Errors are classified by HTTP status first and by error name second, because Resend renames
//! its errors over time.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::address::mailbox_text;
use super::config::{Provider, Sender};
use super::error::{MailError, MailFailure};
use super::http::{self, classify_send_failure, classify_transport, unreadable_acceptance};
use super::message::OutgoingEmail;
use super::{BatchResults, Receipt, StoredBatch, Timeouts};
use crate::secrets::Sensitive;

pub const DEFAULT_BASE_URL: &str = "https://api.resend.com";
pub const BASE_URL_ENV: &str = "CACHICAMO_RESEND_API_URL";

/// The API's address: [`DEFAULT_BASE_URL`], or the override in [`BASE_URL_ENV`] (https, or
/// http on loopback).
pub fn base_url() -> Result<Url, MailError> {
    http::base_url(Provider::Resend, BASE_URL_ENV, DEFAULT_BASE_URL)
}

pub struct ResendMailer {
    client: reqwest::Client,
    base: Url,
    /// `Bearer <key>`, marked sensitive.
    authorization: Sensitive<reqwest::header::HeaderValue>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct Sent {
    id: String,
}

#[derive(Deserialize)]
struct BatchSent {
    data: Vec<Sent>,
}

#[derive(Deserialize)]
struct Domains {
    data: Vec<Domain>,
}

#[derive(Deserialize)]
struct Domain {
    #[serde(default)]
    id: String,
    name: String,
    status: String,
}

/// `GET /domains/{id}`: the domain with its DNS records.
#[derive(Deserialize)]
struct DomainDetail {
    name: String,
    status: String,
    #[serde(default)]
    records: Vec<super::sender_check::DnsRecord>,
}

/// One email as `GET /emails` and `GET /emails/{id}` describe it: only what polling needs.
#[derive(Deserialize)]
struct EmailStatus {
    id: String,
    #[serde(default)]
    last_event: String,
}

#[derive(Deserialize)]
struct EmailList {
    data: Vec<EmailStatus>,
}

/// The most emails one `GET /emails` page may list.
const LIST_LIMIT: u32 = 100;

/// The address Resend lets every account send from (to its owner only) without a domain.
const ONBOARDING_SENDER: &str = "onboarding@resend.dev";

impl ResendMailer {
    pub fn new(api_key: Sensitive<String>, timeouts: &Timeouts) -> Result<Self, MailError> {
        let base = base_url()?;
        let client =
            http::client(timeouts).map_err(|err| classify_transport(Provider::Resend, &err))?;
        let authorization =
            http::secret_header(Provider::Resend, &format!("Bearer {}", api_key.expose()))?;
        Ok(Self {
            client,
            base,
            authorization: Sensitive::new(authorization),
        })
    }

    /// `request` with the API key, the one way every call to Resend carries it.
    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.header(
            reqwest::header::AUTHORIZATION,
            self.authorization.expose().clone(),
        )
    }

    /// Checks the key without sending. A full-access key also shows whether the sender's domain
    /// is verified; a sending-only key answers 401 `restricted_api_key`, which means "valid"
    /// (and that it cannot read delivery status).
    pub async fn verify(&self, sender: &Sender) -> Result<super::KeyAccess, MailError> {
        let response = self
            .authorized(self.client.get(http::endpoint(&self.base, "domains")))
            .send()
            .await
            .map_err(|err| classify_transport(Provider::Resend, &err))?;
        let status = response.status();
        if status.is_success() {
            let domains: Domains = response.json().await.map_err(|err| {
                MailError::new(Provider::Resend, MailFailure::ProviderUnavailable)
                    .message(err.to_string())
            })?;
            return check_sender_domain(sender, &domains.data).map(|()| super::KeyAccess::Full);
        }
        let error = self.error_from(response).await;
        if error.provider_code.as_deref() == Some("restricted_api_key") {
            return Ok(super::KeyAccess::SendingOnly);
        }
        Err(error)
    }

    /// One email as Resend's JSON (the body of `POST /emails`, an entry of a batch).
    pub(crate) fn body(email: &OutgoingEmail) -> serde_json::Value {
        let mut body = json!({
            "from": mailbox_text(email.from.name.as_deref(), &email.from.address),
            "to": [email.to.ascii_string()],
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
        });
        if let Some(reply_to) = &email.from.reply_to {
            body["reply_to"] = json!(reply_to.ascii_string());
        }
        if !email.attachments.is_empty() {
            let attachments: Vec<_> = email.attachments.iter().map(|a| a.to_resend()).collect();
            body["attachments"] = json!(attachments);
        }
        body
    }

    /// `idempotency_key` makes a retry of the same message a no-op at Resend for 24 h.
    pub async fn send(
        &self,
        email: &OutgoingEmail,
        idempotency_key: Option<&str>,
    ) -> Result<Receipt, MailError> {
        let body = Self::body(email);
        let request = self
            .authorized(self.client.post(http::endpoint(&self.base, "emails")))
            .json(&body);
        let response = send_keyed(request, idempotency_key).await?;
        if response.status().is_success() {
            let rate_limit = http::rate_limit(response.headers());
            let sent: Sent = response
                .json()
                .await
                .map_err(|err| unreadable_acceptance(Provider::Resend, &err))?;
            return Ok(Receipt {
                provider_response: format!("id {}", sent.id),
                provider_message_id: sent.id,
                rate_limit,
            });
        }
        Err(self.error_from(response).await)
    }

    /// `POST /emails/batch` with the payload exactly as stored (a JSON array of bodies, at most
    /// 100, none with attachments), all or nothing (`x-batch-validation: strict`), under its
    /// idempotency key: a retry of the same bytes is answered from Resend's memory, never sent
    /// twice. One result per email, in order.
    pub async fn send_batch(&self, batch: StoredBatch<'_>) -> BatchResults {
        let StoredBatch {
            payload,
            count,
            idempotency_key,
        } = batch;
        let request = self
            .authorized(self.client.post(http::endpoint(&self.base, "emails/batch")))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("x-batch-validation", "strict")
            .body(payload.to_owned());
        let response = send_keyed(request, idempotency_key).await?;
        if !response.status().is_success() {
            return Err(self.error_from(response).await);
        }
        let rate_limit = http::rate_limit(response.headers());
        let sent: BatchSent = response
            .json()
            .await
            .map_err(|err| unreadable_acceptance(Provider::Resend, &err))?;
        if sent.data.len() != count {
            // Accepted, but not one id per email: nothing can be told apart.
            return Err(
                MailError::new(Provider::Resend, MailFailure::ProviderUnavailable)
                    .message(format!(
                        "the batch of {count} was accepted with {} ids",
                        sent.data.len()
                    ))
                    .maybe_delivered(),
            );
        }
        Ok(sent
            .data
            .into_iter()
            .map(|sent| {
                Ok(Receipt {
                    provider_response: format!("id {}", sent.id),
                    provider_message_id: sent.id,
                    rate_limit,
                })
            })
            .collect())
    }

    /// "Comprobar remitente": the sender's domain and each DNS record's status. A sending-only
    /// key cannot read domains: that is an answer, not a failure.
    pub async fn check_sender(
        &self,
        sender: &Sender,
    ) -> Result<super::sender_check::SenderCheck, MailError> {
        use super::sender_check::SenderCheck;
        let domains: Domains = match self.read(http::endpoint(&self.base, "domains")).await {
            Ok((domains, _)) => domains,
            Err(err) if err.provider_code.as_deref() == Some("restricted_api_key") => {
                return Ok(SenderCheck::NeedsFullAccessKey)
            }
            Err(err) => return Err(err),
        };
        let ascii =
            |domain: &str| idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase());
        let wanted = ascii(sender.address.domain());
        let Some(found) = domains.data.iter().find(|d| ascii(&d.name) == wanted) else {
            return Ok(SenderCheck::DomainNotAdded { domain: wanted });
        };
        let id: String = found
            .id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let (detail, _): (DomainDetail, _) = self
            .read(http::endpoint(&self.base, &format!("domains/{id}")))
            .await?;
        Ok(SenderCheck::Domain {
            domain: detail.name,
            status: detail.status,
            records: detail.records,
        })
    }

    /// `last_event` of the most recent emails (up to 100, newest first), one request for many:
    /// (Resend's id, last_event) pairs. A sending-only key gets 401 `restricted_api_key`.
    pub async fn recent_statuses(&self) -> Result<super::StatusPage, MailError> {
        let mut url = http::endpoint(&self.base, "emails");
        url.query_pairs_mut()
            .append_pair("limit", &LIST_LIMIT.to_string());
        let (list, rate_limit): (EmailList, _) = self.read(url).await?;
        Ok(super::StatusPage {
            statuses: list
                .data
                .into_iter()
                .map(|e| {
                    (
                        e.id,
                        super::ProviderStatus::Resend {
                            last_event: e.last_event,
                        },
                    )
                })
                .collect(),
            rate_limit,
        })
    }

    /// `last_event` of one email, for one the recent list no longer reaches.
    pub async fn status(&self, id: &str) -> Result<super::StatusPage, MailError> {
        let url = http::endpoint(&self.base, &format!("emails/{}", urlencoding(id)));
        let (email, rate_limit): (EmailStatus, _) = self.read(url).await?;
        Ok(super::StatusPage {
            statuses: vec![(
                email.id,
                super::ProviderStatus::Resend {
                    last_event: email.last_event,
                },
            )],
            rate_limit,
        })
    }

    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<(T, Option<super::RateLimit>), MailError> {
        let response = self
            .authorized(self.client.get(url))
            .send()
            .await
            .map_err(|err| classify_transport(Provider::Resend, &err))?;
        if !response.status().is_success() {
            return Err(self.error_from(response).await);
        }
        let rate_limit = http::rate_limit(response.headers());
        let body = response.json().await.map_err(|err| {
            MailError::new(Provider::Resend, MailFailure::ProviderUnavailable)
                .message(err.to_string())
        })?;
        Ok((body, rate_limit))
    }

    async fn error_from(&self, response: reqwest::Response) -> MailError {
        if let Some(redirected) = http::redirect_error(Provider::Resend, &response) {
            return redirected;
        }
        let status = response.status();
        let retry_after = http::retry_after(response.headers());
        let text = response.text().await.unwrap_or_default();
        let body: ErrorBody = serde_json::from_str(&text).unwrap_or(ErrorBody {
            name: String::new(),
            message: text.clone(),
        });
        let failure = classify(status, &body.name, &body.message);
        let mut error = MailError::new(Provider::Resend, failure)
            .message(format!("HTTP {}: {}", status.as_u16(), body.message))
            .retry_after(retry_after);
        error.provider_code = Some(if body.name.is_empty() {
            status.as_u16().to_string()
        } else {
            body.name
        });
        error
    }
}

/// An id as one path segment: Resend's ids are UUIDs, but nothing read from a database goes
/// into a URL unescaped.
fn urlencoding(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

fn check_sender_domain(sender: &Sender, domains: &[Domain]) -> Result<(), MailError> {
    if sender
        .address
        .as_str()
        .eq_ignore_ascii_case(ONBOARDING_SENDER)
    {
        return Ok(());
    }
    // Resend may list an internationalised domain in either form: compare the ASCII forms.
    let ascii =
        |domain: &str| idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase());
    let wanted = ascii(sender.address.domain());
    let found = domains.iter().find(|d| ascii(&d.name) == wanted);
    match found {
        Some(domain) if domain.status == "verified" => Ok(()),
        Some(domain) => Err(
            MailError::new(Provider::Resend, MailFailure::SenderNotVerified)
                .code("domain_not_verified")
                .message(format!(
                    "the domain {} is {} in Resend",
                    domain.name, domain.status
                )),
        ),
        None => Err(
            MailError::new(Provider::Resend, MailFailure::SenderNotVerified)
                .code("domain_not_found")
                .message(format!(
                    "the domain {wanted} is not added to this Resend account"
                )),
        ),
    }
}

/// Sends an email (or a batch) under its idempotency key, when it has one: a retry of the same
/// bytes under the same key is answered from Resend's memory, never sent twice. A request that
/// never got an answer is classified here, once for both.
async fn send_keyed(
    request: reqwest::RequestBuilder,
    idempotency_key: Option<&str>,
) -> Result<reqwest::Response, MailError> {
    let request = match idempotency_key {
        Some(key) => request.header("Idempotency-Key", key),
        None => request,
    };
    request
        .send()
        .await
        .map_err(|err| classify_send_failure(Provider::Resend, &err))
}

/// Status first, name second; unknown names fall back to what their status means.
fn classify(status: StatusCode, name: &str, message: &str) -> MailFailure {
    let message = message.to_lowercase();
    match status.as_u16() {
        401 => MailFailure::AuthFailed,
        403 => match name {
            "email_above_quota" => MailFailure::QuotaExceeded,
            "invalid_api_key" | "suspended_api_key" | "invalid_permission" => {
                MailFailure::AuthFailed
            }
            _ if message.contains("domain") || message.contains("testing emails") => {
                MailFailure::SenderNotVerified
            }
            _ => MailFailure::Rejected,
        },
        409 => match name {
            "concurrent_idempotent_requests" | "resource_locked" => {
                MailFailure::ProviderUnavailable
            }
            _ => MailFailure::Rejected,
        },
        422 if name == "invalid_from_address" => MailFailure::SenderNotVerified,
        429 => match name {
            "daily_quota_exceeded" | "monthly_quota_exceeded" => MailFailure::QuotaExceeded,
            _ => MailFailure::RateLimited,
        },
        500..=599 => MailFailure::ProviderUnavailable,
        _ => MailFailure::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_decides_first_and_names_refine() {
        use MailFailure::{
            AuthFailed, ProviderUnavailable, QuotaExceeded, RateLimited, Rejected,
            SenderNotVerified,
        };
        let by_name = [
            (401, "restricted_api_key", AuthFailed),
            (403, "email_above_quota", QuotaExceeded),
            (403, "brand_new_name", Rejected),
            (409, "concurrent_idempotent_requests", ProviderUnavailable),
            (409, "invalid_idempotent_request", Rejected),
            (422, "missing_required_field", Rejected),
            (429, "rate_limit_exceeded", RateLimited),
            (429, "daily_quota_exceeded", QuotaExceeded),
            (429, "some_future_name", RateLimited),
            (500, "application_error", ProviderUnavailable),
            (503, "", ProviderUnavailable),
        ];
        // Where one name covers several causes, the message tells them apart.
        let by_message = [
            (401, "API key is invalid", AuthFailed),
            (403, "The x.com domain is not verified", SenderNotVerified),
        ];
        let named = by_name.map(|(status, name, expected)| (status, name, "", expected));
        let described = by_message
            .map(|(status, message, expected)| (status, "validation_error", message, expected));
        for (status, name, message, expected) in named.into_iter().chain(described) {
            let status = StatusCode::from_u16(status).expect("status");
            assert_eq!(classify(status, name, message), expected, "{status} {name}");
        }
    }
}
