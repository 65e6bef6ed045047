-- How the identity behind an account was bound, at its weakest step: a code read out on the phone is "laag",
-- one handed over at the desk, sent by letter or given by an operator "substantieel". Sessions follow it.
ALTER TABLE account ADD COLUMN enrolment TEXT NOT NULL DEFAULT 'substantieel'
    CHECK (enrolment IN ('laag', 'substantieel', 'hoog'));
