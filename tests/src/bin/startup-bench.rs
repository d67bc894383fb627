//! Start-up benchmark: Cachicamo beside an empty Tauri 2 window (`tests/bench/empty-window`),
//! both release builds, measured in the same run so a busy machine weighs on both alike.
//!
//! Each run gives each program a fresh data directory and launches it twice there: first as a
//! fresh install (Cachicamo creates its database, WebKit its storage), then as an everyday start.
//! For each launch it reads the time from process start (the kernel's record, not `main`) to the
//! page's first render, as the program logs it (split into the native start, loading the page
//! and the page's own work), and 5 s later the idle memory: PSS per process —
//! the program itself, WebKit's web process and its network process. The two programs take turns
//! going first. Run 0 warms the OS caches up and is not counted.
//!
//! Linux only (reads /proc). Run it through `.ci/bench-startup`, which builds both programs and
//! provides a display and a D-Bus session.
#![allow(clippy::print_stdout)] // A benchmark reports its figures on stdout.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cachicamo_e2e::page::PageStart;

/// How long after the first render the memory is read: the page has settled, nothing was used.
const IDLE_AFTER: Duration = Duration::from_secs(5);

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: startup-bench <empty-window binary> <cachicamo binary> [runs]";
    let empty = PathBuf::from(args.next().expect(usage));
    let app = PathBuf::from(args.next().expect(usage));
    let runs: usize = args.next().map_or(7, |n| n.parse().expect(usage));
    let programs = [
        Program::new("empty Tauri 2 window", empty),
        Program::new("Cachicamo", app),
    ];
    let mut results = [Results::default(), Results::default()];
    for run in 0..=runs {
        // Alternate who goes first, so neither always gets the warmer machine.
        let order: [usize; 2] = if run % 2 == 0 { [0, 1] } else { [1, 0] };
        for index in order {
            let program = &programs[index];
            let data_dir = tempfile::tempdir().expect("data dir");
            let fresh = program.launch(data_dir.path());
            let everyday = program.launch(data_dir.path());
            eprintln!(
                "{} {}: fresh install {} ms, start {} ms, idle PSS {} MiB (main {} / web {} / network {} / other {}), anonymous {} MiB",
                if run == 0 { "warm-up".to_owned() } else { format!("run {run}") },
                program.label,
                fresh.stages.first_render,
                everyday.stages.first_render,
                everyday.pss.total() / 1024,
                everyday.pss.main / 1024,
                everyday.pss.web / 1024,
                everyday.pss.network / 1024,
                everyday.pss.other / 1024,
                everyday.pss.anon / 1024,
            );
            if run > 0 {
                results[index].add(&fresh, &everyday);
            }
        }
    }
    print_table(&programs, &mut results, runs);
}

struct Program {
    label: &'static str,
    path: PathBuf,
}

impl Program {
    fn new(label: &'static str, path: PathBuf) -> Self {
        assert!(path.is_file(), "build it first: {}", path.display());
        Self { label, path }
    }

    /// Starts the program on `data_dir`, waits for its first render and then `IDLE_AFTER`,
    /// reads its memory and stops it with all its processes.
    fn launch(&self, data_dir: &Path) -> Sample {
        let mut child = Command::new(&self.path)
            .env("CACHICAMO_DATA_DIR", data_dir)
            .env("LANG", "es_VE.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("launch");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut said = Vec::new();
        let (_, stages) = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => match PageStart::read(&line) {
                    Some(read) => break read,
                    None => said.push(line),
                },
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "{} logged no first render within 60 s; it said:\n{}",
                        self.label,
                        said.join("\n")
                    );
                }
            }
        };
        std::thread::sleep(IDLE_AFTER);
        let tree = descendants(child.id());
        let pss = Pss::of(child.id(), &tree);
        let _ = child.kill();
        let _ = child.wait();
        wait_until_gone(&tree);
        Sample {
            stages: stages.unwrap_or_else(|| {
                panic!("{} did not split its first render: rebuild it", self.label)
            }),
            pss,
        }
    }
}

struct Sample {
    /// Its first render, split into stages.
    stages: PageStart,
    pss: Pss,
}

/// Proportional set size in KiB, by process: what each really costs the machine, shared pages
/// split among their sharers.
#[derive(Debug, Default, Clone, Copy)]
struct Pss {
    main: u64,
    web: u64,
    network: u64,
    /// Anything else the program started (normally nothing).
    other: u64,
    /// Anonymous memory (heaps, stacks, JIT code), all processes together: what the programs
    /// allocate. PSS also counts the shared libraries' pages, whose share moves with whatever
    /// else maps them (another WebKit program on the machine) and with how the kernel happened
    /// to cache them (huge pages); this does not.
    anon: u64,
}

impl Pss {
    fn of(root: u32, descendants: &[u32]) -> Self {
        let mut pss = Self {
            main: rollup_kib(root, "Pss:"),
            anon: rollup_kib(root, "Anonymous:"),
            ..Self::default()
        };
        for &pid in descendants {
            let kib = rollup_kib(pid, "Pss:");
            pss.anon += rollup_kib(pid, "Anonymous:");
            // `comm` is cut at 15 characters: WebKitWebProces, WebKitNetworkPr.
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            match name.trim() {
                n if n.starts_with("WebKitWebProc") => pss.web += kib,
                n if n.starts_with("WebKitNetwork") => pss.network += kib,
                _ => pss.other += kib,
            }
        }
        pss
    }

    fn total(&self) -> u64 {
        self.main + self.web + self.network + self.other
    }
}

#[derive(Default)]
struct Results {
    fresh_ms: Vec<u64>,
    start_ms: Vec<u64>,
    /// The everyday start's stages: native (process, Tauri, window, WebKit's processes), loading
    /// the page, the page's own work up to its first render.
    native_ms: Vec<u64>,
    loading_ms: Vec<u64>,
    page_work_ms: Vec<u64>,
    total: Vec<u64>,
    main: Vec<u64>,
    web: Vec<u64>,
    network: Vec<u64>,
    anon: Vec<u64>,
}

impl Results {
    fn add(&mut self, fresh: &Sample, everyday: &Sample) {
        self.fresh_ms.push(fresh.stages.first_render);
        self.start_ms.push(everyday.stages.first_render);
        let stages = everyday.stages;
        self.native_ms.push(stages.began_loading);
        self.loading_ms
            .push(stages.script_ran - stages.began_loading);
        self.page_work_ms
            .push(stages.first_render - stages.script_ran);
        self.total.push(everyday.pss.total());
        self.main.push(everyday.pss.main);
        self.web.push(everyday.pss.web);
        self.network.push(everyday.pss.network);
        self.anon.push(everyday.pss.anon);
    }
}

fn print_table(programs: &[Program; 2], results: &mut [Results; 2], runs: usize) {
    let [empty, app] = results;
    println!(
        "\n| figure (median of {runs}, min–max) | {} | {} | ratio | target |",
        programs[0].label, programs[1].label
    );
    println!("|---|---|---|---|---|");
    let rows: [(&str, Pick, Unit, Option<f64>); 10] = [
        (
            "process start → first render",
            |r| &mut r.start_ms,
            Unit::Ms,
            Some(1.1),
        ),
        (
            "· start → page begins loading (native)",
            |r| &mut r.native_ms,
            Unit::Ms,
            None,
        ),
        (
            "· page loading → its script runs",
            |r| &mut r.loading_ms,
            Unit::Ms,
            None,
        ),
        (
            "· script runs → first render (page's work)",
            |r| &mut r.page_work_ms,
            Unit::Ms,
            None,
        ),
        (
            "fresh install: start → first render",
            |r| &mut r.fresh_ms,
            Unit::Ms,
            Some(1.2),
        ),
        (
            "idle PSS, all processes, 5 s after",
            |r| &mut r.total,
            Unit::Mib,
            Some(1.1),
        ),
        ("· main process", |r| &mut r.main, Unit::Mib, None),
        ("· WebKit web process", |r| &mut r.web, Unit::Mib, None),
        (
            "· WebKit network process",
            |r| &mut r.network,
            Unit::Mib,
            None,
        ),
        (
            "idle anonymous memory, all processes",
            |r| &mut r.anon,
            Unit::Mib,
            None,
        ),
    ];
    for (label, pick, unit, target) in rows {
        let a = Stats::of(pick(empty));
        let b = Stats::of(pick(app));
        println!(
            "| {label} | {} | {} | {} | {} |",
            unit.show(&a),
            unit.show(&b),
            ratio(b.median, a.median),
            verdict(b.median, a.median, target)
        );
    }
    let size = |p: &Program| std::fs::metadata(&p.path).map(|m| m.len()).unwrap_or(0);
    let (a, b) = (size(&programs[0]), size(&programs[1]));
    println!(
        "| release binary | {:.1} MB | {:.1} MB | {} | {} |",
        a as f64 / 1e6,
        b as f64 / 1e6,
        ratio(b, a),
        verdict(b, a, Some(2.0))
    );
}

/// Which figure of the results a row of the table shows.
type Pick = fn(&mut Results) -> &mut Vec<u64>;

struct Stats {
    median: u64,
    min: u64,
    max: u64,
}

impl Stats {
    fn of(values: &mut [u64]) -> Self {
        values.sort_unstable();
        Self {
            median: values.get(values.len() / 2).copied().unwrap_or_default(),
            min: values.first().copied().unwrap_or_default(),
            max: values.last().copied().unwrap_or_default(),
        }
    }
}

enum Unit {
    Ms,
    /// Values in KiB, shown in MiB.
    Mib,
}

impl Unit {
    fn show(&self, s: &Stats) -> String {
        match self {
            Unit::Ms => format!("{} ms ({}–{})", s.median, s.min, s.max),
            Unit::Mib => format!(
                "{:.0} MiB ({:.0}–{:.0})",
                s.median as f64 / 1024.0,
                s.min as f64 / 1024.0,
                s.max as f64 / 1024.0
            ),
        }
    }
}

fn ratio(ours: u64, empty: u64) -> String {
    if empty == 0 {
        return "–".into();
    }
    format!("{:.2}×", ours as f64 / empty as f64)
}

fn verdict(ours: u64, empty: u64, target: Option<f64>) -> String {
    match target {
        None => String::new(),
        Some(t) if empty > 0 && ours as f64 <= t * empty as f64 => format!("≤ {t:.1}× ✓"),
        Some(t) => format!("≤ {t:.1}× ✗"),
    }
}

/// Every process below `root` (WebKit's web and network processes), read before it is stopped.
fn descendants(root: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut pending = children(root);
    while let Some(pid) = pending.pop() {
        pending.extend(children(pid));
        found.push(pid);
    }
    found
}

fn children(pid: u32) -> Vec<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// One field of the process's memory summary, in KiB.
fn rollup_kib(pid: u32, field: &str) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix(field)?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or(0)
}

/// WebKit's processes leave when the program does; the next launch must not share the machine
/// with them. A zombie (PID 1 here may not reap orphans) counts as gone.
fn wait_until_gone(pids: &[u32]) {
    let alive = |pid: &u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rfind(')')
                .and_then(|end| stat[end + 1..].split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X")
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids.iter().any(alive) {
        if Instant::now() > deadline {
            for pid in pids.iter().filter(|pid| alive(pid)) {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(pid.to_string())
                    .status();
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
