-- After a restore, a line may already have gone out from the data the copy replaced: the lines
-- the copy brings back waiting, and the catch-ups decided for days up to the restore, are held
-- ("Retenido: copia restaurada") until the owner says — never sent by the day's batch. `held_for`
-- gains 'restored'; SQLite changes a CHECK only by rebuilding the table.
CREATE TABLE collection_slots_new (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    offset_days    INTEGER NOT NULL,
    anchor_due     TEXT NOT NULL,
    receivable_key INTEGER NOT NULL DEFAULT 0,
    state          TEXT NOT NULL
        CHECK (state IN ('due', 'superseded', 'held', 'queued', 'skipped', 'postponed')),
    outbox_id      INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
    postponed_until TEXT,
    held_for       TEXT
        CHECK (held_for IN ('cooldown', 'monthly_cap', 'receivable_cap', 'restored')),
    decided_on     TEXT NOT NULL,
    days_late      INTEGER NOT NULL DEFAULT 0 CHECK (days_late >= 0),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    policy_id      INTEGER NOT NULL DEFAULT 1,
    queued_on      TEXT,
    UNIQUE (customer_id, offset_days, anchor_due, receivable_key),
    CHECK ((state = 'held') = (held_for IS NOT NULL)),
    CHECK ((state = 'postponed') = (postponed_until IS NOT NULL))
) STRICT;

INSERT INTO collection_slots_new
    (id, customer_id, offset_days, anchor_due, receivable_key, state, outbox_id,
     postponed_until, held_for, decided_on, days_late, created_at, policy_id, queued_on)
SELECT id, customer_id, offset_days, anchor_due, receivable_key, state, outbox_id,
       postponed_until, held_for, decided_on, days_late, created_at, policy_id, queued_on
FROM collection_slots;

DROP TABLE collection_slots;
ALTER TABLE collection_slots_new RENAME TO collection_slots;

-- As in 0019.
CREATE INDEX collection_slots_waiting
    ON collection_slots (anchor_due, id, customer_id, state, postponed_until, receivable_key,
                         policy_id)
    WHERE state IN ('due', 'held', 'postponed');
