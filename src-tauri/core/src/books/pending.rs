//! Pagos Pendientes: the pending receivables, filtered, searched, sorted, paged and totalled per
//! currency. Every query here is served by a partial index on pending rows (see migration 0004),
//! which keeps the first page fast at 100,000 receivables (`pending-bench` measures it).

use rusqlite::{Connection, Statement, ToSql};
use serde::{Deserialize, Serialize};
use time::Duration;
use ts_rs::TS;

use super::money::{iso, Money, Outlook};
use super::receivables::{self, Receivable, COLUMNS};
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
    let today = iso(outlook.today);
    let week = iso(outlook.today + Duration::days(7));
    let date_filter = match query.filter {
        PendingFilter::All => "",
        PendingFilter::Overdue => "AND r.due_date < :today",
        PendingFilter::DueSoon => "AND r.due_date BETWEEN :today AND :week",
    };
    let search = search_key(query.search.trim());
    let search_filter = if search.is_empty() {
        ""
    } else {
        "AND (r.customer_key LIKE :pattern ESCAPE '\\' OR r.document_key LIKE :pattern ESCAPE '\\')"
    };
    let pattern = format!("%{}%", escape_like(&search));
    let filter = format!("r.status = 'pending' {date_filter} {search_filter}");
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = match query.sort {
        PendingSort::DueDate => format!("r.due_date {direction}, r.id {direction}"),
        PendingSort::Balance => format!("r.balance {direction}, r.id {direction}"),
        PendingSort::Customer => format!("r.customer_key {direction}, r.id {direction}"),
    };

    let mut totals_statement = conn.prepare_cached(&format!(
        "SELECT r.currency, count(*), sum(r.balance) FROM receivables r
         WHERE {filter} GROUP BY r.currency ORDER BY r.currency"
    ))?;
    let values: [(&str, &dyn ToSql); 5] = [
        (":today", &today),
        (":week", &week),
        (":pattern", &pattern),
        (":limit", &limit),
        (":offset", &query.offset),
    ];
    bind(&mut totals_statement, &values)?;
    let mut total = 0_u32;
    let mut totals = Vec::new();
    let mut rows = totals_statement.raw_query();
    while let Some(row) = rows.next()? {
        let currency: String = row.get(0)?;
        total += row.get::<_, u32>(1)?;
        totals.push(outlook.money(row.get(2)?, &currency));
    }

    let mut page_statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM receivables r JOIN customers c ON c.id = r.customer_id
         WHERE {filter} ORDER BY {order} LIMIT :limit OFFSET :offset"
    ))?;
    bind(&mut page_statement, &values)?;
    let rows = page_statement
        .raw_query()
        .mapped(|row| receivables::read(row, outlook))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PendingPage {
        rows,
        total,
        totals,
    })
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
