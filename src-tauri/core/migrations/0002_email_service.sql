-- The one email service the owner configures in Integraciones. Secrets are NOT here: the API key
-- or SMTP password lives in the OS keychain.
CREATE TABLE email_service (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    provider        TEXT NOT NULL CHECK (provider IN ('resend', 'postmark', 'smtp')),
    sender_address  TEXT NOT NULL,
    sender_name     TEXT,
    reply_to        TEXT,
    message_stream  TEXT,
    smtp_host       TEXT,
    smtp_port       INTEGER CHECK (smtp_port BETWEEN 1 AND 65535),
    smtp_security   TEXT CHECK (smtp_security IN ('starttls', 'tls', 'none')),
    smtp_username   TEXT,
    -- 'verified' once the provider accepted the settings; 'unverified' when saved while the
    -- provider could not be reached (offline, timeout, provider down).
    status          TEXT NOT NULL CHECK (status IN ('verified', 'unverified')),
    status_reason   TEXT,
    verified_at     TEXT,
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (provider <> 'smtp' OR (smtp_host IS NOT NULL AND smtp_port IS NOT NULL
                                  AND smtp_security IS NOT NULL AND smtp_username IS NOT NULL))
) STRICT;
