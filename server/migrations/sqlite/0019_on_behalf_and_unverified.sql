-- DigiD Machtigen: the person a session acts for, when the broker says the signed-in person (whose account
-- the session is) represents someone else. Read-only, and every read is audited for both.
ALTER TABLE session ADD COLUMN represented_person_id TEXT REFERENCES person (id);

-- A person the contact centre recorded as she told it (name, birth date, how to reach her), not identified
-- by BSN yet ("niet geverifieerd"); cleared when a DigiD sign-in or a BRP match binds her to her BSN.
ALTER TABLE person ADD COLUMN unverified_since_ms INTEGER;
