-- When the resident checked in at the desk (the code on her card). A booked appointment that ended without
-- one counts as "not checked in" in the report.
ALTER TABLE appointment ADD COLUMN checked_in_at_ms INTEGER;
