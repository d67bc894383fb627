//! Security policy, checked against the files that ship: the webview's capabilities grant no more
//! than the app uses, the CSP admits no remote or inline script, and no switch swaps what the app
//! is made of (environment variables change URLs, directories and timeouts only).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

include!("../src/commands/names.rs");

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The events and the app's own commands (`names.rs`), nothing else.
fn allowed_permissions() -> BTreeSet<String> {
    window_permissions().into_iter().collect()
}

#[test]
fn capabilities_grant_exactly_the_events_and_the_apps_own_commands() {
    let dir = crate_dir().join("capabilities");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("capabilities dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one capability file, for the main window: {files:?}"
    );
    let capability = read_json(&files[0]);
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote origin may reach the IPC"
    );
    assert!(capability.get("webviews").is_none());
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions array")
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap_or_else(|| panic!("scoped permission objects are not used: {p}"))
                .to_owned()
        })
        .collect();
    assert_eq!(
        granted,
        allowed_permissions(),
        "capabilities must grant exactly the events and the app's commands"
    );
}

fn csp(config: &Value, key: &str) -> Vec<(String, Vec<String>)> {
    let map = config["app"]["security"][key]
        .as_object()
        .unwrap_or_else(|| panic!("{key} is a directive map"));
    map.iter()
        .map(|(directive, sources)| {
            let sources = sources
                .as_str()
                .expect("sources as a string")
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            (directive.clone(), sources)
        })
        .collect()
}

#[test]
fn the_csp_admits_no_remote_or_inline_script() {
    let config = read_json(&crate_dir().join("tauri.conf.json"));
    let security = &config["app"]["security"];
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri must keep adding its script hashes"
    );
    assert_eq!(config["app"]["withGlobalTauri"], false);
    let directives = csp(&config, "csp");
    let get = |name: &str| {
        directives
            .iter()
            .find(|(d, _)| d == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("the CSP must set {name}"))
    };
    for directive in ["default-src", "script-src"] {
        assert_eq!(
            get(directive),
            vec!["'self'"],
            "{directive} must be 'self' only"
        );
    }
    assert_eq!(get("object-src"), vec!["'none'"]);
    assert_eq!(get("connect-src"), vec!["ipc:", "http://ipc.localhost"]);
    for (directive, sources) in &directives {
        for source in sources {
            let forbidden = source == "*"
                || source.contains("unsafe-inline")
                || source.contains("unsafe-eval")
                || source.starts_with("https:")
                || (source.starts_with("http:") && source != "http://ipc.localhost")
                || (source.starts_with("http://") && source != "http://ipc.localhost")
                || source.starts_with("https://")
                || source.starts_with("ws")
                || source == "blob:";
            assert!(!forbidden, "{directive} allows {source}");
        }
    }
}

/// The only environment variables the app reads, each changing a URL, a directory or a timeout
/// (or the log level). Adding one here is a design decision: say why in its comment.
const ALLOWED_ENV: &[&str] = &[
    // Relocates every file the app writes (tests, portable use).
    "CACHICAMO_DATA_DIR",
    // Log verbosity (tracing's filter syntax).
    "CACHICAMO_LOG",
    // Provider API base URLs (tests' fake servers, company proxies); plain http on loopback only.
    "CACHICAMO_RESEND_API_URL",
    "CACHICAMO_POSTMARK_API_URL",
    // How long a provider call and its connection may take (seconds).
    "CACHICAMO_MAIL_TIMEOUT_SECS",
    "CACHICAMO_MAIL_CONNECT_TIMEOUT_SECS",
    // How long an SMTP server may take to answer a message's final dot (seconds, at most the
    // 10 minutes RFC 5321 suggests): a deadline only, which tests shorten.
    "CACHICAMO_SMTP_FINAL_REPLY_SECS",
    // How often the outbox probes an unreachable provider (seconds) and its first retry's
    // backoff (milliseconds): intervals only.
    "CACHICAMO_OUTBOX_PROBE_SECS",
    "CACHICAMO_OUTBOX_RETRY_BASE_MS",
    // When the outbox first asks a provider what happened to a sent email (seconds): it can
    // only shorten the delivery-status schedule, which shrinks as a whole. An interval only.
    "CACHICAMO_DELIVERY_FIRST_POLL_SECS",
    // How often the política de cobranza is evaluated while the app is open (seconds): an
    // interval only.
    "CACHICAMO_COLLECTIONS_EVERY_SECS",
    // The update feed's URL (tests, a company mirror); the signature key is not changeable.
    "CACHICAMO_UPDATE_URL",
];

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn environment_variables_change_only_urls_directories_and_timeouts() {
    let mut files = Vec::new();
    rust_sources(&crate_dir().join("src"), &mut files);
    rust_sources(&crate_dir().join("core/src"), &mut files);
    let mut seen = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (index, _) in text.match_indices("\"CACHICAMO_") {
            let name: String = text[index + 1..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            assert!(
                ALLOWED_ENV.contains(&name.as_str()),
                "{} reads {name}, which is not an allowed URL/directory/timeout variable",
                file.display()
            );
            seen.insert(name);
        }
    }
    assert!(seen.contains("CACHICAMO_DATA_DIR"));
    for manifest in ["Cargo.toml", "core/Cargo.toml"] {
        let text = std::fs::read_to_string(crate_dir().join(manifest)).expect("manifest");
        assert!(
            !text.contains("[features]"),
            "{manifest}: no cargo feature may swap the database, keychain or mail transport"
        );
    }
}
