-- identity-svc schema, version 2: the keys that sign access tokens.
-- The private key is sealed (AES-256-GCM) with the master key, which never enters the
-- database; the public key is kept as its JWK, exactly as the JWKS publishes it.

CREATE TABLE signing_keys (
    kid                text        PRIMARY KEY,
    alg                text        NOT NULL,
    public_jwk         text        NOT NULL,
    private_key_sealed bytea       NOT NULL,
    status             text        NOT NULL,
    created_at         timestamptz NOT NULL,
    retired_at         timestamptz,
    not_after          timestamptz,
    CONSTRAINT signing_keys_alg CHECK (alg IN ('ES256')),
    CONSTRAINT signing_keys_status CHECK (status IN ('ACTIVE', 'RETIRED')),
    CONSTRAINT signing_keys_retired_has_limit CHECK (status = 'ACTIVE' OR (retired_at IS NOT NULL AND not_after IS NOT NULL))
);

-- At most one key signs at any time; two replicas rotating at once cannot both win.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (alg) WHERE status = 'ACTIVE';
