-- An employee who left: set by an administrator, who thereby ends their sessions and removes their passkeys.
ALTER TABLE staff_member ADD COLUMN left_at_ms INTEGER;
