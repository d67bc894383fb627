//! Pagos Pendientes: the pending receivables, filtered, searched, sorted, paged and totalled per
//! currency. Every query here is served by a partial index on pending rows (see migration 0004),
//! which keeps the first page fast at 100,000 receivables (`pending-bench` measures it).

use rusqlite::{Connection, Statement, ToSql};
use serde::{Deserialize, Serialize};
use time::Duration;
use ts_rs::TS;

use super::money::{iso, Money, Outlook};
use super::receivables::{self, Receivable};
use super::{search_key, BooksError};
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
    #[ts(type = "number")]
    pub offset: u32,
    /// At most 200 per page; 0 means 50.
    #[ts(type = "number")]
    pub limit: u32,
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
}

pub fn list(
    db: &Database,
    query: &PendingQuery,
    outlook: &Outlook,
) -> Result<PendingPage, BooksError> {
    db.read(|conn| list_in(conn, query, outlook))
}

fn list_in(
    conn: &Connection,
    query: &PendingQuery,
    outlook: &Outlook,
) -> Result<PendingPage, BooksError> {
    let limit = match query.limit {
        0 => 50,
        n => n.min(200),
    };
    let (ids, total, totals) = select(conn, query, i64::from(limit), outlook)?;
    let rows = ids
        .into_iter()
        .map(|id| receivables::find(conn, id, outlook))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PendingPage {
        rows,
        total,
        totals,
    })
}

/// Every pending receivable the query selects, in its order (for the CSV export).
pub(super) fn all_ids(
    conn: &Connection,
    query: &PendingQuery,
    outlook: &Outlook,
) -> Result<Vec<i64>, BooksError> {
    let everything = PendingQuery {
        offset: 0,
        ..query.clone()
    };
    Ok(select(conn, &everything, -1, outlook)?.0)
}

/// The ids of one page (`limit` -1: all of them), the count and the totals per currency.
fn select(
    conn: &Connection,
    query: &PendingQuery,
    limit: i64,
    outlook: &Outlook,
) -> Result<Page, BooksError> {
    let today = iso(outlook.today);
    let week = iso(outlook.today + Duration::days(7));
    let due = match query.filter {
        PendingFilter::All => "",
        PendingFilter::Overdue => "AND due_date < :today",
        PendingFilter::DueSoon => "AND due_date BETWEEN :today AND :week",
    };
    let search = search_key(query.search.trim());
    // Trigrams find substrings of three characters or more; a shorter search reads every row.
    let (matching, phrase) = match search.chars().count() {
        0 => ("", String::new()),
        1 | 2 => (
            "AND (customer_key LIKE :phrase ESCAPE '\\' OR document_key LIKE :phrase ESCAPE '\\')",
            format!("%{}%", escape_like(&search)),
        ),
        _ => (
            "AND id IN (SELECT rowid FROM receivable_search WHERE receivable_search MATCH :phrase)",
            format!("\"{}\"", search.replace('"', "\"\"")),
        ),
    };
    let filter = format!("status = 'pending' {due} {matching}");
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
    let values: [(&str, &dyn ToSql); 5] = [
        (":today", &today),
        (":week", &week),
        (":phrase", &phrase),
        (":limit", &limit),
        (":offset", &query.offset),
    ];

    if matching.is_empty() {
        page_from_indexes(conn, &filter, due, &order, &values, outlook)
    } else {
        page_from_matches(conn, &filter, query, limit, &values, outlook)
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
    outlook: &Outlook,
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
        totals.push(outlook.money(row.get(2)?, &currency));
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
    filter: &str,
    query: &PendingQuery,
    limit: i64,
    values: &[(&str, &dyn ToSql)],
    outlook: &Outlook,
) -> Result<Page, BooksError> {
    struct Match {
        id: i64,
        currency: String,
        balance: i64,
        due_date: String,
        customer_key: String,
    }
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, currency, balance, due_date, customer_key FROM receivables WHERE {filter}"
    ))?;
    bind(&mut statement, values)?;
    let mut matches = statement
        .raw_query()
        .mapped(|row| {
            Ok(Match {
                id: row.get(0)?,
                currency: row.get(1)?,
                balance: row.get(2)?,
                due_date: row.get(3)?,
                customer_key: row.get(4)?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sums: Vec<(String, i64)> = Vec::new();
    for found in &matches {
        match sums.iter_mut().find(|(code, _)| *code == found.currency) {
            Some((_, sum)) => *sum += found.balance,
            None => sums.push((found.currency.clone(), found.balance)),
        }
    }
    sums.sort();
    let totals = sums
        .iter()
        .map(|(code, sum)| outlook.money(*sum, code))
        .collect();
    matches.sort_by(|a, b| {
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
        .skip(query.offset as usize)
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

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
