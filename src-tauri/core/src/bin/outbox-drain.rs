//! Drains the outbox of a Cachicamo database with the same worker the app starts, then exits.
//! The crash test kills it with SIGKILL mid-drain and starts it again; it is not shipped.
//!
//! Usage: `outbox-drain <database file> <keychain service>`. The keychain entries are those of
//! the database's directory, as for the app. The environment may change only what it may change
//! for the app: provider URLs, timeouts and intervals.

use std::sync::Arc;
use std::time::Duration;

use cachicamo_core::mail::service::EmailService;
use cachicamo_core::mail::Timeouts;
use cachicamo_core::outbox::{self, OutboxSettings};
use cachicamo_core::reminders::ReminderGate;
use cachicamo_core::secrets::Keychain;
use cachicamo_core::Database;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let (Some(db_path), Some(service)) = (args.next(), args.next()) else {
        return Err("usage: outbox-drain <database file> <keychain service>".into());
    };
    let service = service
        .to_str()
        .ok_or("the keychain service must be UTF-8")?;
    let db_path = std::path::Path::new(&db_path);
    let data_dir = db_path
        .parent()
        .ok_or("the database file has no directory")?;
    let keychain = Keychain::for_data_dir(service, data_dir)?;
    let db = Arc::new(Database::open(db_path)?);
    let mail = EmailService::new(db.clone(), keychain, Timeouts::from_env());
    // The app's own send check, as the app starts it.
    let handle = outbox::start(
        db.clone(),
        mail,
        Arc::new(ReminderGate),
        OutboxSettings::from_env(),
    )?;
    loop {
        let pending: i64 = db.read(|c| {
            c.query_row(
                "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending', 'retrying')",
                [],
                |r| r.get(0),
            )
        })?;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stop().await?;
    let stdout = std::io::stdout();
    std::io::Write::write_all(&mut stdout.lock(), b"DRAINED\n")?;
    Ok(())
}
