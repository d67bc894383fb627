-- Before a batch of reminders leaves, Cobros automáticos asks whether any payment was recorded in
-- the last days ("¿Registró los pagos recientes?"). That question is asked on every page of Cobros
-- de hoy and every batch; without an index it reads every payment ever recorded exactly when the
-- answer is "none", which is when it matters.
CREATE INDEX payments_by_recorded ON payments (created_at);
