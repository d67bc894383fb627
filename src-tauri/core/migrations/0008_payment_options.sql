-- Formas de pago: structured payment instructions (Pago Móvil, transferencia, Zelle, efectivo,
-- SPEI, otro), each tied to the currencies it accepts (`currencies` a JSON array of ISO codes;
-- NULL: every currency). `details` is the whole method as the app writes it (JSON, with its
-- `kind`), checked again when read.
CREATE TABLE payment_options (
    id         INTEGER PRIMARY KEY,
    position   INTEGER NOT NULL,
    kind       TEXT NOT NULL
               CHECK (kind IN ('pago_movil', 'transfer', 'zelle', 'cash', 'spei', 'other')),
    details    TEXT NOT NULL CHECK (json_valid(details)),
    currencies TEXT CHECK (currencies IS NULL OR json_valid(currencies))
) STRICT;

-- The free-text payment instructions reminders quoted until now become one "otro" entry for
-- every currency, so no owner's reminder loses them.
INSERT INTO payment_options (position, kind, details, currencies)
SELECT 0, 'other', json_object('kind', 'other', 'text', trim(json_extract(value, '$.paymentInstructions'))), NULL
FROM settings
WHERE key = 'business.profile' AND json_valid(value)
  AND json_type(value, '$.paymentInstructions') = 'text'
  AND length(trim(json_extract(value, '$.paymentInstructions'))) > 0;
