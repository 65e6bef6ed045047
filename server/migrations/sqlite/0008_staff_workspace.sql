-- Contact moments the contact centre records on a resident's card: the reason chosen from a fixed list (it
-- feeds the report: contacts per reason and channel per week) and which staff member recorded it (for the
-- audit trail; the resident sees `registered_by`, a team name).
ALTER TABLE contact_moment ADD COLUMN reason TEXT;
ALTER TABLE contact_moment ADD COLUMN staff_id TEXT REFERENCES staff_member (id);
CREATE INDEX contact_moment_when ON contact_moment (municipality_id, occurred_at_ms);
