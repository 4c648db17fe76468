-- identity-svc schema, version 5: a second factor (TOTP) for built-in accounts.
-- The secret is sealed with the master key; totp_last_step refuses a code used twice.

ALTER TABLE users
    ADD COLUMN totp_secret_sealed bytea,
    ADD COLUMN totp_confirmed_at  timestamptz,
    ADD COLUMN totp_last_step     bigint;
