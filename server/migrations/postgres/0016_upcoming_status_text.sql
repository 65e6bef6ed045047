-- What the resident reads about a status while it is still to come ("Wat gebeurt hierna?"); the status text
-- itself says what has happened once it is reached, so it cannot stand in for this.
ALTER TABLE status_type ADD COLUMN upcoming_text_nl TEXT;
ALTER TABLE status_type ADD COLUMN upcoming_text_en TEXT;
