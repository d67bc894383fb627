//! How much memory SQLite may use on the app's connection, sized to the database instead of
//! fixed for the largest book.
//!
//! Reads of a 100,000-receivable book jump around the file (a search touches thousands of
//! rows): mapping the whole file (`mmap_size`) and a page cache of up to 32 MiB keep them off
//! system calls. A shop with a few hundred receivables needs neither: its page cache stays at
//! SQLite's default and its mapping at a few MiB. The settings follow the file as it grows —
//! checked after each write, refitted when it has grown by half — and are fitted again when a
//! restore replaces the data.

use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite::Connection;

const MIB: i64 = 1024 * 1024;
/// SQLite's own default page cache (2 MiB), for a small book.
const MIN_CACHE: i64 = 2 * MIB;
/// Enough to hold the hot pages of the largest book we measure (`.ci/bench-books`).
const MAX_CACHE: i64 = 32 * MIB;
const MIN_MAP: i64 = 4 * MIB;
const MAX_MAP: i64 = 256 * MIB;

/// The settings for a database of `bytes`: a page cache half its size and a mapping twice it
/// (room to grow before the next refit), within bounds.
fn limits(bytes: i64) -> (i64, i64) {
    let cache = (bytes / 2).clamp(MIN_CACHE, MAX_CACHE);
    let map = bytes.saturating_mul(2).clamp(MIN_MAP, MAX_MAP);
    (cache, map)
}

/// The page count the connection's settings were last fitted to.
#[derive(Debug)]
pub(super) struct Fitted {
    pages: AtomicI64,
}

impl Fitted {
    /// Fits `conn` to its database now.
    pub(super) fn fit(conn: &Connection) -> rusqlite::Result<Self> {
        Ok(Self {
            pages: AtomicI64::new(fit(conn)?),
        })
    }

    /// Fits again, whatever the size (the data was replaced).
    pub(super) fn refit(&self, conn: &Connection) -> rusqlite::Result<()> {
        self.pages.store(fit(conn)?, Ordering::Relaxed);
        Ok(())
    }

    /// After a write outside any transaction: refits once the file has grown by half since the
    /// last fit. Reading the page count costs no I/O (it is in the header SQLite holds).
    pub(super) fn follow(&self, conn: &Connection) -> rusqlite::Result<()> {
        let pages = page_count(conn)?;
        if pages > self.pages.load(Ordering::Relaxed).saturating_mul(3) / 2 {
            self.refit(conn)?;
        }
        Ok(())
    }
}

fn page_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "page_count", |row| row.get(0))
}

fn fit(conn: &Connection) -> rusqlite::Result<i64> {
    let pages = page_count(conn)?;
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |row| row.get(0))?;
    let (cache, map) = limits(pages.saturating_mul(page_size));
    // A negative cache_size is in KiB rather than pages.
    conn.pragma_update(None, "cache_size", -(cache / 1024))?;
    conn.pragma_update(None, "mmap_size", map)?;
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_book_gets_sqlites_defaults_and_the_largest_the_caps() {
        assert_eq!(limits(300 * 1024), (MIN_CACHE, MIN_MAP));
        assert_eq!(limits(20 * MIB), (10 * MIB, 40 * MIB));
        // The 100,000-receivable book of the benchmark (72 MiB): all of it mapped, as before.
        assert_eq!(limits(72 * MIB), (MAX_CACHE, 144 * MIB));
        assert_eq!(limits(i64::MAX), (MAX_CACHE, MAX_MAP));
    }
}
