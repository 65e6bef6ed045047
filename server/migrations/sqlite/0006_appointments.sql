-- Appointments: what can be booked (services), where (locations), with whom or at which desk (resources, each
-- with seats = capacity, weekly hours and exceptions), and the bookings themselves.
--
-- Double booking is impossible in the database itself: a booking holds one seat of one resource for
-- [busy_from_ms, busy_until_ms) (the appointment plus the service's buffers). SQLite has no exclusion
-- constraints, so the two triggers below refuse a live booking of a seat whose time overlaps another live
-- booking of that seat, whoever writes the SQL; SQLite has one writer at a time, so the check and the write
-- cannot interleave with another booking. Capacity is the number of rows in appointment_seat; a booking must
-- name one of them (foreign key), so no SQL can book a fourth seat of a resource that has three.

CREATE TABLE appointment_location (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    name            TEXT NOT NULL,
    street          TEXT NOT NULL,
    postcode        TEXT NOT NULL,
    city            TEXT NOT NULL,
    route           TEXT NOT NULL DEFAULT '',
    wheelchair      INTEGER NOT NULL DEFAULT 0 CHECK (wheelchair IN (0, 1)),
    hearing_loop    INTEGER NOT NULL DEFAULT 0 CHECK (hearing_loop IN (0, 1)),
    quiet_room      INTEGER NOT NULL DEFAULT 0 CHECK (quiet_room IN (0, 1)),
    map_url         TEXT,
    position        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE appointment_service (
    id                TEXT PRIMARY KEY,
    municipality_id   TEXT NOT NULL REFERENCES municipality (id),
    name              TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    duration_min      INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
    -- What to bring: a JSON list of {"text", "text_en", "picture"} (picture: a path under /afbeeldingen/).
    bring             TEXT NOT NULL DEFAULT '[]',
    tips              TEXT NOT NULL DEFAULT '',
    tips_en           TEXT NOT NULL DEFAULT '',
    -- Fields the resident must give, comma separated (phone, email, birth_date).
    required_fields   TEXT NOT NULL DEFAULT '',
    min_notice_min    INTEGER NOT NULL DEFAULT 60 CHECK (min_notice_min >= 0),
    horizon_days      INTEGER NOT NULL DEFAULT 60 CHECK (horizon_days BETWEEN 1 AND 366),
    buffer_before_min INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_min >= 0),
    buffer_after_min  INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_min >= 0),
    -- Default reminders, comma separated codes (evening-before, 2h, 1h, morning).
    reminders         TEXT NOT NULL DEFAULT 'evening-before,2h',
    resident_bookable INTEGER NOT NULL DEFAULT 1 CHECK (resident_bookable IN (0, 1)),
    account_required  INTEGER NOT NULL DEFAULT 0 CHECK (account_required IN (0, 1)),
    position          INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE appointment_resource (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    location_id     TEXT NOT NULL REFERENCES appointment_location (id),
    name            TEXT NOT NULL
);

-- One row per place a resource can give at the same time; `staff_only` seats are kept for the contact centre.
CREATE TABLE appointment_seat (
    resource_id TEXT NOT NULL REFERENCES appointment_resource (id) ON DELETE CASCADE,
    seat        INTEGER NOT NULL CHECK (seat >= 1),
    staff_only  INTEGER NOT NULL DEFAULT 0 CHECK (staff_only IN (0, 1)),
    PRIMARY KEY (resource_id, seat)
);

CREATE TABLE appointment_service_resource (
    service_id  TEXT NOT NULL REFERENCES appointment_service (id) ON DELETE CASCADE,
    resource_id TEXT NOT NULL REFERENCES appointment_resource (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, resource_id)
);

-- Weekly opening hours in local wall-clock time (ISO weekday, Monday = 1; times 'HH:MM').
CREATE TABLE appointment_hours (
    resource_id TEXT NOT NULL REFERENCES appointment_resource (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens       TEXT NOT NULL,
    closes      TEXT NOT NULL CHECK (opens < closes),
    PRIMARY KEY (resource_id, weekday, opens)
);

-- A date that differs from the week: closed all day (no times), closed part of the day, or extra hours.
CREATE TABLE appointment_exception (
    id          TEXT PRIMARY KEY,
    resource_id TEXT NOT NULL REFERENCES appointment_resource (id) ON DELETE CASCADE,
    on_date     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('closed', 'open')),
    opens       TEXT,
    closes      TEXT,
    CHECK ((opens IS NULL AND closes IS NULL AND kind = 'closed') OR (opens IS NOT NULL AND closes IS NOT NULL AND opens < closes))
);
CREATE INDEX appointment_exception_date ON appointment_exception (resource_id, on_date);

CREATE TABLE appointment (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    service_id      TEXT NOT NULL REFERENCES appointment_service (id),
    resource_id     TEXT NOT NULL,
    seat            INTEGER NOT NULL,
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER NOT NULL,
    busy_from_ms    INTEGER NOT NULL,
    busy_until_ms   INTEGER NOT NULL,
    person_id       TEXT NOT NULL REFERENCES person (id),
    organisation_id TEXT REFERENCES organisation (id),
    booked_via      TEXT NOT NULL CHECK (booked_via IN ('resident', 'staff')),
    booked_by_staff TEXT REFERENCES staff_member (id),
    status          TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    -- Raised on every move: the .ics SEQUENCE, and the version a reminder was planned for.
    sequence        INTEGER NOT NULL DEFAULT 0,
    -- Reminders the resident keeps for this appointment (codes as in appointment_service.reminders).
    reminders       TEXT NOT NULL,
    -- The opaque code shown as a QR code on the card, scanned at the desk.
    checkin_code    TEXT NOT NULL UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    changed_at_ms   INTEGER NOT NULL,
    FOREIGN KEY (resource_id, seat) REFERENCES appointment_seat (resource_id, seat),
    CHECK (busy_from_ms <= start_ms AND start_ms < end_ms AND end_ms <= busy_until_ms)
);

CREATE TRIGGER appointment_no_overlap_insert BEFORE INSERT ON appointment
WHEN NEW.status = 'booked' AND EXISTS (
    SELECT 1 FROM appointment a
    WHERE a.resource_id = NEW.resource_id AND a.seat = NEW.seat AND a.status = 'booked'
      AND a.busy_from_ms < NEW.busy_until_ms AND NEW.busy_from_ms < a.busy_until_ms)
BEGIN
    SELECT RAISE(ABORT, 'appointment_no_overlap');
END;

CREATE TRIGGER appointment_no_overlap_update BEFORE UPDATE OF resource_id, seat, busy_from_ms, busy_until_ms, status ON appointment
WHEN NEW.status = 'booked' AND EXISTS (
    SELECT 1 FROM appointment a
    WHERE a.id <> NEW.id AND a.resource_id = NEW.resource_id AND a.seat = NEW.seat AND a.status = 'booked'
      AND a.busy_from_ms < NEW.busy_until_ms AND NEW.busy_from_ms < a.busy_until_ms)
BEGIN
    SELECT RAISE(ABORT, 'appointment_no_overlap');
END;
CREATE INDEX appointment_person ON appointment (person_id, start_ms);
CREATE INDEX appointment_resource_time ON appointment (resource_id, busy_from_ms);

-- Book, move and cancel are idempotent by a key the form (or API client) sends: a repeat returns the first
-- answer instead of booking twice.
CREATE TABLE appointment_request (
    idempotency_key TEXT PRIMARY KEY,
    operation       TEXT NOT NULL CHECK (operation IN ('book', 'move', 'cancel')),
    appointment_id  TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL
);

-- Notifications about an appointment name it and the version (sequence) they were planned for, so a reminder
-- for a moved or cancelled appointment is recognised and dropped.
ALTER TABLE notification_event ADD COLUMN appointment_id TEXT REFERENCES appointment (id);
ALTER TABLE notification_event ADD COLUMN appointment_sequence INTEGER;
-- For a reminder: which one (as in appointment.reminders), so switching it off stops it even once planned.
ALTER TABLE notification_event ADD COLUMN appointment_reminder TEXT;
CREATE INDEX notification_event_appointment ON notification_event (appointment_id);
