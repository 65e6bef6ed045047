-- What the resident gave while booking because the service needs it and Loket did not know it yet
-- (field: phone, email, birth-date, postal-address). Kept with the appointment, not copied to the person:
-- a number given for one appointment is not a confirmed address for messages.
CREATE TABLE appointment_detail (
    appointment_id TEXT NOT NULL REFERENCES appointment (id) ON DELETE CASCADE,
    field          TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (appointment_id, field)
);

-- The address as the population register has it (the demo sets it; a register link comes later), so the
-- contact centre finds a caller by postcode, house number and birth date.
ALTER TABLE person ADD COLUMN postcode TEXT;
ALTER TABLE person ADD COLUMN house_number TEXT;
CREATE INDEX person_address ON person (municipality_id, postcode, house_number);
