-- "Bekijk als inwoner": a staff session that shows this person's own pages, read-only, until stopped.
ALTER TABLE session ADD COLUMN preview_person_id TEXT REFERENCES person (id);
