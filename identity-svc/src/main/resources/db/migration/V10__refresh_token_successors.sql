-- identity-svc schema, version 10: a spent refresh token remembers its successor, so that a
-- client that lost the response to its refresh and retries within the grace window gets the
-- same successor back instead of having its session revoked for reuse.
-- successor_hash: SHA-256 of the successor, like token_hash.
-- successor_sealed: the successor itself, AES-256-GCM under a key derived (HKDF-SHA256) from
-- this row's token, which the database never holds: it opens only for whoever presents the
-- token. Cleared when the successor is spent in turn, so a family has at most one.
ALTER TABLE refresh_tokens
    ADD COLUMN successor_hash   bytea,
    ADD COLUMN successor_sealed bytea,
    ADD CONSTRAINT refresh_tokens_successor CHECK (
        (successor_hash IS NULL OR used_at IS NOT NULL) AND (successor_sealed IS NULL OR successor_hash IS NOT NULL));

-- Finds the predecessor whose sealed successor is cleared; small: one row per family at most.
CREATE INDEX refresh_tokens_sealed_successor ON refresh_tokens (successor_hash) WHERE successor_sealed IS NOT NULL;
