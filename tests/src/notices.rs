//! The desktop's notification server, faked: `tests/fakes/notifications.py` owns
//! `org.freedesktop.Notifications` on the test's session bus (the one `.ci/desktop-session`
//! provides, which the app under test inherits) and records each Notify call; the stories read
//! what the app asked the desktop to show.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::fakes::PYTHON;
use crate::repo_root;

/// One Notify call as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub app_name: String,
    pub summary: String,
    pub body: String,
}

pub struct FakeNotifications {
    child: Child,
    _dir: tempfile::TempDir,
    record: PathBuf,
}

impl FakeNotifications {
    /// Starts the server; fails the test if another one already owns the name on this bus.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("record dir");
        let record = dir.path().join("notices.jsonl");
        let mut child = Command::new(PYTHON)
            .arg(repo_root().join("tests/fakes/notifications.py"))
            .arg("--record")
            .arg(&record)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| panic!("{PYTHON} could not start notifications.py: {err}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the fake prints READY");
        assert_eq!(
            line.trim(),
            "READY",
            "notifications.py did not start (is python3-dbus installed? another server on the bus?)"
        );
        Self {
            child,
            _dir: dir,
            record,
        }
    }

    /// Every notification asked for so far, in order.
    pub fn shown(&self) -> Vec<Shown> {
        let text = std::fs::read_to_string(&self.record).unwrap_or_default();
        text.lines()
            .map(|line| {
                let call: serde_json::Value =
                    serde_json::from_str(line).expect("the fake writes JSON lines");
                let field = |name: &str| call[name].as_str().unwrap_or_default().to_owned();
                Shown {
                    app_name: field("app_name"),
                    summary: field("summary"),
                    body: field("body"),
                }
            })
            .collect()
    }
}

impl Drop for FakeNotifications {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
