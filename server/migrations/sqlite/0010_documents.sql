-- Documents the resident sends, attached to an appointment or to a case. Pages arrive one request each into
-- a draft (so a failed page is sent again alone); finishing a draft makes one document row in one
-- transaction. Bytes live in the object store under random keys; these rows only point at them.
CREATE TABLE document_draft (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    person_id       TEXT NOT NULL REFERENCES person (id),
    appointment_id  TEXT REFERENCES appointment (id),
    case_id         TEXT REFERENCES cases (id),
    title           TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    CHECK ((appointment_id IS NULL) <> (case_id IS NULL))
);
CREATE INDEX document_draft_created ON document_draft (created_at_ms);

CREATE TABLE document_page (
    draft_id        TEXT NOT NULL REFERENCES document_draft (id) ON DELETE CASCADE,
    n               INTEGER NOT NULL CHECK (n >= 0),
    object_key      TEXT NOT NULL,
    content_type    TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'application/pdf')),
    bytes           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    pages           INTEGER NOT NULL,
    PRIMARY KEY (draft_id, n)
);

CREATE TABLE document (
    id              TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    person_id       TEXT NOT NULL REFERENCES person (id),
    appointment_id  TEXT REFERENCES appointment (id),
    case_id         TEXT REFERENCES cases (id),
    -- The appointment's service or the case's type: the report counts uploads per service.
    service         TEXT NOT NULL,
    title           TEXT NOT NULL,
    content_type    TEXT NOT NULL CHECK (content_type IN ('application/pdf')),
    bytes           INTEGER NOT NULL,
    pages           INTEGER NOT NULL,
    object_key      TEXT NOT NULL UNIQUE,
    created_at_ms   INTEGER NOT NULL,
    -- Set when the municipality takes it into processing; from then on the resident cannot delete it.
    taken_at_ms     INTEGER,
    CHECK ((appointment_id IS NULL) <> (case_id IS NULL))
);
CREATE INDEX document_person ON document (person_id);
CREATE INDEX document_appointment ON document (appointment_id);
CREATE INDEX document_case ON document (case_id);
CREATE INDEX document_created ON document (municipality_id, created_at_ms);
