//! Desktop notices for when the owner forgets: after an evaluation, one notification when new
//! lines wait in Cobros de hoy ("Revisar antes de enviar"), or when the day's batch waits at the
//! payments gate ("¿Registró los pagos recientes?") in "Enviar a las HH:MM" or "Automático".
//!
//! Each notice covers the lines decided up to then: the newest announced slot is kept in the
//! settings, so a later evaluation, the 15-minute schedule or a restart never repeats the same
//! notice for the same lines; only a line decided after it brings a new one. Off unless the owner
//! turns it on (Ajustes → Inicio); turning it on announces what already waits, once.

use time::Date;

use crate::collections::batch::Batch;
use crate::collections::policy::SendMode;
use crate::collections::{policy, today, CollectionsError};
use crate::db::Database;
use crate::locale::Language;
use crate::settings::{self, SettingsError};

#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Collections(#[from] CollectionsError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

impl From<rusqlite::Error> for NoticeError {
    fn from(err: rusqlite::Error) -> Self {
        NoticeError::Collections(err.into())
    }
}

/// What a notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// `waiting` lines wait for the owner's review.
    Review { waiting: u32 },
    /// The batch of `waiting` lines waits: no payment was recorded for `days` days.
    PaymentsGate { waiting: u32, days: u32 },
}

/// A notice to show, and the newest line it covers (to remember once shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Announcement {
    pub notice: Notice,
    newest_slot: i64,
}

/// What an evaluation leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Notices are off, or so is the política de cobranza.
    Off,
    /// Nothing the owner was not told already (or nothing waits for them).
    NothingNew,
    Announce(Announcement),
}

/// What the evaluation that just ran on `today`, and its `batch`, should announce.
pub fn after_evaluation(
    db: &Database,
    today: Date,
    batch: &Batch,
) -> Result<Decision, NoticeError> {
    if !settings::notify_waiting(db)? {
        return Ok(Decision::Off);
    }
    let rules = policy(db)?;
    if !rules.enabled {
        return Ok(Decision::Off);
    }
    let gate = match batch {
        Batch::WaitsForPayments { days } => Some(*days),
        // Only in Revisar do lines wait for the owner; the other modes send them on their own.
        _ if rules.mode == SendMode::Review => None,
        _ => return Ok(Decision::NothingNew),
    };
    db.read(|conn| {
        let announced = settings::announced_slot_in(conn)?.unwrap_or(0);
        let newest: Option<i64> = conn.query_row(
            "SELECT max(id) FROM collection_slots WHERE state IN ('due', 'held')",
            [],
            |r| r.get(0),
        )?;
        let Some(newest_slot) = newest.filter(|newest| *newest > announced) else {
            return Ok::<_, NoticeError>(Decision::NothingNew);
        };
        let waiting = today::count(conn, today)?;
        if waiting == 0 {
            return Ok(Decision::NothingNew);
        }
        let notice = match gate {
            Some(days) => Notice::PaymentsGate { waiting, days },
            None => Notice::Review { waiting },
        };
        Ok(Decision::Announce(Announcement {
            notice,
            newest_slot,
        }))
    })
}

/// Remembers that `announcement` was shown: its lines are never announced again.
pub fn shown(db: &Database, announcement: &Announcement) -> Result<(), NoticeError> {
    Ok(settings::set_announced_slot(db, announcement.newest_slot)?)
}

/// The notification's title and body in `language`.
pub fn words(notice: Notice, language: Language) -> (String, String) {
    let title = match language {
        Language::Es => "Cobros de hoy",
        Language::En => "Today's collections",
    };
    let body = match (notice, language) {
        (Notice::Review { waiting: 1 }, Language::Es) => {
            "1 recordatorio espera su revisión en Cachicamo.".to_owned()
        }
        (Notice::Review { waiting }, Language::Es) => {
            format!("{waiting} recordatorios esperan su revisión en Cachicamo.")
        }
        (Notice::Review { waiting: 1 }, Language::En) => {
            "1 reminder is waiting for your review in Cachicamo.".to_owned()
        }
        (Notice::Review { waiting }, Language::En) => {
            format!("{waiting} reminders are waiting for your review in Cachicamo.")
        }
        (Notice::PaymentsGate { waiting, days }, Language::Es) => format!(
            "{} sin enviar: no hay pagos registrados en {days} días. ¿Registró los pagos recientes? Ábralo en Cachicamo.",
            if waiting == 1 { "1 recordatorio quedó".to_owned() } else { format!("{waiting} recordatorios quedaron") }
        ),
        (Notice::PaymentsGate { waiting, days }, Language::En) => format!(
            "{} not sent: no payment recorded in {days} days. Have you recorded recent payments? Open Cachicamo to confirm.",
            if waiting == 1 { "1 reminder was".to_owned() } else { format!("{waiting} reminders were") }
        ),
    };
    (title.to_owned(), body)
}
