-- policy-svc schema, version 4: connectors' live state as relays report it.
-- One row per relay and connector: each relay replaces its own rows with every report, so a
-- connector is online while any relay heard it within that relay's offline_after.

CREATE TABLE connector_reports (
    relay_id          uuid        NOT NULL,
    connector_id      uuid        NOT NULL,
    last_heartbeat_at timestamptz NOT NULL,
    offline_after_ms  bigint      NOT NULL,
    version           text        NOT NULL DEFAULT '',
    labels            text        NOT NULL DEFAULT '{}',
    active_flow_count integer     NOT NULL DEFAULT 0,
    reported_at       timestamptz NOT NULL,
    PRIMARY KEY (connector_id, relay_id)
);
CREATE INDEX connector_reports_relay ON connector_reports (relay_id);
