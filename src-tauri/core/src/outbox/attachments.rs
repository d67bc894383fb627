//! The files a row sends (`outbox_attachments`): written with the row, read back for each
//! attempt, replaced with the row's message when the send check re-renders it. The outbox never
//! looks inside them.

use rusqlite::{params, Connection, Transaction};

use super::store::OutboxId;
use super::OutboxError;
use crate::mail::Attachment;

/// At most this much in files per message: Postmark takes 10 MB per message, base64 included
/// (which adds a third).
pub const MAX_TOTAL_BYTES: usize = 7 * 1024 * 1024;

/// Refuses files no provider would take, or a name that could break a header.
pub(crate) fn check(attachments: &[Attachment]) -> Result<(), OutboxError> {
    let total: usize = attachments.iter().map(|a| a.content.len()).sum();
    if total > MAX_TOTAL_BYTES {
        return Err(OutboxError::Invalid("the attachments are too large"));
    }
    for attachment in attachments {
        let name = &attachment.file_name;
        if name.trim().is_empty() || name.chars().count() > 255 || name.contains(char::is_control) {
            return Err(OutboxError::Invalid("an attachment's name is unusable"));
        }
        if attachment.content.is_empty() {
            return Err(OutboxError::Invalid("an attachment is empty"));
        }
    }
    Ok(())
}

/// Stores `attachments` as the row's, replacing any it had.
pub(crate) fn replace(
    tx: &Transaction<'_>,
    id: OutboxId,
    attachments: &[Attachment],
) -> Result<(), OutboxError> {
    tx.prepare_cached("DELETE FROM outbox_attachments WHERE outbox_id = ?1")?
        .execute([id.0])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO outbox_attachments (outbox_id, position, file_name, content_type, content)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (position, attachment) in attachments.iter().enumerate() {
        insert.execute(params![
            id.0,
            position as i64,
            attachment.file_name,
            attachment.content_type,
            attachment.content,
        ])?;
    }
    Ok(())
}

/// The row's files, in order.
pub(crate) fn of_row(conn: &Connection, id: OutboxId) -> Result<Vec<Attachment>, OutboxError> {
    let mut statement = conn.prepare_cached(
        "SELECT file_name, content_type, content FROM outbox_attachments
         WHERE outbox_id = ?1 ORDER BY position, id",
    )?;
    let attachments = statement
        .query_map([id.0], |r| {
            Ok(Attachment {
                file_name: r.get(0)?,
                content_type: r.get(1)?,
                content: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(attachments)
}
