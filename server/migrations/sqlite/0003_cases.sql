-- Cases after the Dutch ZGW concepts (zaaktype, statustype, zaak, status, rol, klantcontact), the client systems
-- that feed them through /api/v1, the notification events a status change emits (an outbox the notifications
-- module delivers), and what each person last saw of a case (the "new" badge).
-- Confidentiality uses ZGW's vertrouwelijkheidaanduiding words, ordered openbaar … zeer_geheim.

-- `code` is the case system's own identifier of the type (stable across updates); statuses follow `seq`.
ALTER TABLE case_type ADD COLUMN code TEXT;
ALTER TABLE case_type ADD COLUMN expected_days INTEGER;
ALTER TABLE case_type ADD COLUMN uploads_allowed INTEGER NOT NULL DEFAULT 0 CHECK (uploads_allowed IN (0, 1));
ALTER TABLE case_type ADD COLUMN updated_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE case_type SET code = id WHERE code IS NULL;
CREATE UNIQUE INDEX case_type_code ON case_type (municipality_id, code);

ALTER TABLE cases ADD COLUMN initiator_organisation_id TEXT REFERENCES organisation (id);
ALTER TABLE cases ADD COLUMN confidentiality TEXT NOT NULL DEFAULT 'openbaar';
ALTER TABLE cases ADD COLUMN result_text TEXT;
ALTER TABLE cases ADD COLUMN result_explanation TEXT;
ALTER TABLE cases ADD COLUMN closed_at_ms INTEGER;
ALTER TABLE cases ADD COLUMN action_text TEXT;
ALTER TABLE cases ADD COLUMN action_deadline TEXT;
ALTER TABLE cases ADD COLUMN action_set_at_ms INTEGER;
ALTER TABLE cases ADD COLUMN created_at_ms INTEGER NOT NULL DEFAULT 0;
-- The last change a resident can see (a status, the action block, the result): drives "new since you looked".
ALTER TABLE cases ADD COLUMN changed_at_ms INTEGER NOT NULL DEFAULT 0;
-- The request that created the case, as canonical JSON: a replay with the same body is answered the same.
ALTER TABLE cases ADD COLUMN request_fingerprint TEXT;
UPDATE cases SET confidentiality = (SELECT ct.confidentiality FROM case_type ct WHERE ct.id = cases.case_type_id);
UPDATE cases SET changed_at_ms = COALESCE((SELECT MAX(cs.set_at_ms) FROM case_status cs WHERE cs.case_id = cases.id), 0);
CREATE INDEX cases_initiator_organisation ON cases (initiator_organisation_id);

-- The caller's own id of a status, so repeating a status call does not add it twice.
ALTER TABLE case_status ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX case_status_external ON case_status (case_id, external_id);

-- Co-initiators (ZGW rol "mede-initiator"): they see the case as the initiator does.
CREATE TABLE case_role (
    case_id         TEXT NOT NULL REFERENCES cases (id),
    person_id       TEXT NOT NULL REFERENCES person (id),
    role            TEXT NOT NULL CHECK (role IN ('co-initiator')),
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_role_person ON case_role (person_id);

CREATE TABLE case_seen (
    person_id  TEXT NOT NULL REFERENCES person (id),
    case_id    TEXT NOT NULL REFERENCES cases (id),
    seen_at_ms INTEGER NOT NULL,
    PRIMARY KEY (person_id, case_id)
);

CREATE TABLE contact_moment (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    external_id     TEXT NOT NULL,
    person_id       TEXT REFERENCES person (id),
    organisation_id TEXT REFERENCES organisation (id),
    case_id         TEXT REFERENCES cases (id),
    occurred_at_ms  INTEGER NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('telefoon', 'balie', 'e-mail', 'web', 'brief', 'chat')),
    subject         TEXT NOT NULL,
    body            TEXT,
    confidential    INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    registered_by   TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    request_fingerprint TEXT NOT NULL,
    UNIQUE (municipality_id, external_id),
    CHECK (person_id IS NOT NULL OR organisation_id IS NOT NULL)
);
CREATE INDEX contact_moment_person ON contact_moment (person_id, occurred_at_ms);
CREATE INDEX contact_moment_organisation ON contact_moment (organisation_id, occurred_at_ms);
CREATE INDEX contact_moment_case ON contact_moment (case_id);

-- A system that may call /api/v1: a token (`lookup` finds the row, the secret is stored hashed), scoped to one
-- municipality and to the operations in `scopes` (space-separated).
CREATE TABLE api_client (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    name            TEXT NOT NULL,
    lookup          TEXT NOT NULL UNIQUE,
    secret_hash     TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    revoked_at_ms   INTEGER
);

-- Outbox: written in the transaction of the change that causes it; `dedupe_key` makes the event unique.
CREATE TABLE notification_event (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL UNIQUE,
    person_id       TEXT REFERENCES person (id),
    organisation_id TEXT REFERENCES organisation (id),
    case_id         TEXT REFERENCES cases (id),
    created_at_ms   INTEGER NOT NULL,
    processed_at_ms INTEGER
);
CREATE INDEX notification_event_pending ON notification_event (processed_at_ms, created_at_ms);
