//! Pagos Pendientes: the pending receivables, filtered, searched, sorted, paged and totalled per
//! currency. Every query here is served by a partial index on pending rows (see migration 0004),
//! which keeps the first page fast at 100,000 receivables (`pending-bench` measures it). Each
//! row of the page is then read by id, its "No entregable" mark through the marked addresses'
//! primary key (pinned below).

use std::collections::HashSet;

use rusqlite::{Connection, Statement, ToSql};
use serde::{Deserialize, Serialize};
use time::Duration;
use ts_rs::TS;

use super::aging::{self, AgingBucket, AgingLine};
use super::dates::iso;
use super::money::Money;
use super::reading::Reading;
use super::receivables::{self, Receivable};
use super::{search_key, BooksError, Paging, Refusal};
use crate::db::Database;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PendingFilter {
    /// Todas.
    #[default]
    All,
    /// Vencidas: due before today.
    Overdue,
    /// Vencen en 7 días: due today or within the next seven days.
    DueSoon,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PendingSort {
    #[default]
    DueDate,
    Balance,
    Customer,
}

#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PendingQuery {
    pub filter: PendingFilter,
    /// Customer name or document number; accents and case ignored.
    pub search: String,
    pub sort: PendingSort,
    pub descending: bool,
    /// Only the receivables in one bucket of Antigüedad de saldos (with `filter` as well).
    pub aging: Option<AgingBucket>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub page: Paging,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingPage {
    pub rows: Vec<Receivable>,
    /// How many match in all (for paging).
    #[ts(type = "number")]
    pub total: u32,
    /// What the matching receivables still owe, one line per currency.
    pub totals: Vec<Money>,
    /// Antigüedad de saldos of the whole book (not only the matches), per currency.
    pub aging: Vec<AgingLine>,
}

pub fn list(
    db: &Database,
    query: &PendingQuery,
    reading: &Reading,
) -> Result<PendingPage, BooksError> {
    db.read(|conn| list_in(conn, query, reading))
}

fn list_in(
    conn: &Connection,
    query: &PendingQuery,
    reading: &Reading,
) -> Result<PendingPage, BooksError> {
    let limit = query.page.size();
    let (ids, total, totals) = select(conn, query, i64::from(limit), reading)?;
    let rows = ids
        .into_iter()
        .map(|id| receivables::find(conn, id, reading))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PendingPage {
        rows,
        total,
        totals,
        aging: aging::summary_in(conn, reading)?,
    })
}

/// Every pending receivable the query selects, in its order (for the CSV export).
pub(super) fn all_ids(
    conn: &Connection,
    query: &PendingQuery,
    reading: &Reading,
) -> Result<Vec<i64>, BooksError> {
    let everything = PendingQuery {
        page: Paging::default(),
        ..query.clone()
    };
    Ok(select(conn, &everything, -1, reading)?.0)
}

/// The ids of one page (`limit` -1: all of them), the count and the totals per currency.
fn select(
    conn: &Connection,
    query: &PendingQuery,
    limit: i64,
    reading: &Reading,
) -> Result<Page, BooksError> {
    let today = iso(reading.today);
    let week = iso(reading.today + Duration::days(7));
    let due = format!(
        "{} {}",
        match query.filter {
            PendingFilter::All => "",
            PendingFilter::Overdue => "AND due_date < :today",
            PendingFilter::DueSoon => "AND due_date BETWEEN :today AND :week",
        },
        query.aging.map_or("", AgingBucket::condition)
    );
    let (aging_from, aging_to) = query
        .aging
        .map_or((None, None), |bucket| bucket.due_between(reading.today));
    let (aging_from, aging_to) = (aging_from.map(iso), aging_to.map(iso));
    let search = search_key(query.search.trim());
    let like = format!("%{}%", super::escape_like(&search));
    let phrase = format!("\"{}\"", search.replace('"', "\"\""));
    let filter = format!("status = 'pending' {due}");
    // Customers are few (thousands): their keys are scanned, then their receivables read
    // through the customer index. Documents are many: a trigram index finds substrings of three
    // characters or more; a shorter search reads every document number. CROSS JOIN keeps
    // SQLite from starting at the 100,000 receivables instead, and `amount - paid` (rather than
    // the generated `balance`) lets it answer from the customer index alone.
    const COLUMNS: &str = "r.id, r.currency, r.amount - r.paid, r.due_date, r.customer_key";
    let by_customer = format!(
        "SELECT {COLUMNS} FROM (SELECT id AS found FROM customers
                                WHERE search_key LIKE :like ESCAPE '\\') m
         CROSS JOIN receivables r ON r.customer_id = m.found WHERE r.{filter}"
    );
    let matches = match search.chars().count() {
        0 => None,
        1 | 2 => Some([
            by_customer,
            format!(
                "SELECT {COLUMNS} FROM receivables r
                 WHERE r.{filter} AND r.document_key LIKE :like ESCAPE '\\'"
            ),
        ]),
        _ => Some([
            by_customer,
            format!(
                "SELECT {COLUMNS} FROM (SELECT rowid AS found FROM receivable_search
                                        WHERE receivable_search MATCH :phrase) d
                 CROSS JOIN receivables r ON r.id = d.found WHERE r.{filter}"
            ),
        ]),
    };
    let direction = if query.descending { "DESC" } else { "ASC" };
    // Each order is an index's own order (migration 0004), so the first page is read, not sorted.
    let order = match query.sort {
        PendingSort::DueDate => format!("due_date {direction}, id {direction}"),
        PendingSort::Balance => {
            format!("balance {direction}, due_date {direction}, id {direction}")
        }
        PendingSort::Customer => {
            format!("customer_key {direction}, due_date {direction}, id {direction}")
        }
    };
    let values: [(&str, &dyn ToSql); 8] = [
        (":today", &today),
        (":week", &week),
        (":aging_from", &aging_from),
        (":aging_to", &aging_to),
        (":like", &like),
        (":phrase", &phrase),
        (":limit", &limit),
        (":offset", &query.page.offset),
    ];

    match matches {
        None => page_from_indexes(conn, &filter, &due, &order, &values, reading),
        Some(sources) => page_from_matches(conn, &sources, query, limit, &values, reading),
    }
}

type Page = (Vec<i64>, u32, Vec<Money>);

/// Without a search: the counts and totals from the per-day sums, the page from its index.
fn page_from_indexes(
    conn: &Connection,
    filter: &str,
    due: &str,
    order: &str,
    values: &[(&str, &dyn ToSql)],
    reading: &Reading,
) -> Result<Page, BooksError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT currency, sum(receivables), sum(balance) FROM pending_by_day
         WHERE true {due} GROUP BY currency ORDER BY currency"
    ))?;
    bind(&mut statement, values)?;
    let mut total = 0_u32;
    let mut totals = Vec::new();
    let mut rows = statement.raw_query();
    while let Some(row) = rows.next()? {
        let currency: String = row.get(0)?;
        total += row.get::<_, u32>(1)?;
        totals.push(reading.money(row.get(2)?, &currency));
    }
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id FROM receivables WHERE {filter} ORDER BY {order} LIMIT :limit OFFSET :offset"
    ))?;
    bind(&mut statement, values)?;
    let ids = statement
        .raw_query()
        .mapped(|row| row.get::<_, i64>(0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((ids, total, totals))
}

/// With a search: the matches are read once (the search index is the costly part), then
/// counted, totalled, sorted and paged here.
fn page_from_matches(
    conn: &Connection,
    sources: &[String],
    query: &PendingQuery,
    limit: i64,
    values: &[(&str, &dyn ToSql)],
    reading: &Reading,
) -> Result<Page, BooksError> {
    // Thousands of matches are sorted and totalled here: keep each one small and free of
    // allocations where the sort does not need text.
    struct Match {
        id: i64,
        currency: usize,
        balance: i64,
        due_date: u32,
        customer_key: String,
    }
    let by_customer = query.sort == PendingSort::Customer;
    let mut currencies: Vec<String> = Vec::new();
    // A receivable found both by its customer and by its document counts once.
    let mut seen = HashSet::new();
    let mut matches = Vec::new();
    for source in sources {
        let mut statement = conn.prepare_cached(source)?;
        bind(&mut statement, values)?;
        let mut rows = statement.raw_query();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if !seen.insert(id) {
                continue;
            }
            let code = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            let currency = match currencies.iter().position(|known| known == code) {
                Some(index) => index,
                None => {
                    currencies.push(code.to_owned());
                    currencies.len() - 1
                }
            };
            // "2026-03-05" → 20260305: the same order, compared as a number.
            let due_date = row
                .get_ref(3)?
                .as_str()
                .map_err(rusqlite::Error::from)?
                .bytes()
                .filter(u8::is_ascii_digit)
                .fold(0_u32, |n, digit| n * 10 + u32::from(digit - b'0'));
            matches.push(Match {
                id,
                currency,
                balance: row.get(2)?,
                due_date,
                customer_key: if by_customer {
                    row.get(4)?
                } else {
                    String::new()
                },
            });
        }
    }
    let mut sums: Vec<(String, i64)> = currencies.into_iter().map(|code| (code, 0)).collect();
    for found in &matches {
        let sum = &mut sums[found.currency].1;
        *sum = sum
            .checked_add(found.balance)
            .ok_or(BooksError::Refused(Refusal::TotalTooLarge))?;
    }
    sums.sort();
    let totals = sums
        .iter()
        .map(|(code, sum)| reading.money(*sum, code))
        .collect();
    matches.sort_unstable_by(|a, b| {
        let ordering = match query.sort {
            PendingSort::DueDate => a.due_date.cmp(&b.due_date),
            PendingSort::Balance => a.balance.cmp(&b.balance).then(a.due_date.cmp(&b.due_date)),
            PendingSort::Customer => a
                .customer_key
                .cmp(&b.customer_key)
                .then(a.due_date.cmp(&b.due_date)),
        }
        .then(a.id.cmp(&b.id));
        if query.descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    let total = u32::try_from(matches.len()).unwrap_or(u32::MAX);
    let ids = matches
        .iter()
        .skip(query.page.offset as usize)
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|found| found.id)
        .collect();
    Ok((ids, total, totals))
}

/// Binds the named values the statement uses; the filters decide which those are.
fn bind(statement: &mut Statement<'_>, values: &[(&str, &dyn ToSql)]) -> rusqlite::Result<()> {
    for (name, value) in values {
        if let Some(index) = statement.parameter_index(name)? {
            statement.raw_bind_parameter(index, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::db::Database;

    /// The page reads each of its rows by id; a row's "No entregable" mark must be one lookup
    /// on the marked addresses' primary key, never a scan of them per row.
    #[test]
    fn a_rows_undeliverable_mark_is_read_through_the_addresses_primary_key() {
        let dir = tempfile::tempdir().expect("dir");
        let db = Database::open(&dir.path().join("db.sqlite3")).expect("db");
        let plan = db
            .read(|conn| {
                let sql = format!("EXPLAIN QUERY PLAN {}", super::receivables::find_sql());
                let mut statement = conn.prepare(&sql)?;
                let rows = statement.query_map([1], |row| row.get::<_, String>(3))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .expect("plan");
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH u USING INDEX")
                    && step.contains("sqlite_autoindex_undeliverable_addresses")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN")),
            "{plan:?}"
        );
    }
}
