//! Start-up benchmark: launches the release build several times and prints the median time
//! from process start to the UI's first render (as the app logs it) and the idle memory: PSS
//! summed over the app and its WebKit processes, 5 s after the first render.
//!
//! Linux only (reads /proc). Run it through `.ci/bench-startup`, which provides a display and a
//! D-Bus session.
#![allow(clippy::print_stdout)] // A benchmark reports its figures on stdout.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    let app = cachicamo_e2e::app_binary();
    assert!(
        app.is_file(),
        "build the release app first: {}",
        app.display()
    );
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut first_render = Vec::new();
    let mut pss_kib = Vec::new();
    // One warm-up run creates the database and WebKit's caches, as a user's first launch did.
    for run in 0..=runs {
        let mut child = Command::new(&app)
            .env("CACHICAMO_DATA_DIR", data_dir.path())
            .env("LANG", "es_VE.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("launch the app");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(ms) = parse_first_render(&line) {
                    let _ = tx.send(ms);
                }
            }
        });
        let ms = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the app logged its first render");
        std::thread::sleep(Duration::from_secs(5));
        let pss = pss_of_tree(child.id());
        let _ = child.kill();
        let _ = child.wait();
        wait_for_exit_of_children();
        if run == 0 {
            eprintln!("warm-up: first render {ms} ms, PSS {} MiB", pss / 1024);
            continue;
        }
        eprintln!("run {run}: first render {ms} ms, PSS {} MiB", pss / 1024);
        first_render.push(ms);
        pss_kib.push(pss);
    }
    println!(
        "startup over {runs} runs: median first render {} ms (min {}, max {}); median idle PSS {:.0} MiB (app + WebKit processes)",
        median(&mut first_render.clone()),
        first_render.iter().min().copied().unwrap_or_default(),
        first_render.iter().max().copied().unwrap_or_default(),
        median(&mut pss_kib) as f64 / 1024.0
    );
}

fn parse_first_render(line: &str) -> Option<u64> {
    let rest = &line[line.find("first render ")? + "first render ".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// PSS in KiB of `root` and all its descendants (WebKitWebProcess, WebKitNetworkProcess).
fn pss_of_tree(root: u32) -> u64 {
    let mut total = 0;
    let mut pending = vec![root];
    while let Some(pid) = pending.pop() {
        total += pss_kib(pid);
        pending.extend(children(pid));
    }
    total
}

fn children(pid: u32) -> Vec<u32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn pss_kib(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix("Pss:")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or(0)
}

fn wait_for_exit_of_children() {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cachicamo_e2e::app_pids().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}
