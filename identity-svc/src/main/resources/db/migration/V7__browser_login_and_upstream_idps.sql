-- identity-svc schema, version 7: the browser login (OpenID Connect authorization code flow
-- with PKCE) and federation with upstream OpenID providers.
-- Codes, login-request ids and upstream states are stored as SHA-256 digests only.

-- Groups the user's upstream IdP put in its groups claim at their last login, one per line.
-- They go into the user's access tokens; policy-svc maps them to zerogate groups.
ALTER TABLE users ADD COLUMN upstream_groups text NOT NULL DEFAULT '';

-- Which upstream account (issuer + subject) is which zerogate user.
CREATE TABLE upstream_identities (
    issuer        text        NOT NULL,
    subject       text        NOT NULL,
    provider      text        NOT NULL,
    user_id       uuid        NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    last_login_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX upstream_identities_user ON upstream_identities (user_id);

-- A login in progress in a browser: either an authorization request of a browser client
-- (AUTHORIZE) or the approval of a device login (DEVICE, by user code).
CREATE TABLE login_requests (
    id_hash        bytea       PRIMARY KEY,
    purpose        text        NOT NULL,
    client_id      text,
    redirect_uri   text,
    scope          text,
    state          text,
    nonce          text,
    code_challenge text,
    user_code      text,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    completed_at   timestamptz,
    -- A device login approved through an upstream provider waits for the person to confirm
    -- it on our page (so that a forged link cannot approve someone else's device silently).
    user_id        uuid        REFERENCES users (id),
    amr            text,
    auth_time      timestamptz,
    confirm_hash   bytea       UNIQUE,
    CONSTRAINT login_requests_purpose CHECK (purpose IN ('AUTHORIZE', 'DEVICE'))
);

-- A round trip to an upstream provider: our state, nonce and PKCE verifier for it.
CREATE TABLE upstream_logins (
    state_hash       bytea       PRIMARY KEY,
    login_request_id bytea       NOT NULL REFERENCES login_requests (id_hash),
    provider         text        NOT NULL,
    nonce            text        NOT NULL,
    code_verifier    text        NOT NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz
);

-- Authorization codes: single use, short-lived; a second redemption ends the session the
-- first one opened (RFC 6749 §4.1.2).
CREATE TABLE authorization_codes (
    code_hash      bytea       PRIMARY KEY,
    client_id      text        NOT NULL,
    redirect_uri   text        NOT NULL,
    scope          text        NOT NULL,
    nonce          text,
    code_challenge text        NOT NULL,
    user_id        uuid        NOT NULL REFERENCES users (id),
    amr            text        NOT NULL,
    auth_time      timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    session_id     uuid
);
