-- policy-svc schema, version 2: the policy model, its change log and the audit log.
-- Migrations only add: a replica running the previous build must keep working on this schema.
--
-- Every entity row keeps the columns that constraints and filters need, plus `body`: the
-- entity as the API returns it (proto3 JSON), so that what is read back is exactly what was
-- validated and written. `change_sequence` is the policy_log position of the entity's last
-- change; it is the entity's etag and orders snapshot items.
--
-- All writers of the model take one advisory lock per transaction (PolicyStore), so
-- policy_log sequences are handed out in commit order and every replica can tail the log.

ALTER TABLE remote_networks
    ADD COLUMN description     text        NOT NULL DEFAULT '',
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN change_sequence bigint      NOT NULL DEFAULT 0;
-- Names are unique case-insensitively (the v1 constraint compares them exactly).
CREATE UNIQUE INDEX remote_networks_name_ci ON remote_networks (lower(name));

CREATE TABLE connectors (
    id                uuid        PRIMARY KEY,
    remote_network_id uuid        NOT NULL REFERENCES remote_networks (id),
    name              text        NOT NULL,
    body              text        NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    change_sequence   bigint      NOT NULL
);
CREATE UNIQUE INDEX connectors_name_ci ON connectors (remote_network_id, lower(name));

CREATE TABLE resources (
    id                uuid        PRIMARY KEY,
    remote_network_id uuid        NOT NULL REFERENCES remote_networks (id),
    name              text        NOT NULL,
    -- Normalised text of the address (lowercase names, canonical IPs, host bits cleared).
    address           text        NOT NULL,
    alias             text,
    body              text        NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    change_sequence   bigint      NOT NULL,
    CONSTRAINT resources_address_unique UNIQUE (address),
    CONSTRAINT resources_alias_unique UNIQUE (alias)
);
CREATE UNIQUE INDEX resources_name_ci ON resources (remote_network_id, lower(name));

CREATE TABLE groups (
    id              uuid        PRIMARY KEY,
    name            text        NOT NULL,
    source          text        NOT NULL,
    idp_group_name  text,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    change_sequence bigint      NOT NULL,
    CONSTRAINT groups_source CHECK (source IN ('LOCAL', 'IDP_SYNC')),
    CONSTRAINT groups_idp_group_name_unique UNIQUE (idp_group_name)
);
CREATE UNIQUE INDEX groups_name_ci ON groups (lower(name));

-- Members of LOCAL groups, for "groups of this user" filters; the group's body lists them too.
CREATE TABLE group_members (
    group_id    uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_kind text NOT NULL,
    member_id   uuid NOT NULL,
    PRIMARY KEY (group_id, member_kind, member_id),
    CONSTRAINT group_members_kind CHECK (member_kind IN ('USER', 'SERVICE_ACCOUNT'))
);
CREATE INDEX group_members_member ON group_members (member_kind, member_id);

CREATE TABLE access_rules (
    id                 uuid        PRIMARY KEY,
    name               text        NOT NULL,
    -- A group that is a rule's subject cannot be deleted under it.
    group_id           uuid        REFERENCES groups (id),
    service_account_id uuid,
    body               text        NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    change_sequence    bigint      NOT NULL,
    CONSTRAINT access_rules_one_subject CHECK ((group_id IS NULL) <> (service_account_id IS NULL))
);
CREATE UNIQUE INDEX access_rules_name_ci ON access_rules (lower(name));

-- A resource that a rule lists cannot be deleted under it.
CREATE TABLE access_rule_resources (
    rule_id     uuid NOT NULL REFERENCES access_rules (id) ON DELETE CASCADE,
    resource_id uuid NOT NULL REFERENCES resources (id),
    PRIMARY KEY (rule_id, resource_id)
);
CREATE INDEX access_rule_resources_resource ON access_rule_resources (resource_id);

-- Revocations enforced by relays and connectors: policy-svc's own (a deleted connector) and
-- identity-svc's (fed from its WatchRevocations stream; identity_sequence makes the feed
-- idempotent when several replicas relay it).
CREATE TABLE revocations (
    id                bigserial   PRIMARY KEY,
    subject_kind      text        NOT NULL,
    subject_id        uuid        NOT NULL,
    revoked_at        timestamptz NOT NULL,
    reason            text        NOT NULL,
    identity_sequence bigint,
    change_sequence   bigint      NOT NULL,
    CONSTRAINT revocations_kind CHECK (subject_kind IN ('USER', 'DEVICE', 'CONNECTOR', 'SERVICE_ACCOUNT', 'SESSION')),
    CONSTRAINT revocations_identity_sequence_unique UNIQUE (identity_sequence)
);
CREATE INDEX revocations_revoked_at ON revocations (revoked_at);

-- The change log every replica tails and PolicyStreamService serves. `payload` is the
-- protobuf encoding of the entity after the change (or of the deleted entity's ids).
-- network_ids / previous_network_ids are the remote networks the change concerns after and
-- before it, so that a connector's stream can tell "now in scope" from "left scope".
CREATE TABLE policy_log (
    sequence             bigserial   PRIMARY KEY,
    committed_at         timestamptz NOT NULL DEFAULT now(),
    kind                 text        NOT NULL,
    entity_id            text        NOT NULL,
    network_ids          text        NOT NULL DEFAULT '',
    previous_network_ids text        NOT NULL DEFAULT '',
    payload              bytea       NOT NULL
);
CREATE INDEX policy_log_committed_at ON policy_log (committed_at);

-- Everything below a pruned position is gone from policy_log; resuming from before it needs a
-- new snapshot.
CREATE TABLE policy_log_horizon (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    pruned_through  bigint  NOT NULL
);
INSERT INTO policy_log_horizon (pruned_through) VALUES (0);

-- The append-only audit log: admin changes (in the change's own transaction) and decisions
-- (in batches). Writers take the audit advisory lock, so sequence order is commit order and an
-- export resumed after a sequence misses nothing.
CREATE TABLE audit_events (
    sequence            bigserial   PRIMARY KEY,
    id                  uuid        NOT NULL,
    occurred_at         timestamptz NOT NULL,
    actor_kind          text        NOT NULL,
    actor_id            text        NOT NULL DEFAULT '',
    actor_display_name  text        NOT NULL DEFAULT '',
    action              text        NOT NULL,
    target_type         text        NOT NULL DEFAULT '',
    target_id           text        NOT NULL DEFAULT '',
    target_display_name text        NOT NULL DEFAULT '',
    outcome             text        NOT NULL,
    reason              text        NOT NULL DEFAULT '',
    rule_id             text        NOT NULL DEFAULT '',
    device_id           text        NOT NULL DEFAULT '',
    source_ip           text        NOT NULL DEFAULT '',
    request_id          text        NOT NULL DEFAULT '',
    details             text        NOT NULL DEFAULT '{}',
    CONSTRAINT audit_events_id_unique UNIQUE (id)
);
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at);
CREATE INDEX audit_events_target ON audit_events (target_id, occurred_at);

-- Audit events are never changed or deleted by the application; retention prunes by age only.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_events is append-only';
    END IF;
    IF TG_OP = 'DELETE' AND OLD.occurred_at > now() - interval '365 days' THEN
        RAISE EXCEPTION 'audit_events is append-only: only events older than the retention may be deleted';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
