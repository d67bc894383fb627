//! What the HTTP providers (Resend, Postmark) share: the client, base URLs and error mapping
//! for the network itself.
//!
//! A token goes to the provider's API and nowhere else: the client never follows a redirect (a
//! 3xx is an error in words, not a new destination), plain `http://` is accepted for loopback
//! overrides only, and the token's header is marked sensitive so no debug output shows it.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use url::Url;

use super::config::Provider;
use super::error::{MailError, MailFailure};
use super::Timeouts;

pub const USER_AGENT: &str = concat!("Cachicamo/", env!("CARGO_PKG_VERSION"));

/// The client both HTTP providers use: rustls with the OS trust store, keep-alive, timeouts on
/// every call, a User-Agent (Resend blocks requests without one), and no redirects: reqwest
/// follows them by default and keeps custom headers such as `X-Postmark-Server-Token` across
/// hosts, which would hand the token to whoever answers 302.
pub fn client(timeouts: &Timeouts) -> Result<reqwest::Client, reqwest::Error> {
    use_one_crypto_provider();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeouts.connect)
        .timeout(timeouts.request)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
}

/// Every TLS client in the app (reqwest here, lettre for SMTP, the updater) uses ring, the one
/// provider linked: installed as the process's default, which all three look for first. A
/// provider installed already (the updater's, also ring) is kept.
fn use_one_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A provider's base URL: the override from `env_var` when set, else `default`. Secrets travel
/// in headers, so plain `http://` is refused except on this machine (tests, local proxies).
pub fn base_url(provider: Provider, env_var: &str, default: &str) -> Result<Url, MailError> {
    parse_base_url(provider, env_var, std::env::var(env_var).ok(), default)
}

fn parse_base_url(
    provider: Provider,
    env_var: &str,
    value: Option<String>,
    default: &str,
) -> Result<Url, MailError> {
    let raw = value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned());
    let insecure = || {
        MailError::new(provider, MailFailure::InsecureEndpoint).message(format!(
            "{env_var}={raw} must be https (http only on loopback)"
        ))
    };
    let url = Url::parse(raw.trim()).map_err(|_| insecure())?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(insecure()),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A header carrying a secret, marked sensitive (HTTP/2 never indexes it; `Debug` hides it).
/// A secret with characters no header may carry (a line break inside it) is refused without
/// quoting it.
pub fn secret_header(provider: Provider, value: &str) -> Result<HeaderValue, MailError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        MailError::new(provider, MailFailure::AuthFailed)
            .message("the key contains characters an HTTP header cannot carry")
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// A 3xx answer from an API that never redirects: a proxy or a hijacked address is sending us
/// elsewhere. Refused, with where it pointed (scheme, host and port only) for "Detalles".
pub fn redirect_error(provider: Provider, response: &reqwest::Response) -> Option<MailError> {
    let status = response.status();
    if !status.is_redirection() {
        return None;
    }
    let target = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| response.url().join(l).ok())
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_else(|| "an unknown address".to_owned());
    Some(
        MailError::new(provider, MailFailure::Redirected)
            .code(status.as_u16())
            .message(format!(
                "HTTP {}: the API answered with a redirect to {target}, which is not followed",
                status.as_u16()
            )),
    )
}

/// Joins a path onto the base, keeping any path prefix the override has.
pub fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
    url
}

/// A send request that failed without an HTTP answer. A failure to connect (DNS, refused,
/// unreachable, TLS handshake) is before the hand-over; anything later — no answer in time, the
/// connection dropped while the request or the response travelled — may come after the
/// provider took the email, and reqwest cannot say whether the body had left: that is
/// `maybe_delivered`. (An HTTP status, 5xx included, is a definite answer and never comes here.)
pub fn classify_send_failure(provider: Provider, err: &reqwest::Error) -> MailError {
    let error = classify_transport(provider, err);
    if before_hand_over(err) {
        error
    } else {
        error.maybe_delivered()
    }
}

/// A 2xx answer whose body could not be read: the provider accepted the email, but its id is
/// lost — delivered as far as anyone can tell, yet unconfirmed.
pub fn unreadable_acceptance(provider: Provider, err: &reqwest::Error) -> MailError {
    MailError::new(provider, MailFailure::ProviderUnavailable)
        .message(format!(
            "the provider accepted the email but its answer could not be read: {}",
            error_chain(err)
        ))
        .maybe_delivered()
}

/// Nothing left this machine: the request could not be built or no connection was made.
fn before_hand_over(err: &reqwest::Error) -> bool {
    err.is_builder() || err.is_connect()
}

/// Network-level failures: no route at all is "offline", a slow answer is a timeout.
pub fn classify_transport(provider: Provider, err: &reqwest::Error) -> MailError {
    let failure = if err.is_connect() {
        let text = error_chain(err).to_lowercase();
        // rustls words a non-TLS answer (a plain-HTTP proxy, a captive portal) as a "corrupt
        // message" and a refused handshake as an "alert".
        let tls = [
            "certificate",
            "tls",
            "handshake",
            "corrupt message",
            "alert",
        ];
        if tls.iter().any(|word| text.contains(word)) {
            MailFailure::Tls
        } else {
            MailFailure::Offline
        }
    } else if err.is_timeout() {
        MailFailure::Timeout
    } else {
        MailFailure::ProviderUnavailable
    };
    MailError::new(provider, failure).message(error_chain(err))
}

/// The error and its sources, joined: reqwest's top-level text alone hides the cause.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// `Retry-After` in seconds (the form providers use), if present.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(|secs| Duration::from_secs_f64(secs.min(86_400.0)))
}

/// The `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` headers (Resend), if all
/// three are there and make sense.
pub fn rate_limit(headers: &HeaderMap) -> Option<super::RateLimit> {
    let number =
        |name: &str| -> Option<u32> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    let limit = number("ratelimit-limit").filter(|l| *l > 0)?;
    Some(super::RateLimit {
        limit,
        remaining: number("ratelimit-remaining")?,
        reset: Duration::from_secs(u64::from(number("ratelimit-reset")?.min(3_600))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_headers_are_read_only_when_complete() {
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit-limit", "5".parse().expect("value"));
        headers.insert("ratelimit-remaining", "0".parse().expect("value"));
        assert_eq!(rate_limit(&headers), None, "reset missing");
        headers.insert("ratelimit-reset", "1".parse().expect("value"));
        assert_eq!(
            rate_limit(&headers),
            Some(super::super::RateLimit {
                limit: 5,
                remaining: 0,
                reset: Duration::from_secs(1)
            })
        );
        headers.insert("ratelimit-limit", "0".parse().expect("value"));
        assert_eq!(rate_limit(&headers), None, "a zero limit means nothing");
    }

    #[test]
    fn secret_headers_are_sensitive_and_line_breaks_are_refused() {
        let header = secret_header(Provider::Postmark, "pm-token").expect("header");
        assert!(header.is_sensitive());
        assert!(!format!("{header:?}").contains("pm-token"));
        let refused = secret_header(Provider::Postmark, "pm-token\r\nX-Evil: 1")
            .expect_err("a line break cannot be a header");
        assert_eq!(refused.failure, MailFailure::AuthFailed);
        assert!(!format!("{refused:?}").contains("pm-token"));
    }

    #[test]
    fn plain_http_is_accepted_only_on_loopback() {
        for (raw, ok) in [
            ("https://api.resend.com", true),
            ("http://127.0.0.1:8080", true),
            ("http://localhost:9000/prefix", true),
            ("http://[::1]:9000", true),
            ("http://192.168.1.10:8080", false),
            ("http://api.resend.com", false),
            ("ftp://127.0.0.1", false),
            ("not a url", false),
        ] {
            let result = parse_base_url(
                Provider::Resend,
                "RESEND_URL",
                Some(raw.to_owned()),
                "https://api.resend.com",
            );
            assert_eq!(result.is_ok(), ok, "{raw}");
            if let Err(err) = result {
                assert_eq!(err.failure, MailFailure::InsecureEndpoint);
            }
        }
    }

    #[test]
    fn no_override_means_the_default() {
        let url = parse_base_url(Provider::Postmark, "X", None, "https://api.postmarkapp.com");
        assert_eq!(
            url.expect("default").as_str(),
            "https://api.postmarkapp.com/"
        );
    }

    #[test]
    fn endpoints_keep_a_path_prefix() {
        let base = Url::parse("http://127.0.0.1:9000/proxy/").expect("url");
        assert_eq!(
            endpoint(&base, "/emails").as_str(),
            "http://127.0.0.1:9000/proxy/emails"
        );
        let root = Url::parse("https://api.postmarkapp.com").expect("url");
        assert_eq!(
            endpoint(&root, "email").as_str(),
            "https://api.postmarkapp.com/email"
        );
    }
}
