-- Cobros automáticos: the shop's política de cobranza (and others a customer may follow), which
-- customers follow another one or none, and the slots the evaluator has decided.
--
-- A policy's rules are JSON, read back through the same validation as the form (a restored or
-- hand-edited file is untrusted). Row 1 is the shop's own policy, off until the owner turns it on.
CREATE TABLE collection_policies (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    rules TEXT NOT NULL
) STRICT;

INSERT INTO collection_policies (id, name, rules)
VALUES (1, 'Política de cobranza', '{"enabled":false,"steps":[]}');

-- A customer absent here follows policy 1. `policy_id` NULL: "sin recordatorios automáticos".
CREATE TABLE customer_collection (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    policy_id   INTEGER REFERENCES collection_policies (id) ON DELETE RESTRICT
) STRICT;

-- One row per (customer, step, anchoring due date[, receivable]): UNIQUE, so two evaluations,
-- two windows or a restart can never decide — and so never queue — the same reminder twice.
-- The step is its offset in days from the due date (-3, +1, +7…; a repeat is a further offset).
-- `receivable_key` is the receivable for a step sent per receivable, 0 for a statement.
CREATE TABLE collection_slots (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    offset_days    INTEGER NOT NULL,
    anchor_due     TEXT NOT NULL,
    receivable_key INTEGER NOT NULL DEFAULT 0,
    -- 'due': waits in Cobros de hoy; 'superseded': a lower step skipped after days off (never
    -- sent late); 'held': beyond a cooldown or a cap, for the owner to review; 'queued': its
    -- message is in the outbox (`outbox_id`), in the same transaction; 'skipped': "Omitir";
    -- 'postponed': "Posponer hasta…" `postponed_until`, when it is due again.
    state          TEXT NOT NULL
        CHECK (state IN ('due', 'superseded', 'held', 'queued', 'skipped', 'postponed')),
    outbox_id      INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
    postponed_until TEXT,
    held_for       TEXT CHECK (held_for IN ('cooldown', 'monthly_cap', 'receivable_cap')),
    -- The user's calendar day the evaluator decided it, and how late that was after the step's
    -- own day (0: due today; more: a catch-up).
    decided_on     TEXT NOT NULL,
    days_late      INTEGER NOT NULL DEFAULT 0 CHECK (days_late >= 0),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (customer_id, offset_days, anchor_due, receivable_key),
    CHECK ((state = 'held') = (held_for IS NOT NULL)),
    CHECK ((state = 'postponed') = (postponed_until IS NOT NULL))
) STRICT;

-- Cobros de hoy pages through what waits, oldest due date first, among every slot ever decided.
CREATE INDEX collection_slots_waiting ON collection_slots (anchor_due, id)
    WHERE state IN ('due', 'held', 'postponed');
