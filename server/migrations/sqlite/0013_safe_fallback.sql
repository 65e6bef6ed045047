-- A message goes only to an address the resident chose for it, or to one she marked herself as the one to try
-- when another does not work: never, by itself, to an address she avoids (her ex-partner may read it).
ALTER TABLE digital_address ADD COLUMN fallback INTEGER NOT NULL DEFAULT 0 CHECK (fallback IN (0, 1));
