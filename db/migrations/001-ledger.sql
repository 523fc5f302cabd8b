-- ledger
CREATE TABLE bdcs (
  bdc_id text PRIMARY KEY,
  editeur_id text NOT NULL,
  campaign_id text NOT NULL,
  og_finess text NOT NULL,
  essms text[] NOT NULL,
  ceiling_cents int8 NOT NULL CHECK (ceiling_cents > 0),
  registered_at timestamptz NOT NULL DEFAULT now()
);
-- one financing per ESSMS: the primary key is the ESSMS itself
CREATE TABLE essms_claims (
  essms_finess text PRIMARY KEY,
  bdc_id text NOT NULL REFERENCES bdcs (bdc_id),
  claimed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX essms_claims_bdc ON essms_claims (bdc_id);
CREATE TABLE payment_orders (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  bdc_id text NOT NULL REFERENCES bdcs (bdc_id),
  kind text NOT NULL CHECK (kind IN ('advance', 'balance')),
  amount_cents int8 NOT NULL CHECK (amount_cents > 0),
  issued_at timestamptz NOT NULL DEFAULT now(),
  -- whatever the key, a BDC is paid one advance and one balance at most
  UNIQUE (bdc_id, kind)
);
CREATE TABLE reimbursement_demands (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  bdc_id text NOT NULL UNIQUE REFERENCES bdcs (bdc_id),
  amount_cents int8 NOT NULL CHECK (amount_cents > 0),
  reason text NOT NULL,
  due_at timestamptz NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE reimbursement_receipts (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  bdc_id text NOT NULL REFERENCES reimbursement_demands (bdc_id),
  amount_cents int8 NOT NULL CHECK (amount_cents > 0),
  received_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
