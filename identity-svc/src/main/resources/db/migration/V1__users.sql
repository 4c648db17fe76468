-- identity-svc schema, version 1: the users who can log in.
-- Migrations only add: a replica running the previous build must keep working on this schema.

CREATE TABLE users (
    id           uuid        PRIMARY KEY,
    username     text        NOT NULL,
    display_name text,
    email        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    disabled_at  timestamptz,
    CONSTRAINT users_username_unique UNIQUE (username),
    CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{0,127}$')
);
