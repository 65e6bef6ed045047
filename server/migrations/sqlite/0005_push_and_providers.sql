-- Web push subscriptions become digital addresses (channel 'push', with the browser's keys), messages sent
-- through a provider (the Notify API) keep the provider's id and its delivery report, and an event can say
-- what moment it concerns (quiet hours do not hold back a message about something earlier).
--
-- SQLite cannot change a CHECK constraint in place, so digital_address is rebuilt the documented way
-- (https://sqlite.org/lang_altertable.html#otheralter). Loket runs migrations with foreign keys off and checks
-- them afterwards, so dropping the old table neither cascades nor breaks the references to it.

CREATE TABLE digital_address_new (
    id                 TEXT PRIMARY KEY,
    person_id          TEXT NOT NULL REFERENCES person (id),
    channel            TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
    -- E-mail address, mobile number (E.164) or the push service's endpoint URL.
    value              TEXT NOT NULL,
    label              TEXT NOT NULL,
    created_at_ms      INTEGER NOT NULL,
    verified_at_ms     INTEGER,
    given_by_phone     INTEGER NOT NULL DEFAULT 0 CHECK (given_by_phone IN (0, 1)),
    code_hash          TEXT,
    code_expires_at_ms INTEGER,
    code_tries         INTEGER NOT NULL DEFAULT 0,
    failed_at_ms       INTEGER,
    -- Push only: the browser's P-256 public key and auth secret (base64url), to encrypt each message for it.
    push_p256dh        TEXT,
    push_auth          TEXT,
    UNIQUE (person_id, channel, value)
);
INSERT INTO digital_address_new (id, person_id, channel, value, label, created_at_ms, verified_at_ms, given_by_phone,
                                 code_hash, code_expires_at_ms, code_tries, failed_at_ms)
SELECT id, person_id, channel, value, label, created_at_ms, verified_at_ms, given_by_phone,
       code_hash, code_expires_at_ms, code_tries, failed_at_ms
FROM digital_address;
DROP TABLE digital_address;
ALTER TABLE digital_address_new RENAME TO digital_address;

-- The provider's id for the message (Notify API), its last delivery report and when Loket last asked.
ALTER TABLE notification_message ADD COLUMN provider_ref TEXT;
ALTER TABLE notification_message ADD COLUMN delivered_at_ms INTEGER;
ALTER TABLE notification_message ADD COLUMN receipt_checked_at_ms INTEGER;
CREATE INDEX notification_message_receipt ON notification_message (status, receipt_checked_at_ms);

ALTER TABLE notification_event ADD COLUMN concerns_at_ms INTEGER;
