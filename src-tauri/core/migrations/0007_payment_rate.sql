-- A payment's exchange rate exactly as typed and which way round ("1 USD = 36,50 Bs" for a
-- dollar debt paid in bolívares is `paid_per_owed`; for a bolívar debt paid in dollars it is
-- `owed_per_paid`). `rate_text` holds the typed digits with a '.' before the typed decimals
-- ("36.50"), so no rate is cut to a fixed number of decimals. `rate_scaled` (10^6, always
-- `paid_per_owed`) is kept for the payments recorded before, which are carried over here, and
-- is no longer written.
ALTER TABLE payments ADD COLUMN rate_text TEXT
    CHECK (rate_text GLOB '[0-9]*' AND rate_text NOT GLOB '*[^0-9.]*' AND rate_text NOT GLOB '*.*.*');
ALTER TABLE payments ADD COLUMN rate_direction TEXT
    CHECK (rate_direction IN ('paid_per_owed', 'owed_per_paid'));

UPDATE payments SET
    rate_text = rtrim(rtrim((rate_scaled / 1000000) || '.' || substr('00000' || (rate_scaled % 1000000), -6), '0'), '.'),
    rate_direction = 'paid_per_owed'
WHERE rate_scaled IS NOT NULL;
