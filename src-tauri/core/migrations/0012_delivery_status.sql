-- What happened to a sent email after the provider accepted it, learnt by asking the provider
-- (Resend's last_event, Postmark's MessageEvents and bounces): a desktop app receives no
-- webhooks. SMTP rows never get a next poll: no delivery report exists there.
ALTER TABLE outbox ADD COLUMN delivery TEXT
    CHECK (delivery IN ('delivered', 'delayed', 'bounced', 'complained'));
-- The provider's own words for a bounce, when it gives them (Postmark does; Resend does not).
ALTER TABLE outbox ADD COLUMN delivery_reason TEXT;
-- When `delivery` was learnt.
ALTER TABLE outbox ADD COLUMN delivery_at TEXT;
-- Answers received so far: the poll schedule's step.
ALTER TABLE outbox ADD COLUMN delivery_polls INTEGER NOT NULL DEFAULT 0 CHECK (delivery_polls >= 0);
-- When to ask next; NULL once there is nothing more to learn (final state, 72 h gone, SMTP).
ALTER TABLE outbox ADD COLUMN delivery_next_at TEXT;

CREATE INDEX outbox_delivery_due ON outbox (delivery_next_at) WHERE delivery_next_at IS NOT NULL;

-- What the saved Resend key may do, learnt when it is verified or when a status question is
-- refused (401 restricted_api_key): 'sending_only' keys send but cannot read delivery status.
-- NULL where the provider has one kind of credential (Postmark, SMTP) or it is not known yet.
ALTER TABLE email_service ADD COLUMN key_access TEXT
    CHECK (key_access IN ('full', 'sending_only'));
