//! How pauses show on the lists: a chip per pause in force or broken promise, read either from
//! the pauses column every receivable row carries or, for Clientes, per customer; their words
//! in a file; and where a pause stands on a given day, the one rule every reader applies.

use serde::Serialize;
use time::Date;
use ts_rs::TS;

use super::{PauseKind, PauseState};
use crate::books::dates::{from_iso, DateShown};
use crate::books::reading::Reading;
use crate::books::BooksError;
use crate::db::Database;
use crate::locale::Language;
use crate::wire;

/// What a list shows of a pause: a chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PauseChip {
    #[ts(type = "number")]
    pub customer_id: i64,
    pub kind: PauseKind,
    pub until: Option<DateShown>,
    /// Active, or a broken promise (the flag).
    pub state: PauseState,
    /// On one receivable rather than the whole customer.
    pub on_receivable: bool,
}

/// The chips in words, for a file ("Promesa de pago hasta 05/12/2026 · Disputa"); empty when
/// none.
pub fn describe(chips: &[PauseChip], language: Language) -> String {
    let words = |chip: &PauseChip| {
        let (name, until) = match (language, chip.state, chip.kind) {
            (Language::Es, PauseState::Broken, _) => ("Promesa incumplida", "del"),
            (Language::En, PauseState::Broken, _) => ("Broken promise", "of"),
            (Language::Es, _, PauseKind::Dispute) => ("Disputa", "hasta"),
            (Language::Es, _, PauseKind::Promise) => ("Promesa de pago", "hasta"),
            (Language::Es, _, PauseKind::PaymentPlan) => ("Acuerdo de pago", "hasta"),
            (Language::Es, _, PauseKind::Until) => ("Pausa", "hasta"),
            (Language::Es, _, PauseKind::DoNotContact) => ("No contactar", "hasta"),
            (Language::En, _, PauseKind::Dispute) => ("Dispute", "until"),
            (Language::En, _, PauseKind::Promise) => ("Promise to pay", "until"),
            (Language::En, _, PauseKind::PaymentPlan) => ("Payment plan", "until"),
            (Language::En, _, PauseKind::Until) => ("Paused", "until"),
            (Language::En, _, PauseKind::DoNotContact) => ("Do not contact", "until"),
        };
        match &chip.until {
            Some(day) => format!("{name} {until} {}", day.text),
            None => name.to_owned(),
        }
    };
    chips.iter().map(words).collect::<Vec<_>>().join(" · ")
}

/// Where a pause stands on `today`, from its stored facts.
pub(crate) fn state_on(
    kind: PauseKind,
    until: Option<Date>,
    ended: bool,
    today: Date,
) -> PauseState {
    match until {
        _ if ended => PauseState::Ended,
        Some(last) if last < today && kind == PauseKind::Promise => PauseState::Broken,
        Some(last) if last < today => PauseState::Expired,
        _ => PauseState::Active,
    }
}

/// A pause as a chip when it matters to a list (in force, or a broken promise).
fn chip(
    customer_id: i64,
    receivable_id: Option<i64>,
    raw: &RawPause,
    reading: &Reading,
) -> Option<PauseChip> {
    let state = state_on(raw.kind, raw.until, false, reading.today);
    matches!(state, PauseState::Active | PauseState::Broken).then(|| PauseChip {
        customer_id,
        kind: raw.kind,
        until: raw.until.map(|day| reading.date(day)),
        state,
        on_receivable: receivable_id.is_some(),
    })
}

struct RawPause {
    kind: PauseKind,
    until: Option<Date>,
}

/// The chips in the pauses column of `receivables::COLUMNS` (`kind/until/receivable id`,
/// comma-joined), on the reading's day.
pub(in crate::books) fn chips_of(
    stored: Option<&str>,
    customer_id: i64,
    column: usize,
    reading: &Reading,
) -> rusqlite::Result<Vec<PauseChip>> {
    let mut chips = Vec::new();
    for item in stored
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
    {
        let mut parts = item.split('/');
        let kind: PauseKind = wire::stored(parts.next().unwrap_or_default(), column)?;
        let until = match parts.next().unwrap_or_default() {
            "" => None,
            day => Some(from_iso(day)?),
        };
        let receivable_id = parts.next().and_then(|id| id.parse::<i64>().ok());
        chips.extend(chip(
            customer_id,
            receivable_id,
            &RawPause { kind, until },
            reading,
        ));
    }
    Ok(chips)
}

/// The chips of each customer in `customer_ids` (Clientes' page): their own pauses in force
/// and their broken promises, receivables' included.
pub fn chips(
    db: &Database,
    customer_ids: &[i64],
    reading: &Reading,
) -> Result<Vec<PauseChip>, BooksError> {
    db.read(|conn| {
        let mut statement = conn.prepare_cached(
            "SELECT kind, until, receivable_id FROM collection_pauses
             WHERE customer_id = ?1 AND ended_at IS NULL ORDER BY id",
        )?;
        let mut chips = Vec::new();
        for &customer_id in customer_ids.iter().take(200) {
            let rows = statement.query_map([customer_id], |row| {
                let kind: PauseKind = wire::column(row, 0)?;
                let until = row
                    .get::<_, Option<String>>(1)?
                    .map(|day| from_iso(&day))
                    .transpose()?;
                Ok((RawPause { kind, until }, row.get::<_, Option<i64>>(2)?))
            })?;
            for row in rows {
                let (raw, receivable_id) = row?;
                let shown = chip(customer_id, receivable_id, &raw, reading);
                // A receivable's own pause is its row's business; a broken promise flags the customer.
                chips.extend(shown.filter(|c| !c.on_receivable || c.state == PauseState::Broken));
            }
        }
        Ok(chips)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_promise_is_silent_through_its_day_and_broken_the_day_after() {
        let day = Some(date!(2026 - 11 - 15));
        assert_eq!(
            state_on(PauseKind::Promise, day, false, date!(2026 - 11 - 15)),
            PauseState::Active
        );
        assert_eq!(
            state_on(PauseKind::Promise, day, false, date!(2026 - 11 - 16)),
            PauseState::Broken
        );
        assert_eq!(
            state_on(PauseKind::Until, day, false, date!(2026 - 11 - 16)),
            PauseState::Expired
        );
        assert_eq!(
            state_on(PauseKind::Promise, day, true, date!(2026 - 11 - 16)),
            PauseState::Ended
        );
        assert_eq!(
            state_on(PauseKind::DoNotContact, None, false, date!(2030 - 1 - 1)),
            PauseState::Active
        );
    }
}
