-- The outbox: every reminder email waiting to go, going, or gone. The rendered message is kept
-- here when queued and never re-rendered, so automatic retries send exactly what was previewed.
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- What the email is about, e.g. 'receivable:42', so a feature can list its own emails.
    reference           TEXT,
    recipient           TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    subject             TEXT NOT NULL,
    text_body           TEXT NOT NULL,
    html_body           TEXT NOT NULL,
    -- Set on the first attempt (it names the sender's domain) and kept for every retry.
    message_id          TEXT,
    state               TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sending', 'sent', 'retrying', 'failed', 'cancelled')),
    -- Why a queued row waits without counting an attempt ('offline', 'not_configured'…).
    reason              TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Part of Resend's Idempotency-Key; bumped only when the user retries a failed row.
    generation          INTEGER NOT NULL DEFAULT 1 CHECK (generation >= 1),
    next_attempt_at     TEXT,
    provider            TEXT,
    provider_message_id TEXT,
    error_code          TEXT,
    error_message       TEXT,
    -- JSON: the provider's own code, and Retry-After when given.
    error_details       TEXT,
    sent_at             TEXT
) STRICT;

-- The worker's "what is due" query and its "when is the next one due" question.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'retrying');
-- A receivable's reminders, newest first.
CREATE INDEX outbox_by_reference ON outbox (reference, id) WHERE reference IS NOT NULL;
