-- An eHerkenning session keeps the branch (vestigingsnummer) the broker named.
ALTER TABLE session ADD COLUMN acting_branch TEXT;

-- The person behind a broker's pseudonym for the acting person (eHerkenning's acting subject): a person
-- without BSN, found again at her next sign-in.
CREATE TABLE door_subject (
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    door            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    person_id       TEXT NOT NULL REFERENCES person (id),
    PRIMARY KEY (municipality_id, door, subject)
);
