-- identity-svc schema, version 9: connectors' credentials. One family at a time per
-- connector (the connector's id and its remote network are policy-svc's). The bootstrap pair is known by digests and spent once;
-- presenting it again, or a spent refresh token, revokes the connector's credentials.
CREATE TABLE connector_credentials (
    connector_id           uuid        PRIMARY KEY,
    remote_network_id      uuid        NOT NULL,
    family_id              uuid        NOT NULL,
    state                  text        NOT NULL,
    created_at             timestamptz NOT NULL,
    bootstrap_access_hash  bytea       NOT NULL,
    bootstrap_refresh_hash bytea       NOT NULL,
    bootstrap_expires_at   timestamptz NOT NULL,
    bootstrapped_at        timestamptz,
    last_refreshed_at      timestamptz,
    certificate_serial     text,
    certificate_not_after  timestamptz,
    revoked_at             timestamptz,
    revocation_reason      text,
    CONSTRAINT connector_credentials_state CHECK (state IN ('PENDING_BOOTSTRAP', 'ACTIVE', 'REVOKED')),
    CONSTRAINT connector_credentials_bootstrap_unique UNIQUE (bootstrap_access_hash)
);

CREATE TABLE connector_refresh_tokens (
    token_hash   bytea       PRIMARY KEY,
    connector_id uuid        NOT NULL REFERENCES connector_credentials (connector_id),
    family_id    uuid        NOT NULL,
    issued_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);
CREATE INDEX connector_refresh_tokens_connector ON connector_refresh_tokens (connector_id);
