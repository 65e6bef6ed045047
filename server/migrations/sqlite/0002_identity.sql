-- Identity: accounts that hold passkeys, organisations with member persons, activation codes, WebAuthn
-- ceremony state, server-side sessions, rate-limit counters and the append-only audit log.
-- Secrets (activation codes, session ids, link tokens) are stored only as SHA-256 hashes.

ALTER TABLE person ADD COLUMN bsn TEXT;
ALTER TABLE person ADD COLUMN email TEXT;
ALTER TABLE person ADD COLUMN birth_date TEXT;

CREATE TABLE organisation (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    kvk_number      TEXT NOT NULL,
    name            TEXT NOT NULL,
    is_demo         INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    UNIQUE (municipality_id, kvk_number)
);

-- A person acts for an organisation once their membership is confirmed (by an activation code).
CREATE TABLE membership (
    organisation_id TEXT NOT NULL REFERENCES organisation (id),
    person_id       TEXT NOT NULL REFERENCES person (id),
    confirmed_at_ms INTEGER,
    PRIMARY KEY (organisation_id, person_id)
);
CREATE INDEX membership_person ON membership (person_id);

-- The holder of passkeys: a person or a staff member. `id` is a UUID and doubles as the WebAuthn user handle;
-- `sign_in_name` is the short account number for sign-in without a discoverable passkey.
CREATE TABLE account (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    kind            TEXT NOT NULL CHECK (kind IN ('person', 'staff')),
    person_id       TEXT UNIQUE REFERENCES person (id),
    staff_id        TEXT UNIQUE REFERENCES staff_member (id),
    sign_in_name    TEXT NOT NULL UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    CHECK ((kind = 'person' AND person_id IS NOT NULL AND staff_id IS NULL)
        OR (kind = 'staff' AND staff_id IS NOT NULL AND person_id IS NULL))
);

CREATE TABLE passkey (
    credential_id   TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES account (id),
    name            TEXT NOT NULL,
    credential      TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    last_used_at_ms INTEGER
);
CREATE INDEX passkey_account ON passkey (account_id);

-- Codes are `lookup` (public, finds the row) + a secret part stored as `secret_hash`. Bound to exactly one of:
-- a person, an organisation membership (organisation + person), a staff member.
CREATE TABLE activation_code (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    lookup          TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    person_id       TEXT REFERENCES person (id),
    organisation_id TEXT REFERENCES organisation (id),
    staff_id        TEXT REFERENCES staff_member (id),
    issued_by       TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    used_at_ms      INTEGER,
    revoked_at_ms   INTEGER,
    CHECK ((person_id IS NOT NULL AND staff_id IS NULL) OR (staff_id IS NOT NULL AND person_id IS NULL AND organisation_id IS NULL))
);
CREATE INDEX activation_code_lookup ON activation_code (lookup);
CREATE INDEX activation_code_person ON activation_code (person_id);
CREATE INDEX activation_code_staff ON activation_code (staff_id);

-- Server-side WebAuthn ceremony state: single use (deleted when taken), five minutes.
CREATE TABLE webauthn_ceremony (
    id                 TEXT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('activate', 'add', 'sign-in', 'sign-in-discoverable')),
    account_id         TEXT,
    activation_code_id TEXT REFERENCES activation_code (id),
    state              TEXT NOT NULL,
    expires_at_ms      INTEGER NOT NULL
);

-- `id_hash` is the SHA-256 of the cookie value. An account session has `account_id`; an appointment-link
-- session has `appointment_id` only. `method` and `assurance` record how the identity was established.
CREATE TABLE session (
    id_hash             TEXT PRIMARY KEY,
    municipality_id     TEXT NOT NULL REFERENCES municipality (id),
    account_id          TEXT REFERENCES account (id),
    appointment_id      TEXT,
    acting_as           TEXT REFERENCES organisation (id),
    method              TEXT NOT NULL,
    assurance           TEXT NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    authenticated_at_ms INTEGER NOT NULL,
    last_seen_at_ms     INTEGER NOT NULL,
    expires_at_ms       INTEGER NOT NULL,
    CHECK (account_id IS NOT NULL OR appointment_id IS NOT NULL)
);
CREATE INDEX session_account ON session (account_id);

-- A link in a confirmation message lets someone without an account manage one appointment, after a second check.
CREATE TABLE appointment_link (
    token_hash     TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL,
    birth_date     TEXT,
    valid_until_ms INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at_ms  INTEGER NOT NULL
);
CREATE INDEX appointment_link_appointment ON appointment_link (appointment_id);

-- Fixed-window counters; `bucket` is a hash (it may derive from an IP address).
CREATE TABLE rate_limit (
    bucket          TEXT NOT NULL,
    window_start_ms INTEGER NOT NULL,
    hits            INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start_ms)
);

-- Append-only (triggers below refuse UPDATE and DELETE).
CREATE TABLE audit_event (
    id                      TEXT PRIMARY KEY,
    municipality_id         TEXT NOT NULL REFERENCES municipality (id),
    at_ms                   INTEGER NOT NULL,
    event                   TEXT NOT NULL,
    actor_account_id        TEXT,
    actor_staff_id          TEXT,
    actor_role              TEXT,
    subject_person_id       TEXT,
    subject_organisation_id TEXT,
    data_kind               TEXT,
    route                   TEXT
);
CREATE INDEX audit_event_subject_person ON audit_event (subject_person_id, at_ms);
CREATE INDEX audit_event_subject_organisation ON audit_event (subject_organisation_id, at_ms);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only');
END;
