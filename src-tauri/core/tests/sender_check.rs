//! «Comprobar remitente» against the providers' fakes: Resend's domain and DNS records with a
//! full-access key (and what a sending-only key cannot read); Postmark's domain or sender
//! signature, read with an account token typed for the check — and nothing asked without one.
//! The shop's service is saved in the real keychain (run inside `.ci/desktop-session`).

mod common;

use cachicamo_core::mail::config::Provider;
use cachicamo_core::mail::sender_check::{PostmarkCover, SenderCheck};
use cachicamo_core::mail::MailFailure;
use cachicamo_e2e::fakes::FakeServer;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn comprobar_remitente_reads_the_resend_domain_and_says_what_it_cannot_read() {
    let env = provider_env().await;
    let _resend = env.resend(&["--restricted-key", "re_send_only_88"]);
    let shop = Shop::open();
    shop.configure(api_form(Provider::Resend, Some(RESEND_KEY)))
        .await;
    let check = shop.check_sender().await;
    assert!(check.healthy(), "{check:?}");
    let SenderCheck::Domain {
        domain, records, ..
    } = check
    else {
        unreachable!()
    };
    assert_eq!(domain, "ferreteria.com.ve");
    let mut kinds: Vec<_> = records.iter().map(|r| r.record.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["DKIM", "SPF", "SPF"]);

    shop.configure(api_form(Provider::Resend, Some("re_send_only_88")))
        .await;
    let check = shop.check_sender().await;
    assert_eq!(check, SenderCheck::NeedsFullAccessKey);
    assert!(!check.healthy());
}

#[tokio::test(flavor = "multi_thread")]
async fn comprobar_remitente_on_postmark_says_it_needs_the_account_token() {
    let env = provider_env().await;
    let server = env.postmark(&[]);
    let shop = Shop::open();
    let mut form = api_form(Provider::Postmark, Some(POSTMARK_TOKEN));
    form.message_stream = "outbound".into();
    shop.configure(form).await;
    let before = server.control("GET", "requests", None);
    let check = shop.check_sender().await;
    assert_eq!(check, SenderCheck::NeedsAccountToken);
    assert_eq!(
        server.control("GET", "requests", None),
        before,
        "nothing asked with a token that cannot answer"
    );
}

const ACCOUNT_TOKEN: &str = "pm-acc0unt-t0ken";

/// Postmark's fake with the account API, the shop's email service configured on it.
async fn postmark_account(env: &ProviderEnv, extra: &[&str]) -> (FakeServer, Shop) {
    let mut args = vec!["--account-token", ACCOUNT_TOKEN];
    args.extend_from_slice(extra);
    let server = env.postmark(&args);
    let shop = Shop::open();
    let mut form = api_form(Provider::Postmark, Some(POSTMARK_TOKEN));
    form.message_stream = "outbound".into();
    shop.configure(form).await;
    (server, shop)
}

#[tokio::test(flavor = "multi_thread")]
async fn comprobar_remitente_on_postmark_reads_the_signature_or_domain_with_the_account_token() {
    let env = provider_env().await;
    let (_server, shop) = postmark_account(&env, &[]).await;
    // Pasted with the usual trailing space: trimmed, as saved secrets are.
    let check = shop
        .check_sender_with(Some(&format!("{ACCOUNT_TOKEN} ")))
        .await
        .expect("checked");
    assert!(check.healthy(), "{check:?}");
    let SenderCheck::PostmarkSender {
        covered_by, name, ..
    } = check
    else {
        unreachable!()
    };
    assert_eq!(
        (covered_by, name.as_str()),
        (PostmarkCover::Signature, SENDER)
    );

    // The whole domain on the account, its DNS not verified yet: found, and not healthy.
    let domain = SENDER.rsplit_once('@').expect("address").1;
    let at_domain = format!("@{domain}");
    let (_server, shop) =
        postmark_account(&env, &["--sender", &at_domain, "--unverified-dns", domain]).await;
    let check = shop
        .check_sender_with(Some(ACCOUNT_TOKEN))
        .await
        .expect("checked");
    assert!(!check.healthy(), "{check:?}");
    let SenderCheck::PostmarkSender {
        covered_by,
        name,
        dkim_verified,
        return_path_domain,
        return_path_verified,
        ..
    } = check
    else {
        unreachable!()
    };
    assert_eq!((covered_by, name.as_str()), (PostmarkCover::Domain, domain));
    assert!(!dkim_verified && !return_path_verified);
    assert_eq!(return_path_domain, format!("pm-bounces.{domain}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn comprobar_remitente_on_postmark_says_when_the_sender_is_missing_or_the_token_wrong() {
    let env = provider_env().await;
    let server = FakeServer::postmark(&[
        "--server-token",
        POSTMARK_TOKEN,
        "--sender",
        "otro@otra-tienda.com",
        "--account-token",
        ACCOUNT_TOKEN,
    ]);
    env.set("CACHICAMO_POSTMARK_API_URL", &server.base_url());
    let shop = Shop::open();
    let mut form = api_form(Provider::Postmark, Some(POSTMARK_TOKEN));
    form.message_stream = "outbound".into();
    shop.configure(form).await;
    let check = shop
        .check_sender_with(Some(ACCOUNT_TOKEN))
        .await
        .expect("checked");
    let domain = SENDER.rsplit_once('@').expect("address").1;
    assert_eq!(
        check,
        SenderCheck::PostmarkSenderMissing {
            address: SENDER.into(),
            domain: domain.into()
        }
    );

    // The server token is not an account token: refused, and neither token is repeated.
    let err = shop
        .check_sender_with(Some(POSTMARK_TOKEN))
        .await
        .expect_err("refused");
    assert_eq!(err.failure, MailFailure::AuthFailed);
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains(POSTMARK_TOKEN), "{shown}");
}
