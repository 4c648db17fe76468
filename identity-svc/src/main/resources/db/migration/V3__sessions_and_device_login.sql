-- identity-svc schema, version 3: built-in accounts, login sessions, refresh tokens, device
-- logins (RFC 8628), the first-admin setup link, and the audit log.
-- Secrets are never stored in clear: passwords as Argon2id PHC strings, tokens and codes as
-- SHA-256 digests.

ALTER TABLE users
    ADD COLUMN password_hash text,
    ADD COLUMN is_admin      boolean NOT NULL DEFAULT false;

-- One login: everything issued from it (a refresh-token family) ends together.
CREATE TABLE sessions (
    id                    uuid        PRIMARY KEY,
    user_id               uuid        NOT NULL REFERENCES users (id),
    client_id             text        NOT NULL,
    amr                   text        NOT NULL,  -- space-separated: pwd otp upstream
    auth_time             timestamptz NOT NULL,
    device_key_thumbprint text,
    created_at            timestamptz NOT NULL,
    revoked_at            timestamptz,
    revoke_reason         text
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Single use: used_at is set by the refresh that spends it; presenting it again ends the session.
CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY,
    session_id uuid        NOT NULL REFERENCES sessions (id),
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE device_authorizations (
    device_code_hash      bytea       PRIMARY KEY,
    user_code             text        NOT NULL,
    client_id             text        NOT NULL,
    device_key_thumbprint text,
    created_at            timestamptz NOT NULL,
    expires_at            timestamptz NOT NULL,
    interval_seconds      integer     NOT NULL,
    last_polled_at        timestamptz,
    status                text        NOT NULL,
    user_id               uuid        REFERENCES users (id),
    amr                   text,
    auth_time             timestamptz,
    CONSTRAINT device_authorizations_user_code_unique UNIQUE (user_code),
    CONSTRAINT device_authorizations_status CHECK (status IN ('PENDING', 'APPROVED', 'DENIED', 'CONSUMED'))
);

-- The one-time link that lets the first admin choose a password (printed once at first start).
CREATE TABLE setup_links (
    token_hash bytea       PRIMARY KEY,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- Append-only record of logins, token issuance, refresh reuse, revocations and admin changes.
CREATE TABLE audit_events (
    id          bigserial   PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    action      text        NOT NULL,
    outcome     text        NOT NULL,
    actor       text,
    subject     text,
    source      text,
    detail      text
);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
