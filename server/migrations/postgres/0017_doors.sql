-- A sign-in begun at a broker (DigiD through OpenID Connect): its state (hashed), nonce and PKCE verifier,
-- bound to the browser that began it; taken once by the callback, gone after ten minutes.
CREATE TABLE door_attempt (
    state_hash      TEXT PRIMARY KEY,
    municipality_id TEXT NOT NULL REFERENCES municipality (id),
    door            TEXT NOT NULL,
    binding_hash    TEXT NOT NULL,
    nonce           TEXT NOT NULL,
    pkce_verifier   TEXT NOT NULL,
    needed          TEXT NOT NULL,
    return_to       TEXT NOT NULL,
    expires_at_ms   BIGINT NOT NULL
);
CREATE INDEX door_attempt_expiry ON door_attempt (expires_at_ms);
