-- Which policy decided a slot. A line counts only while its customer follows that policy: one
-- moved to another policy — directly, or by way of "sin recordatorios automáticos" and back —
-- is never sent a line the old policy decided (a "segundo aviso" at +7 to a customer now on a
-- +30-only policy), while one who comes back to the same policy finds their lines as they were
-- (a "Posponer hasta…" kept). Slots decided before named policies existed were the shop's.
ALTER TABLE collection_slots ADD COLUMN policy_id INTEGER NOT NULL DEFAULT 1;

-- Cobros de hoy's count and page read the policy from the index too (see 0017).
DROP INDEX collection_slots_waiting;
CREATE INDEX collection_slots_waiting
    ON collection_slots (anchor_due, id, customer_id, state, postponed_until, receivable_key,
                         policy_id)
    WHERE state IN ('due', 'held', 'postponed');
