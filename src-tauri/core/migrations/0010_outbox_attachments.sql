-- Files an outbox row sends beside its text and HTML (a statement's PDF), stored with the row
-- when it is queued and replaced only when the send check re-renders it: what leaves is what
-- was previewed, byte for byte.
CREATE TABLE outbox_attachments (
    id           INTEGER PRIMARY KEY,
    outbox_id    INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    file_name    TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type TEXT NOT NULL CHECK (length(content_type) BETWEEN 3 AND 100),
    content      BLOB NOT NULL CHECK (length(content) > 0)
) STRICT;

CREATE INDEX outbox_attachments_of_row ON outbox_attachments (outbox_id, position);
