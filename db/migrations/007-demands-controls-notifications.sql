-- several demands per BDC, write-offs, claims per vague, controls, notifications, signalements
-- A BDC may owe several demands: the advance's reimbursement (one at most) and recoveries after
-- a posteriori controls (one per control). A receipt names the demand it settles.
ALTER TABLE reimbursement_demands ADD COLUMN kind text NOT NULL DEFAULT 'reimbursement' CHECK (kind IN ('reimbursement', 'recovery'));
ALTER TABLE reimbursement_demands ADD COLUMN control_id text;
ALTER TABLE reimbursement_receipts ADD COLUMN demand_id bigint REFERENCES reimbursement_demands (id);
UPDATE reimbursement_receipts r SET demand_id = d.id FROM reimbursement_demands d WHERE d.bdc_id = r.bdc_id;
ALTER TABLE reimbursement_receipts ALTER COLUMN demand_id SET NOT NULL;
ALTER TABLE reimbursement_receipts DROP CONSTRAINT reimbursement_receipts_bdc_id_fkey;
ALTER TABLE reimbursement_receipts ADD CONSTRAINT reimbursement_receipts_bdc_fkey FOREIGN KEY (bdc_id) REFERENCES bdcs (bdc_id);
ALTER TABLE reimbursement_demands DROP CONSTRAINT reimbursement_demands_bdc_id_key;
CREATE UNIQUE INDEX reimbursement_demands_one_per_bdc ON reimbursement_demands (bdc_id) WHERE kind = 'reimbursement';
CREATE UNIQUE INDEX recovery_demands_one_per_control ON reimbursement_demands (control_id) WHERE kind = 'recovery';
ALTER TABLE reimbursement_demands ADD CONSTRAINT recovery_names_its_control CHECK ((kind = 'recovery') = (control_id IS NOT NULL));
-- what an operator gives up of a demand, with why: written once, the demand then settled
CREATE TABLE demand_write_offs (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  demand_id bigint NOT NULL UNIQUE REFERENCES reimbursement_demands (id),
  bdc_id text NOT NULL REFERENCES bdcs (bdc_id),
  amount_cents int8 NOT NULL CHECK (amount_cents > 0),
  reason text NOT NULL,
  written_off_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE bdcs DROP CONSTRAINT bdcs_status_known;
ALTER TABLE bdcs ADD CONSTRAINT bdcs_status_known CHECK (status IS NULL OR status IN (
  'received', 'awaiting_referencement', 'advance_issued', 'awaiting_va', 'balance_issued', 'completed', 'lapsed',
  'cancelled', 'rejected', 'reimbursement_due', 'reimbursed', 'needs_attention', 'written_off'));

-- Who is told what: contacts are data (an éditeur's email and webhook, an OG's email, the operators' list).
CREATE TABLE contacts (
  party text NOT NULL CHECK (party IN ('editeur', 'og', 'operators')),
  party_id text NOT NULL,
  emails text[] NOT NULL DEFAULT '{}',
  webhook_url text,
  webhook_secret text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (party, party_id)
);
-- The outbox: a notification is written once, under its key, in the transaction of what caused
-- it (a reminder with its audit entry); the dispatcher delivers it, retried with backoff.
CREATE TABLE notifications (
  notification_id text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  party text NOT NULL,
  party_id text NOT NULL,
  bdc_id text,
  template text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  payload jsonb NOT NULL,
  address text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'no_contact')),
  attempts int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  PRIMARY KEY (notification_id, channel)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_by_bdc ON notifications (bdc_id);

-- A posteriori controls: each draw recorded with its parameters (anyone can redraw it), each
-- sampled BDC's control with its state (its workflow writes it) and its audit trail.
CREATE TABLE control_draws (
  draw_id text PRIMARY KEY,
  seed text NOT NULL,
  params jsonb NOT NULL,
  population int NOT NULL,
  population_digest text NOT NULL,
  drawn_by text NOT NULL,
  drawn_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE controls (
  control_id text PRIMARY KEY,
  draw_id text NOT NULL REFERENCES control_draws (draw_id),
  bdc_id text NOT NULL REFERENCES bdcs (bdc_id),
  stratum text NOT NULL,
  rank text NOT NULL,
  status text NOT NULL,
  overdue boolean NOT NULL DEFAULT false,
  version int NOT NULL DEFAULT 0,
  state jsonb NOT NULL,
  workflow_input jsonb NOT NULL,
  workflow_started boolean NOT NULL DEFAULT false,
  recovery_cents int8 NOT NULL DEFAULT 0,
  recovered_cents int8 NOT NULL DEFAULT 0,
  written_off_cents int8 NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (draw_id, bdc_id)
);
CREATE INDEX controls_by_bdc ON controls (bdc_id);
CREATE INDEX controls_by_status ON controls (status, control_id);
CREATE TABLE control_audit (
  control_id text NOT NULL REFERENCES controls (control_id),
  seq int NOT NULL,
  at timestamptz NOT NULL,
  kind text NOT NULL,
  what text NOT NULL,
  actor_role text NOT NULL,
  actor_id text NOT NULL,
  event_id text,
  message_key text,
  params jsonb,
  PRIMARY KEY (control_id, seq)
);

-- Signalements: an OG reports a doubtful quote (seed 004), recorded against the éditeur and the BDC.
CREATE TABLE signalements (
  signalement_id text PRIMARY KEY,
  og_finess text NOT NULL,
  editeur_id text NOT NULL,
  bdc_id text,
  quote_cents int8,
  description text NOT NULL,
  contact_email text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  answer text,
  answered_by text,
  answered_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signalements_by_editeur ON signalements (editeur_id, received_at);

-- An ESSMS is financed once per vague: a vague-2 BDC may cover an ESSMS vague 1 financed.
ALTER TABLE essms_claims ADD COLUMN vague int NOT NULL DEFAULT 1;
ALTER TABLE essms_claims DROP CONSTRAINT essms_claims_pkey;
ALTER TABLE essms_claims ADD PRIMARY KEY (vague, essms_finess);
