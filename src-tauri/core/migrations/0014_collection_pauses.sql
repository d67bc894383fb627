-- Pausas de cobranza: the owner's word that a customer (or one of their receivables) must not be
-- reminded for a while, and why. Rows are never deleted: an ended pause stays as the history of
-- what was agreed with the customer ("Promesa de pago hasta el 15", kept or broken).
--
-- `until` is the last calendar day of the pause, inclusive. A promise whose day passed without
-- being ended (a payment that settles everything ends it) is a broken promise: reminders resume
-- and the customer is flagged.
CREATE TABLE collection_pauses (
    id            INTEGER PRIMARY KEY,
    -- CASCADE: a customer can only be deleted while they have no receivables; their pauses
    -- (which then name no receivable) go with them.
    customer_id   INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    -- NULL: the whole customer is paused.
    receivable_id INTEGER REFERENCES receivables (id) ON DELETE RESTRICT,
    kind          TEXT NOT NULL
        CHECK (kind IN ('dispute', 'promise', 'payment_plan', 'until', 'do_not_contact')),
    note          TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    until         TEXT CHECK (until IS NULL OR until GLOB
        '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    started_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ended_at      TEXT,
    -- 'owner': "Quitar pausa"; 'settled': a payment left nothing owed.
    end_reason    TEXT CHECK (end_reason IN ('owner', 'settled')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    -- A promise and "Pausa hasta…" say until when; the others may.
    CHECK (kind NOT IN ('promise', 'until') OR until IS NOT NULL)
) STRICT;

-- The send check and every list ask for a customer's pauses that have not been ended.
CREATE INDEX collection_pauses_open ON collection_pauses (customer_id, receivable_id)
    WHERE ended_at IS NULL;
CREATE INDEX collection_pauses_of_customer ON collection_pauses (customer_id, id);
