-- Bulk work through the providers' batch endpoints (Resend POST /emails/batch, Postmark POST
-- /email/batch): a batch's members, its exact request body and its key (the uuid, Resend's
-- Idempotency-Key) are stored before its first attempt, so a retry sends exactly the same batch.
CREATE TABLE outbox_batches (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),
    provider   TEXT NOT NULL CHECK (provider IN ('resend', 'postmark')),
    payload    TEXT NOT NULL,
    members    INTEGER NOT NULL CHECK (members >= 1),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Which batch a row travels in, and where in it; NULL once it leaves the batch (a deliberate
-- resend, a re-rendered message).
-- Bulk work (statements to many customers) may travel in a batch; a single reminder goes alone.
ALTER TABLE outbox ADD COLUMN batchable INTEGER NOT NULL DEFAULT 0 CHECK (batchable IN (0, 1));
ALTER TABLE outbox ADD COLUMN batch_id INTEGER REFERENCES outbox_batches (id);
ALTER TABLE outbox ADD COLUMN batch_position INTEGER;

CREATE INDEX outbox_by_batch ON outbox (batch_id, batch_position) WHERE batch_id IS NOT NULL;
