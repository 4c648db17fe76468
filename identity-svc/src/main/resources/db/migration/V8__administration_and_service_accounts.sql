-- identity-svc schema, version 8: what admins see and do (revocation reasons), and service
-- accounts with expiring keys (OAuth client credentials). Key secrets: SHA-256 digests only.

ALTER TABLE users ADD COLUMN revocation_reason text;
ALTER TABLE devices ADD COLUMN revocation_reason text;
ALTER TABLE sessions ADD COLUMN last_refreshed_at timestamptz;

CREATE TABLE service_accounts (
    id                uuid        PRIMARY KEY,
    name              text        NOT NULL,
    description       text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    revoked_at        timestamptz,
    revocation_reason text,
    CONSTRAINT service_accounts_name_unique UNIQUE (name),
    CONSTRAINT service_accounts_name_format CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
    CONSTRAINT service_accounts_description_length CHECK (char_length(description) <= 1000)
);

CREATE TABLE service_account_keys (
    id                 uuid        PRIMARY KEY,
    service_account_id uuid        NOT NULL REFERENCES service_accounts (id),
    description        text        NOT NULL DEFAULT '',
    secret_hash        bytea       NOT NULL,
    secret_prefix      text        NOT NULL,
    created_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    last_used_at       timestamptz,
    revoked_at         timestamptz,
    CONSTRAINT service_account_keys_description_length CHECK (char_length(description) <= 200)
);
CREATE INDEX service_account_keys_account ON service_account_keys (service_account_id);
