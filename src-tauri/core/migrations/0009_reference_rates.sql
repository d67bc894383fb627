-- Tasa de referencia: a rate the owner types (e.g. BCV's USD→VES) with the day it is for and who
-- publishes it, so a statement can show what a balance comes to in another currency. `rate_text`
-- is the typed digits with a '.' before the typed decimals ("36.50"): one unit of `base` in
-- `quote`. Every rate typed is kept; the latest one for a day is the one used.
CREATE TABLE reference_rates (
    id         INTEGER PRIMARY KEY,
    base       TEXT NOT NULL CHECK (length(base) = 3),
    quote      TEXT NOT NULL CHECK (length(quote) = 3 AND quote <> base),
    rate_text  TEXT NOT NULL
               CHECK (rate_text GLOB '[0-9]*' AND rate_text NOT GLOB '*[^0-9.]*'
                      AND rate_text NOT GLOB '*.*.*'),
    rate_on    TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 40),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX reference_rates_by_day ON reference_rates (base, rate_on, id);
