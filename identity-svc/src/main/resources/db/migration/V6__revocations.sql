-- identity-svc schema, version 6: revocations as an ordered, append-only log.
-- Every revocation of a user, device, session, service account or connector is a row here,
-- committed with the change it announces. Replicas read it to refuse revoked tokens, and
-- IdentityEventsService.WatchRevocations streams it (policy-svc passes it on to relays and
-- connectors). Writers serialise on an advisory lock so that sequence order is commit order
-- and a reader that has seen sequence n has seen everything before it.
CREATE TABLE revocations (
    sequence     bigserial   PRIMARY KEY,
    subject_kind text        NOT NULL,
    subject_id   uuid        NOT NULL,
    revoked_at   timestamptz NOT NULL,
    reason       text        NOT NULL,
    detail       text,
    CONSTRAINT revocations_subject_kind CHECK (subject_kind IN ('USER', 'DEVICE', 'SESSION', 'SERVICE_ACCOUNT', 'CONNECTOR')),
    CONSTRAINT revocations_detail_length CHECK (char_length(detail) <= 500)
);
CREATE INDEX revocations_subject ON revocations (subject_kind, subject_id);

-- An admin vouches for a device (access rules may require it).
ALTER TABLE devices ADD COLUMN trusted boolean NOT NULL DEFAULT false;
