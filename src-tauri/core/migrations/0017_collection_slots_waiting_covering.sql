-- Cobros de hoy counts every waiting line for its badge and reads its page from this index; with
-- the customer, the state, the postponement and the receivable (of a per-receivable step) in it,
-- the count never visits the table (the 10,000-customer benchmark's badge count read 9,999 rows
-- for those few columns).
DROP INDEX collection_slots_waiting;
CREATE INDEX collection_slots_waiting
    ON collection_slots (anchor_due, id, customer_id, state, postponed_until, receivable_key)
    WHERE state IN ('due', 'held', 'postponed');
