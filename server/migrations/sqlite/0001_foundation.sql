-- The foundation: municipalities, people, staff, case types with status types, cases with their status
-- history, and locations with opening hours. Instants are UTC milliseconds since the epoch (`*_at_ms`);
-- calendar dates are ISO `YYYY-MM-DD` text; flags are 0/1 integers (identical on SQLite and PostgreSQL).

CREATE TABLE app_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE municipality (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE person (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    display_name    TEXT NOT NULL,
    is_demo         INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
);

CREATE TABLE staff_member (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('kcc', 'backoffice', 'admin')),
    is_demo         INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
);

CREATE TABLE case_type (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    name_nl         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    internal        INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    confidentiality TEXT NOT NULL DEFAULT 'intern'
);

CREATE TABLE status_type (
    id               TEXT PRIMARY KEY,
    case_type_id     TEXT NOT NULL REFERENCES case_type (id),
    seq              INTEGER NOT NULL,
    description      TEXT NOT NULL,
    resident_text_nl TEXT NOT NULL,
    resident_text_en TEXT NOT NULL,
    is_end           INTEGER NOT NULL DEFAULT 0 CHECK (is_end IN (0, 1)),
    notify           INTEGER NOT NULL DEFAULT 0 CHECK (notify IN (0, 1)),
    UNIQUE (case_type_id, seq)
);

CREATE TABLE cases (
    id                  TEXT PRIMARY KEY,
    municipality_id     TEXT NOT NULL REFERENCES municipality (id),
    identifier          TEXT NOT NULL,
    case_type_id        TEXT NOT NULL REFERENCES case_type (id),
    description         TEXT NOT NULL,
    start_date          TEXT NOT NULL,
    planned_end_date    TEXT,
    initiator_person_id TEXT REFERENCES person (id),
    UNIQUE (municipality_id, identifier)
);
CREATE INDEX cases_initiator ON cases (initiator_person_id);

CREATE TABLE case_status (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    status_type_id TEXT NOT NULL REFERENCES status_type (id),
    set_at_ms      INTEGER NOT NULL,
    explanation    TEXT
);
CREATE INDEX case_status_case ON case_status (case_id, set_at_ms);

CREATE TABLE location (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    name            TEXT NOT NULL,
    street          TEXT NOT NULL,
    postcode        TEXT NOT NULL,
    city            TEXT NOT NULL
);

CREATE TABLE opening_hours (
    location_id TEXT NOT NULL REFERENCES location (id),
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens       TEXT NOT NULL,
    closes      TEXT NOT NULL,
    PRIMARY KEY (location_id, weekday, opens),
    CHECK (opens < closes)
);
