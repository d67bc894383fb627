//! Starts the provider fakes in `tests/fakes/` (Python, so they share no type with our clients)
//! and reads what they received. Used by the core's integration tests and by the e2e stories.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::repo_root;

/// Debian's interpreter, which has aiosmtpd (a pyenv `python3` on PATH would not).
pub const PYTHON: &str = "/usr/bin/python3";

/// A throwaway certificate authority and a server certificate for localhost/127.0.0.1, made once
/// per test process. Clients trust it through `SSL_CERT_FILE`, as the OS store would.
pub struct TestCa {
    dir: PathBuf,
}

impl TestCa {
    pub fn get() -> &'static TestCa {
        static CA: OnceLock<TestCa> = OnceLock::new();
        CA.get_or_init(|| {
            let dir =
                std::env::temp_dir().join(format!("cachicamo-test-ca-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("ca dir");
            let status = Command::new(PYTHON)
                .arg(repo_root().join("tests/fakes/certs.py"))
                .arg(&dir)
                .stdout(Stdio::null())
                .status()
                .unwrap_or_else(|err| panic!("{PYTHON} could not run certs.py: {err}"));
            assert!(status.success(), "certs.py failed");
            TestCa { dir }
        })
    }

    pub fn ca_pem(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }

    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }

    /// Makes this process trust the test CA (rustls reads `SSL_CERT_FILE` on Linux).
    pub fn trust_in_this_process(&self) {
        std::env::set_var("SSL_CERT_FILE", self.ca_pem());
    }
}

/// A running fake; stopped when dropped.
pub struct FakeServer {
    child: Child,
    pub port: u16,
    pub state_dir: tempfile::TempDir,
}

impl FakeServer {
    fn start(script: &str, args: &[String]) -> Self {
        let state_dir = tempfile::tempdir().expect("state dir");
        let mut child = Command::new(PYTHON)
            .arg(repo_root().join("tests/fakes").join(script))
            .args(
                args.iter()
                    .map(|a| a.replace("{state}", &state_dir.path().display().to_string())),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| panic!("{PYTHON} could not start {script}: {err}"));
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the fake prints LISTENING <port>");
        let port = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{script} did not start: {line:?}"));
        Self {
            child,
            port,
            state_dir,
        }
    }

    /// An SMTP server requiring AUTH; `security` is `starttls`, `implicit` or `none`.
    pub fn smtp(security: &str, user: &str, password: &str) -> Self {
        Self::smtp_with(security, user, password, &[])
    }

    /// Like [`FakeServer::smtp`] with more of `smtp_server.py`'s options (`--port`, to come back
    /// on the same port; `--stall-first N`, `--drop-first N`, `--fail-first N`, `--no-smtputf8`).
    pub fn smtp_with(security: &str, user: &str, password: &str, extra: &[&str]) -> Self {
        let ca = TestCa::get();
        let mut args: Vec<String> = vec![
            "--security".into(),
            security.into(),
            "--user".into(),
            user.into(),
            "--password".into(),
            password.into(),
            "--maildir".into(),
            "{state}".into(),
        ];
        if security != "none" {
            args.extend([
                "--cert".into(),
                ca.server_cert().display().to_string(),
                "--key".into(),
                ca.server_key().display().to_string(),
            ]);
        }
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        Self::start("smtp_server.py", &args)
    }

    /// Resend's API; `args` as `resend.py` takes them (`--api-key`, `--domain name:status`…).
    pub fn resend(args: &[&str]) -> Self {
        let mut all = vec!["--state-dir".to_owned(), "{state}".to_owned()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        Self::start("resend.py", &all)
    }

    /// Postmark's API; `args` as `postmark.py` takes them (`--server-token`, `--sender`…).
    pub fn postmark(args: &[&str]) -> Self {
        let mut all = vec!["--state-dir".to_owned(), "{state}".to_owned()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        Self::start("postmark.py", &all)
    }

    /// Serves `dir` over HTTPS with the test CA's certificate (an update feed and its packages).
    pub fn https_files(dir: &Path) -> Self {
        let ca = TestCa::get();
        Self::start(
            "update_server.py",
            &[
                "--dir".into(),
                dir.display().to_string(),
                "--cert".into(),
                ca.server_cert().display().to_string(),
                "--key".into(),
                ca.server_key().display().to_string(),
            ],
        )
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Messages an SMTP fake accepted, oldest first: the envelope (JSON) and the raw message.
    pub fn smtp_messages(&self) -> Vec<(serde_json::Value, String)> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.state_dir.path())
            .expect("maildir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort_by_key(|p| sequence(p));
        names
            .into_iter()
            .map(|eml| {
                let envelope = std::fs::read_to_string(eml.with_extension("json")).expect("json");
                let raw = std::fs::read(&eml).expect("eml");
                (
                    serde_json::from_str(&envelope).expect("envelope json"),
                    String::from_utf8_lossy(&raw).into_owned(),
                )
            })
            .collect()
    }

    /// The first recipient of each message an SMTP fake accepted, oldest first.
    pub fn smtp_recipients(&self) -> Vec<String> {
        self.smtp_received().into_iter().map(|(to, _)| to).collect()
    }

    /// Each message an SMTP fake accepted, oldest first: its first recipient and its text part.
    pub fn smtp_received(&self) -> Vec<(String, String)> {
        self.smtp_messages()
            .iter()
            .map(|(envelope, raw)| {
                let message = mail_parser::MessageParser::default()
                    .parse(raw.as_bytes())
                    .expect("a MIME message");
                (
                    envelope["rcpt_tos"][0].as_str().expect("to").to_owned(),
                    message.body_text(0).unwrap_or_default().into_owned(),
                )
            })
            .collect()
    }

    /// What an SMTP fake saw, oldest first: `{"event":"connect"}` per connection and
    /// `{"event":"auth","user":…,"ok":…}` per AUTH attempt (never the password).
    pub fn smtp_events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.state_dir.path().join("events.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("an event line"))
            .collect()
    }

    /// Calls the HTTP fakes' `/__control/` API.
    pub fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to fake");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "{method} /__control/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (_, json) = response.split_once("\r\n\r\n").expect("http response");
        serde_json::from_str(json).unwrap_or(serde_json::Value::Null)
    }
}

/// A loopback listener that accepts every connection and keeps what arrives on it, answering
/// nothing: the place a secret must never reach (a redirect's target, a server the
/// configuration was never verified against).
pub struct ConnectionRecorder {
    pub port: u16,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ConnectionRecorder {
    pub fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (received, stop) = (received.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let index = {
                                let mut all = received.lock().expect("lock");
                                all.push(Vec::new());
                                all.len() - 1
                            };
                            let received = received.clone();
                            std::thread::spawn(move || record(stream, &received, index));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })
        };
        Self {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// How many connections arrived so far.
    pub fn connections(&self) -> usize {
        self.received.lock().expect("lock").len()
    }

    /// Every byte received so far, over all connections.
    pub fn bytes(&self) -> Vec<u8> {
        self.received.lock().expect("lock").concat()
    }
}

fn record(mut stream: TcpStream, received: &Mutex<Vec<Vec<u8>>>, index: usize) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        received.lock().expect("lock")[index].extend_from_slice(&buffer[..n]);
    }
}

impl Drop for ConnectionRecorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where [`free_port`] hands ports out: below the kernel's ephemeral range (32768–60999 on
/// Linux), from which every outgoing connection and every port-0 bind takes its own.
const HANDED_OUT: std::ops::Range<u16> = 20_000..32_000;

/// A loopback port nothing listens on right now, for a server started there later (tauri-driver,
/// WebKitWebDriver, a fake). Not one the kernel picked: between picking and listening, one of
/// the app's outgoing connections could be given the same ephemeral port, and WebKitWebDriver
/// would then fail to listen ("Unable to listen for HTTP server"). Handed out once per run,
/// from a start that differs per process.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = u32::from(HANDED_OUT.end - HANDED_OUT.start);
    let start = std::process::id() % span;
    let _ = NEXT.compare_exchange(0, start + 1, Ordering::SeqCst, Ordering::SeqCst);
    for _ in 0..span {
        let offset = NEXT.fetch_add(1, Ordering::SeqCst) % span;
        let port = HANDED_OUT.start + u16::try_from(offset).expect("within the span");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {HANDED_OUT:?}")
}

fn sequence(path: &Path) -> u64 {
    path.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
