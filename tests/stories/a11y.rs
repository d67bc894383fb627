//! The accessibility check of the stories: axe-core (the npm devDependency in ui/) run inside
//! the real window on the view a story has reached. The page's CSP forbids inline scripts, but
//! WebDriver's "execute script" runs in the page's context from outside it, so axe is injected
//! that way (and a story fails if it is not, rather than passing without checking).

use cachicamo_e2e::{repo_root, Window};

/// The impacts a story fails on: moderate and worse (axe also reports "minor").
const FAILING: [&str; 3] = ["moderate", "serious", "critical"];

fn axe_source() -> String {
    let path = repo_root().join("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "axe-core is missing at {} ({err}): run .ci/setup (npm ci in ui/)",
            path.display()
        )
    })
}

/// Runs axe on the whole window as it is now and fails on any violation of moderate impact or
/// worse, naming the rule, what it asks and the elements that break it. `view` names the view
/// in the failure.
pub async fn assert_accessible(window: &Window, view: &str) {
    let loaded = window
        .client
        .execute(
            &format!("{}\n;return typeof window.axe;", axe_source()),
            vec![],
        )
        .await
        .expect("axe-core injected through WebDriver");
    assert_eq!(loaded, "object", "axe-core did not load in the window");
    let report = window
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.axe
               .run(document, { resultTypes: ['violations'] })
               .then((result) => done({ ran: result.passes.length + result.violations.length,
                 violations: result.violations.map((v) => ({ id: v.id, impact: v.impact,
                   help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })) }))
               .catch((error) => done({ error: String(error) }));",
            vec![],
        )
        .await
        .expect("axe ran");
    assert!(
        report.get("error").is_none(),
        "axe failed on {view}: {report}"
    );
    assert!(
        report["ran"].as_u64().unwrap_or_default() > 0,
        "axe checked no rule on {view}: {report}"
    );
    let failing: Vec<String> = report["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter(|v| FAILING.contains(&v["impact"].as_str().unwrap_or_default()))
        .map(|v| {
            format!(
                "{} ({}): {} — {}",
                v["id"], v["impact"], v["help"], v["targets"]
            )
        })
        .collect();
    assert!(
        failing.is_empty(),
        "axe found problems of moderate impact or worse on {view}:\n  {}",
        failing.join("\n  ")
    );
}
