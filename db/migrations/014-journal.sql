-- journal: a hash chain over every fact, signed checkpoints, verifications
-- The journal (issue 25): every fact the record and the ledger write (an audit line, a refused event, a
-- payment order, a demand, a receipt, a write-off, claims, a notification, a draw, a solution's
-- référencement, a state) is appended, in the transaction that writes it, as one entry: its number,
-- its canonical form (RFC 8785 JSON of seq, instant, kind, subject, BDC, content), the hash of the entry
-- before it and its own: hash = SHA-256(previous hash || SHA-256(canonical)). Entries are never updated.
CREATE TABLE journal (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  kind text NOT NULL,
  subject text NOT NULL,
  bdc_id text,
  canonical text NOT NULL,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
-- the verification compares each fact with the latest entry of its subject; an export takes a BDC's entries
CREATE INDEX journal_by_subject ON journal (kind, subject, seq);
CREATE INDEX journal_by_bdc ON journal (bdc_id, seq) WHERE bdc_id IS NOT NULL;

-- The one serial point: the head, one row, locked by a writer from its journal's entries to its
-- commit. The journal's id names this journal in every signed checkpoint (no checkpoint of a test
-- journal passes for production's).
CREATE TABLE journal_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  journal_id text NOT NULL DEFAULT gen_random_uuid()::text,
  seq bigint NOT NULL CHECK (seq >= 0),
  hash text NOT NULL
);
INSERT INTO journal_head (seq, hash) VALUES (0, repeat('0', 64));

-- The public halves of the journal's signing keys, as the worker configured them (JOURNAL_KEYS): what
-- an export hands an auditor, who compares them with the key the ASP gave them.
CREATE TABLE journal_keys (
  key_id text PRIMARY KEY,
  public_key text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- Signed checkpoints: the head (seq, hash) at an instant, numbered one after the other, its statement
-- signed with Ed25519 and published (the outbox) to the configured recipients.
CREATE TABLE journal_checkpoints (
  n bigint PRIMARY KEY CHECK (n > 0),
  seq bigint NOT NULL,
  hash text NOT NULL,
  signed_at timestamptz NOT NULL,
  key_id text NOT NULL,
  statement text NOT NULL,
  signature text NOT NULL,
  requested_by text NOT NULL
);
-- a checkpoint asked for on demand (the API, the console), signed by the worker that holds the key
CREATE TABLE journal_checkpoint_requests (
  id bigserial PRIMARY KEY,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  taken_until timestamptz,
  done_at timestamptz,
  checkpoint_n bigint
);
CREATE INDEX journal_checkpoint_requests_pending ON journal_checkpoint_requests (id) WHERE done_at IS NULL;

-- Verifications: asked for (the API, the console) or daily, run by a worker; the first mismatch named.
CREATE TABLE journal_verifications (
  id bigserial PRIMARY KEY,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'running', 'ok', 'mismatch', 'failed')),
  taken_until timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  verified_seq bigint,
  verified_hash text,
  entries bigint,
  facts bigint,
  checkpoints int,
  mismatches int,
  first_mismatch jsonb,
  mismatch_list jsonb,
  failure text
);
CREATE INDEX journal_verifications_pending ON journal_verifications (id) WHERE status IN ('requested', 'running');
CREATE INDEX journal_verifications_finished ON journal_verifications (finished_at) WHERE finished_at IS NOT NULL;

-- Who receives the signed checkpoints: an auditor's contact (its emails, its signed webhook), set by an
-- admin, named in JOURNAL_CHECKPOINT_RECIPIENTS as auditor:<id> beside plain email addresses.
ALTER TABLE contacts DROP CONSTRAINT contacts_party_check;
ALTER TABLE contacts ADD CONSTRAINT contacts_party_check CHECK (party IN ('editeur', 'og', 'operators', 'auditor'));
