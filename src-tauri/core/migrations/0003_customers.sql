-- Clientes: who owes the business money. A customer with receivables is archived, never deleted
-- (enforced by the receivables' foreign key once they exist).
CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email          TEXT,
    phone          TEXT,
    tax_id         TEXT,
    address        TEXT,
    notes          TEXT,
    email_language TEXT NOT NULL CHECK (email_language IN ('es', 'en')),
    -- Lower-case, accent-free name, email and tax id, so "pena" finds "Peña".
    search_key     TEXT NOT NULL,
    archived_at    TEXT,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX customers_by_name ON customers (name COLLATE NOCASE, id);
