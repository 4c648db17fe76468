-- policy-svc schema, version 3: the keys that sign access grants.
-- Separate from identity-svc's token keys (ADR 0006): a leaked grant key cannot mint access
-- tokens and the reverse. The private key is sealed (AES-256-GCM) with policy-svc's master key,
-- which never enters the database; the public key is kept as its JWK, exactly as
-- GetGrantSigningKeys publishes it.

CREATE TABLE grant_signing_keys (
    kid                text        PRIMARY KEY,
    alg                text        NOT NULL,
    public_jwk         text        NOT NULL,
    private_key_sealed bytea       NOT NULL,
    status             text        NOT NULL,
    created_at         timestamptz NOT NULL,
    retired_at         timestamptz,
    not_after          timestamptz,
    CONSTRAINT grant_signing_keys_alg CHECK (alg IN ('ES256')),
    CONSTRAINT grant_signing_keys_status CHECK (status IN ('ACTIVE', 'RETIRED')),
    CONSTRAINT grant_signing_keys_retired_has_limit CHECK (status = 'ACTIVE' OR (retired_at IS NOT NULL AND not_after IS NOT NULL))
);

-- At most one key signs at any time; two replicas starting or rotating at once cannot both win.
CREATE UNIQUE INDEX grant_signing_keys_one_active ON grant_signing_keys (status) WHERE status = 'ACTIVE';
