-- Cuentas por cobrar, their payments (abonos) and their history.
--
-- Money is integer minor units plus an ISO 4217 code. `paid` is the sum of the receivable's
-- applied, non-reversed payments, kept in the same transaction as each payment so that Pagos
-- Pendientes can sort and total balances over 100,000 rows through indexes.
CREATE TABLE receivables (
    id              INTEGER PRIMARY KEY,
    -- RESTRICT: a customer with receivables is archived, never deleted.
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    document_number TEXT,
    concept         TEXT NOT NULL CHECK (length(concept) BETWEEN 1 AND 500),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    paid            INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= amount),
    balance         INTEGER GENERATED ALWAYS AS (amount - paid) STORED,
    issue_date      TEXT NOT NULL,
    due_date        TEXT NOT NULL CHECK (due_date >= issue_date),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'void')),
    void_reason     TEXT,
    -- The customer's accent-free, lower-case name and the document number, for search and sort
    -- without a join (updated when the customer is renamed).
    customer_key    TEXT NOT NULL,
    document_key    TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE UNIQUE INDEX receivables_document ON receivables (document_number)
    WHERE document_number IS NOT NULL;
-- A customer's receivables; covering for Pagos Pendientes' search by customer, which reads
-- thousands of them and must not visit each row.
CREATE INDEX receivables_of_customer
    ON receivables (customer_id, status, due_date, currency, amount, paid, customer_key);
-- Pagos Pendientes pages through these, one per sort; the due date in each lets the Vencidas and
-- Vencen en 7 días filters be answered from the index alone.
CREATE INDEX pending_by_due ON receivables (due_date, id) WHERE status = 'pending';
CREATE INDEX pending_by_balance ON receivables (balance, due_date, id) WHERE status = 'pending';
CREATE INDEX pending_by_customer ON receivables (customer_key, due_date, id)
    WHERE status = 'pending';

-- What is owed per currency and due date, kept by triggers in the same transaction as every
-- change: the totals and counts of Pagos Pendientes read a few hundred rows of this instead of
-- summing 100,000 receivables.
CREATE TABLE pending_by_day (
    currency    TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    receivables INTEGER NOT NULL,
    balance     INTEGER NOT NULL,
    PRIMARY KEY (currency, due_date)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER pending_by_day_insert AFTER INSERT ON receivables WHEN NEW.status = 'pending'
BEGIN
    INSERT INTO pending_by_day (currency, due_date, receivables, balance)
    VALUES (NEW.currency, NEW.due_date, 1, NEW.amount - NEW.paid)
    ON CONFLICT (currency, due_date) DO UPDATE SET
        receivables = receivables + 1, balance = balance + excluded.balance;
END;

CREATE TRIGGER pending_by_day_leave AFTER UPDATE ON receivables WHEN OLD.status = 'pending'
BEGIN
    UPDATE pending_by_day SET receivables = receivables - 1, balance = balance - (OLD.amount - OLD.paid)
    WHERE currency = OLD.currency AND due_date = OLD.due_date;
    DELETE FROM pending_by_day
    WHERE currency = OLD.currency AND due_date = OLD.due_date AND receivables = 0;
END;

CREATE TRIGGER pending_by_day_enter AFTER UPDATE ON receivables WHEN NEW.status = 'pending'
BEGIN
    INSERT INTO pending_by_day (currency, due_date, receivables, balance)
    VALUES (NEW.currency, NEW.due_date, 1, NEW.amount - NEW.paid)
    ON CONFLICT (currency, due_date) DO UPDATE SET
        receivables = receivables + 1, balance = balance + excluded.balance;
END;

CREATE TRIGGER pending_by_day_delete AFTER DELETE ON receivables WHEN OLD.status = 'pending'
BEGIN
    UPDATE pending_by_day SET receivables = receivables - 1, balance = balance - (OLD.amount - OLD.paid)
    WHERE currency = OLD.currency AND due_date = OLD.due_date;
    DELETE FROM pending_by_day
    WHERE currency = OLD.currency AND due_date = OLD.due_date AND receivables = 0;
END;

-- Substring search by document number ("0123" finds F-012345) without reading every row: a
-- trigram index over the accent-free document keys, kept in step by triggers. (Customers are
-- found through their own table, which is small.)
CREATE VIRTUAL TABLE receivable_search USING fts5 (
    document_key, content = 'receivables', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER receivable_search_insert AFTER INSERT ON receivables BEGIN
    INSERT INTO receivable_search (rowid, document_key) VALUES (NEW.id, NEW.document_key);
END;

CREATE TRIGGER receivable_search_update AFTER UPDATE OF document_key ON receivables BEGIN
    INSERT INTO receivable_search (receivable_search, rowid, document_key)
    VALUES ('delete', OLD.id, OLD.document_key);
    INSERT INTO receivable_search (rowid, document_key) VALUES (NEW.id, NEW.document_key);
END;

CREATE TRIGGER receivable_search_delete AFTER DELETE ON receivables BEGIN
    INSERT INTO receivable_search (receivable_search, rowid, document_key)
    VALUES ('delete', OLD.id, OLD.document_key);
END;

CREATE TABLE payments (
    id              INTEGER PRIMARY KEY,
    receivable_id   INTEGER NOT NULL REFERENCES receivables (id) ON DELETE RESTRICT,
    paid_on         TEXT NOT NULL,
    method          TEXT NOT NULL
        CHECK (method IN ('cash', 'transfer', 'mobile_payment', 'card', 'other')),
    reference       TEXT,
    note            TEXT,
    -- What the customer handed over, in the currency they paid in…
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    -- …the rate typed (units of `currency` per unit of the receivable's, scaled by 10^6; NULL
    -- when paid in the receivable's currency)…
    rate_scaled     INTEGER CHECK (rate_scaled > 0),
    -- …and what it settles, in the receivable's currency.
    applied         INTEGER NOT NULL CHECK (applied > 0),
    reversed_at     TEXT,
    reversal_reason TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX payments_of_receivable ON payments (receivable_id, id);

-- What happened to a receivable and when; `details` is a JSON object of the facts.
CREATE TABLE receivable_events (
    id            INTEGER PRIMARY KEY,
    receivable_id INTEGER NOT NULL REFERENCES receivables (id) ON DELETE RESTRICT,
    at            TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    kind          TEXT NOT NULL,
    details       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
) STRICT;

CREATE INDEX events_of_receivable ON receivable_events (receivable_id, id);
