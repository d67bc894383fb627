//! Postmark's HTTP API (`docs/providers.md`): send with `POST /email`, verify with `GET /server`,
//! ask what happened after sending with the message details and the Bounces API.
//! Postmark has no idempotency key: a retry after a timeout may deliver twice, which is why a
//! failure once the request may have arrived is marked `maybe_delivered`.

use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::address::mailbox_text;
use super::config::Provider;
use super::error::{MailError, MailFailure};
use super::http::{self, classify_send_failure, classify_transport, unreadable_acceptance};
use super::message::OutgoingEmail;
use super::{BatchResults, Receipt, StoredBatch, Timeouts};
use crate::secrets::Sensitive;

mod account;

pub const DEFAULT_BASE_URL: &str = "https://api.postmarkapp.com";
pub const BASE_URL_ENV: &str = "CACHICAMO_POSTMARK_API_URL";

/// The API's address: [`DEFAULT_BASE_URL`], or the override in [`BASE_URL_ENV`] (https, or
/// http on loopback).
pub fn base_url() -> Result<Url, MailError> {
    http::base_url(Provider::Postmark, BASE_URL_ENV, DEFAULT_BASE_URL)
}

const TOKEN_HEADER: &str = "X-Postmark-Server-Token";

pub struct PostmarkMailer {
    client: reqwest::Client,
    base: Url,
    /// The server token, as a sensitive header value.
    token: Sensitive<reqwest::header::HeaderValue>,
    message_stream: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    #[serde(default)]
    error_code: i64,
    #[serde(default)]
    message: String,
    #[serde(rename = "MessageID", default)]
    message_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Details {
    #[serde(default)]
    message_events: Vec<MessageEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MessageEvent {
    #[serde(rename = "Type", default)]
    kind: String,
    #[serde(default)]
    details: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Bounce {
    #[serde(rename = "Type", default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    details: String,
}

impl PostmarkMailer {
    pub fn new(
        token: Sensitive<String>,
        message_stream: &str,
        timeouts: &Timeouts,
    ) -> Result<Self, MailError> {
        let base = base_url()?;
        let client =
            http::client(timeouts).map_err(|err| classify_transport(Provider::Postmark, &err))?;
        let token = http::secret_header(Provider::Postmark, token.expose())?;
        Ok(Self {
            client,
            base,
            token: Sensitive::new(token),
            message_stream: message_stream.to_owned(),
        })
    }

    /// What happened to one message: its `MessageEvents`, and for a bounce the bounce's type
    /// and description (`GET /bounces/{BounceID}`), so a spam complaint is told from a bounce.
    pub async fn status(&self, message_id: &str) -> Result<super::StatusPage, MailError> {
        let id: String = message_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let details: Details = self
            .read(&format!("messages/outbound/{id}/details"))
            .await?;
        let bounce_id = details
            .message_events
            .iter()
            .rev()
            .find(|e| e.kind == "Bounced")
            .and_then(|e| match &e.details["BounceID"] {
                serde_json::Value::String(id) => Some(id.clone()),
                serde_json::Value::Number(id) => Some(id.to_string()),
                _ => None,
            })
            .filter(|id| id.chars().all(|c| c.is_ascii_digit()));
        let bounce = match bounce_id {
            Some(bounce_id) => Some(self.read::<Bounce>(&format!("bounces/{bounce_id}")).await?),
            None => None,
        };
        let status = super::ProviderStatus::Postmark {
            events: details.message_events.into_iter().map(|e| e.kind).collect(),
            bounce_reason: bounce.as_ref().map(|b| {
                if b.details.trim().is_empty() {
                    b.description.clone()
                } else {
                    b.details.clone()
                }
            }),
            bounce_type: bounce.map(|b| b.kind),
        };
        Ok(super::StatusPage {
            statuses: vec![(message_id.to_owned(), status)],
            rate_limit: None,
        })
    }

    async fn read<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, MailError> {
        let url = http::endpoint(&self.base, path);
        self.get_json(url, TOKEN_HEADER, self.token.expose()).await
    }

    /// A GET answered in JSON, authorised by `header` (the server's token, or the account's).
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        header: &'static str,
        token: &reqwest::header::HeaderValue,
    ) -> Result<T, MailError> {
        let response = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(header, token.clone())
            .send()
            .await
            .map_err(|err| classify_transport(Provider::Postmark, &err))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        response.json().await.map_err(|err| {
            MailError::new(Provider::Postmark, MailFailure::ProviderUnavailable)
                .message(err.to_string())
        })
    }

    /// Checks the server token without sending.
    pub async fn verify(&self) -> Result<(), MailError> {
        let response = self
            .client
            .get(http::endpoint(&self.base, "server"))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(TOKEN_HEADER, self.token.expose().clone())
            .send()
            .await
            .map_err(|err| classify_transport(Provider::Postmark, &err))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(error_from(response).await)
    }

    /// One email as Postmark's JSON (the body of `POST /email`, an entry of a batch).
    pub(crate) fn body(&self, email: &OutgoingEmail) -> serde_json::Value {
        let mut body = json!({
            "From": mailbox_text(email.from.name.as_deref(), &email.from.address),
            "To": email.to.ascii_string(),
            "Subject": email.subject,
            "TextBody": email.text,
            "HtmlBody": email.html,
            "MessageStream": self.message_stream,
        });
        if let Some(reply_to) = &email.from.reply_to {
            body["ReplyTo"] = json!(reply_to.ascii_string());
        }
        if !email.attachments.is_empty() {
            let attachments: Vec<_> = email.attachments.iter().map(|a| a.to_postmark()).collect();
            body["Attachments"] = json!(attachments);
        }
        body
    }

    pub async fn send(&self, email: &OutgoingEmail) -> Result<Receipt, MailError> {
        let body = self.body(email);
        let response = self
            .client
            .post(http::endpoint(&self.base, "email"))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(TOKEN_HEADER, self.token.expose().clone())
            .json(&body)
            .send()
            .await
            .map_err(|err| classify_send_failure(Provider::Postmark, &err))?;
        if response.status().is_success() {
            let answer: Answer = response
                .json()
                .await
                .map_err(|err| unreadable_acceptance(Provider::Postmark, &err))?;
            if answer.error_code == 0 {
                return Ok(Receipt {
                    provider_response: answer.message,
                    provider_message_id: answer.message_id,
                    rate_limit: None,
                });
            }
            return Err(MailError::new(
                Provider::Postmark,
                classify(StatusCode::UNPROCESSABLE_ENTITY, answer.error_code),
            )
            .code(answer.error_code)
            .message(answer.message));
        }
        Err(error_from(response).await)
    }
}

impl PostmarkMailer {
    /// `POST /email/batch` with the payload exactly as stored (a JSON array of at most 500
    /// messages, attachments allowed). Each message succeeds or fails on its own; a request that
    /// may have arrived without an answer leaves every message uncertain (Postmark has no key, so
    /// the batch's is not sent).
    pub async fn send_batch(&self, batch: StoredBatch<'_>) -> BatchResults {
        let StoredBatch { payload, count, .. } = batch;
        let response = self
            .client
            .post(http::endpoint(&self.base, "email/batch"))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TOKEN_HEADER, self.token.expose().clone())
            .body(payload.to_owned())
            .send()
            .await
            .map_err(|err| classify_send_failure(Provider::Postmark, &err))?;
        if !response.status().is_success() {
            return Err(error_from(response).await);
        }
        let answers: Vec<Answer> = response
            .json()
            .await
            .map_err(|err| unreadable_acceptance(Provider::Postmark, &err))?;
        if answers.len() != count {
            return Err(
                MailError::new(Provider::Postmark, MailFailure::ProviderUnavailable)
                    .message(format!(
                        "the batch of {count} was answered with {} results",
                        answers.len()
                    ))
                    .maybe_delivered(),
            );
        }
        Ok(answers
            .into_iter()
            .map(|answer| {
                if answer.error_code == 0 {
                    Ok(Receipt {
                        provider_response: answer.message,
                        provider_message_id: answer.message_id,
                        rate_limit: None,
                    })
                } else {
                    Err(MailError::new(
                        Provider::Postmark,
                        classify(StatusCode::UNPROCESSABLE_ENTITY, answer.error_code),
                    )
                    .code(answer.error_code)
                    .message(answer.message))
                }
            })
            .collect())
    }
}

async fn error_from(response: reqwest::Response) -> MailError {
    if let Some(redirected) = http::redirect_error(Provider::Postmark, &response) {
        return redirected;
    }
    let status = response.status();
    let retry_after = http::retry_after(response.headers());
    let text = response.text().await.unwrap_or_default();
    let answer: Answer = serde_json::from_str(&text).unwrap_or(Answer {
        error_code: 0,
        message: text.clone(),
        message_id: String::new(),
    });
    let code = if answer.error_code != 0 {
        answer.error_code.to_string()
    } else {
        status.as_u16().to_string()
    };
    MailError::new(Provider::Postmark, classify(status, answer.error_code))
        .code(code)
        .message(format!("HTTP {}: {}", status.as_u16(), answer.message))
        .retry_after(retry_after)
}

/// Postmark retries only 429, 500 and 503 (and network failures); everything else needs a fix.
fn classify(status: StatusCode, error_code: i64) -> MailFailure {
    match (status.as_u16(), error_code) {
        (401, _) | (_, 10) => MailFailure::AuthFailed,
        (429, _) => MailFailure::RateLimited,
        (500 | 503, _) | (_, 100 | 101) => MailFailure::ProviderUnavailable,
        (_, 400 | 401) => MailFailure::SenderNotVerified,
        (_, 406) => MailFailure::RecipientInactive,
        (_, 405 | 412 | 413) => MailFailure::AccountRestricted,
        (_, 1235 | 1236) => MailFailure::StreamNotFound,
        (s, _) if s >= 500 => MailFailure::ProviderUnavailable,
        _ => MailFailure::Rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_what_the_owner_must_do() {
        let cases = [
            (401, 10, MailFailure::AuthFailed),
            (422, 300, MailFailure::Rejected),
            (422, 400, MailFailure::SenderNotVerified),
            (422, 401, MailFailure::SenderNotVerified),
            (422, 406, MailFailure::RecipientInactive),
            (422, 412, MailFailure::AccountRestricted),
            (422, 1235, MailFailure::StreamNotFound),
            (429, 0, MailFailure::RateLimited),
            (500, 101, MailFailure::ProviderUnavailable),
            (503, 100, MailFailure::ProviderUnavailable),
            (413, 0, MailFailure::Rejected),
            (415, 0, MailFailure::Rejected),
        ];
        for (status, code, expected) in cases {
            let status = StatusCode::from_u16(status).expect("status");
            assert_eq!(classify(status, code), expected, "{status} {code}");
        }
    }
}
