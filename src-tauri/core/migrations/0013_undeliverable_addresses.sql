-- Addresses that do not receive mail ("No entregable"): a hard bounce, a spam complaint, or
-- Postmark's 406 (inactive recipient) marks the address — not the customer — with the reason
-- and date. Nothing more is sent to it until the owner edits or re-confirms it. A table of the
-- database, so backups keep it.
CREATE TABLE undeliverable_addresses (
    -- Lower-cased as typed: the same mailbox whatever its capitals.
    address   TEXT PRIMARY KEY CHECK (length(address) BETWEEN 3 AND 254),
    reason    TEXT NOT NULL CHECK (reason IN ('bounced', 'complained', 'inactive')),
    -- The provider's own words, when it gave some.
    detail    TEXT,
    since     TEXT NOT NULL,
    -- The email that taught it (kept if the row is later deleted from the outbox).
    outbox_id INTEGER
) STRICT;
