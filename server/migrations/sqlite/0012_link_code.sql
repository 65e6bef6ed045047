-- The appointment link's other second check, for someone whose birth date Loket does not know (or does not
-- remember it): a 6-digit code sent to where the appointment's confirmation went. Stored hashed, 15 minutes.
ALTER TABLE appointment_link ADD COLUMN code_hash TEXT;
ALTER TABLE appointment_link ADD COLUMN code_expires_at_ms INTEGER;
