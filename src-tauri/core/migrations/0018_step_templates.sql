-- The words of each step of a política de cobranza ("último aviso" must not read like an "aviso
-- amable"), per language and per what the step sends: 'statement' (subject, intro, closing) or
-- 'receivable' (subject, body), kept as JSON and read back through that unit's own template
-- validation (a restored or hand-edited file is untrusted). A step is its policy and its offset
-- in days, as in a slot. No row: the unit's default template for that language.
CREATE TABLE step_templates (
    policy_id   INTEGER NOT NULL REFERENCES collection_policies (id) ON DELETE CASCADE,
    offset_days INTEGER NOT NULL,
    unit        TEXT NOT NULL CHECK (unit IN ('statement', 'receivable')),
    language    TEXT NOT NULL CHECK (language IN ('es', 'en')),
    template    TEXT NOT NULL,
    PRIMARY KEY (policy_id, offset_days, unit, language)
) STRICT;
