-- hostile world notifications: webhook secrets sealed at rest, a delivery held by its take's token
-- An éditeur's webhook signing secret is kept sealed (AES-256-GCM under a key derived from the payload
-- keys, notifications/secret-box.ts) with the id of the key that sealed it. A secret kept in clear
-- before stays in webhook_secret until the engine seals it at its next start (the keys are not the
-- database's: SQL cannot seal it), then that column is emptied.
ALTER TABLE contacts ADD COLUMN webhook_secret_key_id text, ADD COLUMN webhook_secret_sealed bytea;
ALTER TABLE contacts ADD CONSTRAINT contacts_secret_sealed_with_its_key
  CHECK ((webhook_secret_key_id IS NULL) = (webhook_secret_sealed IS NULL));


-- A dispatcher holds the notifications it took under a token of that take; before each delivery it
-- extends its hold by the delivery's own bound, only while the token is still its own. A hold that
-- lapsed while the notification waited goes to whoever took it since: one delivery at a time.
ALTER TABLE notifications ADD COLUMN lease_token text;
