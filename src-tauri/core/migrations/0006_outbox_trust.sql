-- The outbox keeps its promises: every row gets a random UUID (keys and Message-IDs derive from it,
-- so two databases, a reinstall or a restored copy never reuse one), the facts its message states
-- (checked against the books when it leaves), and two more states: `uncertain` (the provider may
-- have it; only the owner decides to send again) and `held` (waiting for the owner, e.g. after a
-- restore). SQLite cannot change a CHECK in place, so the table is rebuilt.
CREATE TABLE outbox_trusted (
    id                  INTEGER PRIMARY KEY,
    uuid                TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- What the email is about, e.g. 'receivable:42', so a feature can list and check its own.
    reference           TEXT,
    -- JSON written by the feature that queued the row: what the message states (balance,
    -- recipient…), compared with the books at claim time. The outbox never reads it.
    facts               TEXT CHECK (facts IS NULL OR json_valid(facts)),
    recipient           TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    subject             TEXT NOT NULL,
    text_body           TEXT NOT NULL,
    html_body           TEXT NOT NULL,
    -- Derived from uuid and generation at claim time, naming the sender's domain.
    message_id          TEXT,
    state               TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('queued', 'sending', 'sent', 'retrying', 'failed',
                                         'cancelled', 'uncertain', 'held')),
    -- Why a row waits (queued), was cancelled, is held, or who confirmed it (sent).
    reason              TEXT,
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Part of Resend's Idempotency-Key and of the Message-ID; a new one for every deliberate
    -- resend or re-rendered message.
    generation          INTEGER NOT NULL DEFAULT 1 CHECK (generation >= 1),
    -- The first attempt of this generation, and the first one that ended after the message may
    -- have been handed over: Resend keeps a key 24 h, so a retry later than that is not covered.
    first_attempt_at    TEXT,
    maybe_delivered_at  TEXT,
    next_attempt_at     TEXT,
    provider            TEXT,
    provider_message_id TEXT,
    error_code          TEXT,
    error_message       TEXT,
    -- JSON: the provider's own code, and Retry-After when given.
    error_details       TEXT,
    sent_at             TEXT
) STRICT;

INSERT INTO outbox_trusted (id, uuid, created_at, updated_at, reference, recipient, subject,
                            text_body, html_body, message_id, state, reason, attempts, generation,
                            next_attempt_at, provider, provider_message_id, error_code,
                            error_message, error_details, sent_at)
SELECT id,
       -- A version 4 UUID from SQLite's randomness, one per row.
       lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
       substr(lower(hex(randomblob(2))), 2) || '-' ||
       substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' ||
       lower(hex(randomblob(6))),
       created_at, updated_at, reference, recipient, subject, text_body, html_body, message_id,
       state, reason, attempts, generation, next_attempt_at, provider, provider_message_id,
       error_code, error_message, error_details, sent_at
FROM outbox;

DROP TABLE outbox;
ALTER TABLE outbox_trusted RENAME TO outbox;

-- The worker's "what is due" query and its "when is the next one due" question.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'retrying');
-- A record's emails, newest first; also the rows a change to the books must re-check.
CREATE INDEX outbox_by_reference ON outbox (reference, id) WHERE reference IS NOT NULL;
-- Bandeja de salida's "Por revisar" and "Resultado incierto" lists.
CREATE INDEX outbox_needs_owner ON outbox (state, id) WHERE state IN ('held', 'uncertain');
