//! Processes the stories start and must stop: finding the app's processes by executable,
//! killing them and waiting until they are gone (PID 1 here reaps no orphans, and the
//! single-instance rule hands a relaunch to a dying process), waiting for a port, and a D-Bus
//! session bus of a story's own.

use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::parts::app_binary;
use crate::wait::eventually;

pub(crate) fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// PIDs of running processes whose executable is the app binary.
pub fn app_pids() -> Vec<u32> {
    pids_of(&app_binary())
}

/// PIDs of running processes whose executable is `binary`.
pub fn pids_of(binary: &Path) -> Vec<u32> {
    let target = std::fs::canonicalize(binary).unwrap_or_else(|_| binary.to_owned());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = std::fs::read_link(entry.path().join("exe")).ok()?;
            (exe == target).then_some(pid)
        })
        .collect()
}

/// Stops every running instance of `binary` and waits until they are gone.
pub(crate) fn kill_all(binary: &Path) {
    for pid in pids_of(binary) {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pids_of(binary).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The single-instance rule means a relaunch before the previous process is gone would only
/// focus the dying one: wait for it.
pub(crate) async fn wait_until_gone(binary: &Path) {
    wait_for_exit(binary, Duration::from_secs(15)).await;
}

/// Waits until no process runs `binary` (an app that was asked to leave), failing with the
/// ones still running after `within`.
pub async fn wait_for_exit(binary: &Path, within: Duration) {
    let what = format!("every {} process to end", binary.display());
    eventually(within, &what, async || {
        let running = pids_of(binary);
        if running.is_empty() {
            Ok(())
        } else {
            Err(running)
        }
    })
    .await;
}

/// A D-Bus session bus of its own, as another login session has: an app started on it does not
/// see (nor hand over to) one running on the test's bus. Stopped when dropped.
pub struct PrivateBus {
    daemon: Child,
    address: String,
}

impl PrivateBus {
    pub fn start() -> PrivateBus {
        use std::io::BufRead;
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon starts (apt-get install dbus)");
        let stdout = daemon.stdout.take().expect("stdout");
        let mut address = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut address)
            .expect("the bus address");
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        PrivateBus { daemon, address }
    }

    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
