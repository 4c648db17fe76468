-- policy-svc schema, version 1: remote networks.
-- Migrations only add: a replica running the previous build must keep working on this schema.

CREATE TABLE remote_networks (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    version    bigint      NOT NULL DEFAULT 0,
    CONSTRAINT remote_networks_name_unique UNIQUE (name),
    CONSTRAINT remote_networks_name_length CHECK (char_length(name) BETWEEN 1 AND 100)
);
