-- Notifications: the digital addresses a person keeps (verified by a code sent to them), which address each
-- kind of message goes to, per-case overrides, and the messages the outbox worker delivers. Events and messages
-- carry leases so several workers (or a crashed one) never lose or double-plan a row.

ALTER TABLE person ADD COLUMN language TEXT NOT NULL DEFAULT 'nl';

CREATE TABLE digital_address (
    id                 TEXT PRIMARY KEY,
    person_id          TEXT NOT NULL REFERENCES person (id),
    channel            TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    value              TEXT NOT NULL,
    label              TEXT NOT NULL,
    created_at_ms      BIGINT NOT NULL,
    verified_at_ms     BIGINT,
    -- Set when the contact centre took the address on the phone; verified by the first message's link later.
    given_by_phone     SMALLINT NOT NULL DEFAULT 0 CHECK (given_by_phone IN (0, 1)),
    code_hash          TEXT,
    code_expires_at_ms BIGINT,
    code_tries         BIGINT NOT NULL DEFAULT 0,
    -- The last message to this address that could not be delivered (cleared by a later delivery).
    failed_at_ms       BIGINT,
    UNIQUE (person_id, channel, value)
);

-- The address each kind of message goes to; without a row the first verified address is used.
CREATE TABLE notification_choice (
    person_id  TEXT NOT NULL REFERENCES person (id),
    kind       TEXT NOT NULL CHECK (kind IN ('appointment-confirmation', 'reminder', 'case-update', 'action-request')),
    address_id TEXT NOT NULL REFERENCES digital_address (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, kind)
);

-- "Send everything about this case (or appointment) to …".
CREATE TABLE notification_override (
    person_id    TEXT NOT NULL REFERENCES person (id),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('case', 'appointment')),
    subject_id   TEXT NOT NULL,
    address_id   TEXT NOT NULL REFERENCES digital_address (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, subject_kind, subject_id)
);

ALTER TABLE notification_event ADD COLUMN due_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notification_event ADD COLUMN address_id TEXT REFERENCES digital_address (id) ON DELETE SET NULL;
-- Only a verification code, readable until its message is sent, then erased.
ALTER TABLE notification_event ADD COLUMN secret TEXT;
ALTER TABLE notification_event ADD COLUMN lease_owner TEXT;
ALTER TABLE notification_event ADD COLUMN lease_until_ms BIGINT;
ALTER TABLE notification_event ADD COLUMN outcome TEXT;
UPDATE notification_event SET due_at_ms = created_at_ms;
DROP INDEX notification_event_pending;
CREATE INDEX notification_event_due ON notification_event (processed_at_ms, due_at_ms);

CREATE TABLE notification_message (
    id                 TEXT PRIMARY KEY,
    event_id           TEXT NOT NULL REFERENCES notification_event (id),
    municipality_id    TEXT NOT NULL REFERENCES municipality (id),
    person_id          TEXT NOT NULL REFERENCES person (id),
    address_id         TEXT NOT NULL REFERENCES digital_address (id) ON DELETE CASCADE,
    channel            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dropped')),
    attempts           BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT NOT NULL,
    deadline_ms        BIGINT NOT NULL,
    lease_owner        TEXT,
    lease_until_ms     BIGINT,
    last_error         TEXT,
    created_at_ms      BIGINT NOT NULL,
    sent_at_ms         BIGINT,
    UNIQUE (event_id, channel, address_id)
);
CREATE INDEX notification_message_due ON notification_message (status, next_attempt_at_ms);
CREATE INDEX notification_message_person ON notification_message (person_id, created_at_ms);
