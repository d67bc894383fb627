//! The release workflow's guarantees, checked on the files that ship: it stops while the
//! updater key is the placeholder, only the uploading job may write, and every third-party
//! action is pinned by commit.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repository root")
        .to_owned()
}

fn workflow() -> String {
    std::fs::read_to_string(repo().join(".github/workflows/release.yml")).expect("release.yml")
}

/// The placeholder committed before the project had a key (its private half was not kept).
const PLACEHOLDER: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IEVFM0U4NzM5NkQ5RjRENzUKUldSMVRaOXRPWWMrN3ZsUHYxMVJncEJNYS9aOVNVQm80ODZHSzRFdURJeFVqV3hTNGt2TmdySDMK";

/// Runs `.ci/check-updater-key` on a config holding `pubkey`.
fn check_key(pubkey: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("tauri.conf.json");
    let json = serde_json::json!({ "plugins": { "updater": { "pubkey": pubkey } } });
    std::fs::write(&config, json.to_string()).expect("config");
    let output = Command::new(repo().join(".ci/check-updater-key"))
        .arg(&config)
        .output()
        .expect("the check runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_placeholder_updater_key_stops_a_release_with_what_to_do() {
    let (passed, said) = check_key(PLACEHOLDER);
    assert!(!passed, "the placeholder must stop the release: {said}");
    assert!(
        said.contains("::error"),
        "an annotation GitHub shows: {said}"
    );
    assert!(said.contains("placeholder") && said.contains("tauri signer generate"));

    let own = base64(
        "untrusted comment: minisign public key: 1A2B3C4D5E6F7081\nRWSBcG9eTTwrGgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    );
    let (passed, said) = check_key(&own);
    assert!(passed, "a key of the project's own passes: {said}");

    let (passed, said) = check_key("not base64 at all!");
    assert!(!passed, "{said}");
}

#[test]
fn the_workflow_checks_the_key_before_anything_else() {
    let text = workflow();
    assert!(text.contains(".ci/check-updater-key src-tauri/tauri.conf.json"));
    let test_job = text.find("\n  test:").expect("test job");
    let needs = &text[test_job..];
    let needs = &needs[..needs.find("steps:").expect("steps")];
    assert!(
        needs.contains("needs: updater-key"),
        "the tests wait for the key check: {needs}"
    );
}

#[test]
fn only_the_uploading_job_may_write() {
    let text = workflow();
    assert!(
        text.contains("\npermissions: {}\n"),
        "nothing is granted workflow-wide"
    );
    let writes: Vec<_> = text.match_indices("contents: write").collect();
    assert_eq!(writes.len(), 1, "one job writes");
    let installers = text.find("\n  installers:").expect("installers job");
    assert!(
        writes[0].0 > installers,
        "the write permission belongs to the installers job"
    );
    assert!(text[installers..].contains("tauri-apps/tauri-action@"));
}

#[test]
fn every_third_party_action_is_pinned_by_commit_with_its_version() {
    let text = workflow();
    let mut seen = 0;
    for line in text.lines() {
        let Some(at) = line.find("uses: ") else {
            continue;
        };
        let reference = line[at + 6..].trim();
        if reference.starts_with("./") {
            continue;
        }
        seen += 1;
        let (_, rest) = reference
            .split_once('@')
            .unwrap_or_else(|| panic!("no version: {line}"));
        let (sha, comment) = rest
            .split_once(" # ")
            .unwrap_or_else(|| panic!("no version comment: {line}"));
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "not pinned by a full commit: {line}"
        );
        assert!(!comment.trim().is_empty(), "{line}");
    }
    assert!(seen >= 5, "the actions were found: {seen}");
}
