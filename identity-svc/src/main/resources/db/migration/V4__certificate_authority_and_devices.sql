-- identity-svc schema, version 4: zerogate's certificate authority and enrolled devices.
-- The CA's private key is sealed with the master key, like the signing keys.

CREATE TABLE certificate_authorities (
    id                 integer     PRIMARY KEY,
    certificate_der    bytea       NOT NULL,
    private_key_sealed bytea       NOT NULL,
    created_at         timestamptz NOT NULL,
    CONSTRAINT certificate_authorities_single CHECK (id = 1)
);

CREATE TABLE devices (
    id                    uuid        PRIMARY KEY,
    user_id               uuid        NOT NULL REFERENCES users (id),
    name                  text        NOT NULL,
    key_thumbprint        text        NOT NULL,
    certificate_serial    text        NOT NULL,
    certificate_not_after timestamptz NOT NULL,
    posture_json          text,
    posture_reported_at   timestamptz,
    enrolled_at           timestamptz NOT NULL,
    revoked_at            timestamptz,
    CONSTRAINT devices_key_unique UNIQUE (key_thumbprint),
    CONSTRAINT devices_name_length CHECK (char_length(name) BETWEEN 1 AND 64)
);
CREATE INDEX devices_user ON devices (user_id);
