-- The user's calendar day a slot's message was queued (Enviar, Enviar todos, the day's batch).
-- The cooldown and the monthly cap count from it: a "vencida" the owner sends on the 7th, a week
-- after it was decided, must still keep the "segundo aviso" of the 8th waiting for review.
ALTER TABLE collection_slots ADD COLUMN queued_on TEXT;
