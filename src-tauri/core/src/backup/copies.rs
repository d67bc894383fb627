//! The automatic copies in the data directory's `backups/`: how they are named, the copy made
//! once a day, listing them, and keeping only the newest of each kind. Every copy is written
//! under a hidden name and renamed into place, so one cut short never looks like a good one.

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use ts_rs::TS;

use super::{BackupError, Backups};
use crate::db::{Database, Pages};
use crate::files;

/// How many daily copies are kept; older ones are deleted when a new one is made.
pub const DAILY_KEPT: usize = 7;

/// How many copies taken just before a restore are kept (the way back from a wrong restore).
pub const BEFORE_RESTORE_KEPT: usize = 7;

pub(super) const DAILY_PREFIX: &str = "cachicamo-";
pub(super) const BEFORE_RESTORE_PREFIX: &str = "cachicamo-before-restore-";
pub(super) const EXTENSION: &str = ".sqlite3";

/// Why an automatic copy was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// The once-a-day copy made at start-up.
    Daily,
    /// What the data was just before a restore replaced it.
    BeforeRestore,
}

/// A copy in the data directory's `backups/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticCopy {
    /// The file name; also what a restore of this copy asks for.
    pub name: String,
    pub kind: CopyKind,
    /// When the copy was written (UTC, RFC 3339).
    pub created_at: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

impl Backups {
    /// Makes today's copy unless there is one, then keeps only the newest [`DAILY_KEPT`].
    /// Returns the new copy's path, or `None` when today's already existed.
    pub fn make_daily(&self, db: &Database, today: Date) -> Result<Option<PathBuf>, BackupError> {
        files::private_dir(&self.dir).map_err(BackupError::io(&self.dir))?;
        let target = self.dir.join(daily_name(today));
        if target.exists() {
            return Ok(None);
        }
        copy_atomically(db, &target, &mut |_| {})?;
        self.prune(CopyKind::Daily, DAILY_KEPT)?;
        Ok(Some(target))
    }

    /// The automatic copies, newest first.
    pub fn list(&self) -> Result<Vec<AutomaticCopy>, BackupError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(BackupError::io(&self.dir)(err)),
        };
        let mut copies = Vec::new();
        for entry in entries {
            let entry = entry.map_err(BackupError::io(&self.dir))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let Some(kind) = kind_of(&name) else {
                continue;
            };
            let meta = entry.metadata().map_err(BackupError::io(&entry.path()))?;
            if !meta.is_file() {
                continue;
            }
            let created_at = meta
                .modified()
                .ok()
                .and_then(|at| OffsetDateTime::from(at).format(&Rfc3339).ok())
                .unwrap_or_default();
            copies.push(AutomaticCopy {
                name,
                kind,
                created_at,
                size_bytes: meta.len(),
            });
        }
        // Names carry the date (and time), so by kind then name is chronological; newest first
        // by time across kinds.
        copies.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.name.cmp(&a.name))
        });
        Ok(copies)
    }

    pub(super) fn prune(&self, kind: CopyKind, keep: usize) -> Result<(), BackupError> {
        let mut names: Vec<String> = self
            .list()?
            .into_iter()
            .filter(|copy| copy.kind == kind)
            .map(|copy| copy.name)
            .collect();
        // Date-stamped names sort chronologically: drop the oldest.
        names.sort_unstable_by(|a, b| b.cmp(a));
        for old in names.into_iter().skip(keep) {
            let path = self.dir.join(&old);
            std::fs::remove_file(&path).map_err(BackupError::io(&path))?;
        }
        Ok(())
    }
}

fn daily_name(day: Date) -> String {
    let format = format_description!("[year]-[month]-[day]");
    let day = day.format(&format).unwrap_or_default();
    format!("{DAILY_PREFIX}{day}{EXTENSION}")
}

pub(super) fn stamp(now: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day]-[hour][minute][second]");
    now.format(&format).unwrap_or_default()
}

/// Which automatic copy a file name is, if any (other files in `backups/` are left alone).
fn kind_of(name: &str) -> Option<CopyKind> {
    let stem = name.strip_suffix(EXTENSION)?;
    let digits_and_dashes =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '-');
    if let Some(rest) = stem.strip_prefix(BEFORE_RESTORE_PREFIX) {
        return digits_and_dashes(rest).then_some(CopyKind::BeforeRestore);
    }
    let rest = stem.strip_prefix(DAILY_PREFIX)?;
    (rest.len() == "2026-01-31".len()
        && Date::parse(rest, format_description!("[year]-[month]-[day]")).is_ok())
    .then_some(CopyKind::Daily)
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `<dir>/<stem>.sqlite3`, or `<stem>-2.sqlite3`… when that exists.
pub(super) fn unused_path(dir: &Path, stem: &str) -> PathBuf {
    let mut path = dir.join(format!("{stem}{EXTENSION}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}{EXTENSION}"));
        n += 1;
    }
    path
}

/// Writes the copy under a hidden temporary name and renames it into place, so a copy cut short
/// (a crash, a full disk) never looks like a good one.
pub(super) fn copy_atomically(
    db: &Database,
    target: &Path,
    progress: &mut dyn FnMut(Pages),
) -> Result<(), BackupError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let partial = dir.join(format!(".{}.partial", file_name(target)));
    let _ = std::fs::remove_file(&partial);
    if let Err(err) = db.copy_to(&partial, progress) {
        let _ = std::fs::remove_file(&partial);
        return Err(err.into());
    }
    std::fs::rename(&partial, target).map_err(BackupError::io(target))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::backup::test_support::*;

    #[test]
    fn one_daily_copy_per_day_and_only_the_newest_seven_are_kept() {
        let f = fixture();
        let first = f
            .backups
            .make_daily(&f.db, date!(2026 - 11 - 01))
            .expect("copy");
        assert!(first.is_some());
        add_customer(&f.db, "Later the same day");
        assert_eq!(
            f.backups
                .make_daily(&f.db, date!(2026 - 11 - 01))
                .expect("again"),
            None,
            "a second start-up the same day makes no second copy"
        );
        for day in 2..=9 {
            let today = Date::from_calendar_date(2026, time::Month::November, day).expect("day");
            f.backups.make_daily(&f.db, today).expect("copy");
        }
        let expected: Vec<String> = (3..=9)
            .map(|day| format!("cachicamo-2026-11-0{day}.sqlite3"))
            .collect();
        assert_eq!(names(&f.backups), expected);
        let leftovers: Vec<_> = std::fs::read_dir(f.backups.dir())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "no partial files left: {leftovers:?}");
    }
}
