-- the BDC record, its audit trail, the registry of solutions, batches
-- The record: one row per BDC, the truth every read uses and what outlives Temporal's retention.
-- The columns hold what reads filter and sum on; state holds the whole record (domain/bdc-view.ts).
ALTER TABLE bdcs
  ADD COLUMN reference text,
  ADD COLUMN solution_id text,
  ADD COLUMN status text,
  ADD COLUMN version int NOT NULL DEFAULT 0,
  ADD COLUMN state jsonb,
  ADD COLUMN running boolean NOT NULL DEFAULT true,
  ADD COLUMN next_deadline_at timestamptz,
  ADD COLUMN closing_at timestamptz,
  ADD COLUMN closing_state text,
  ADD COLUMN reimbursement_overdue boolean NOT NULL DEFAULT false,
  ADD COLUMN advance_paid_cents int8 NOT NULL DEFAULT 0,
  ADD COLUMN paid_cents int8 NOT NULL DEFAULT 0,
  ADD COLUMN to_reimburse_cents int8 NOT NULL DEFAULT 0,
  ADD COLUMN reimbursed_cents int8 NOT NULL DEFAULT 0,
  -- the registration: its event (scoped id and content hash) and the workflow it starts
  ADD COLUMN registration_event_id text,
  ADD COLUMN registration_hash text,
  ADD COLUMN workflow_input jsonb,
  ADD COLUMN workflow_started boolean NOT NULL DEFAULT false,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN ended_at timestamptz;
ALTER TABLE bdcs ADD CONSTRAINT bdcs_status_known CHECK (status IS NULL OR status IN (
  'received', 'awaiting_referencement', 'advance_issued', 'awaiting_va', 'balance_issued', 'completed', 'lapsed',
  'cancelled', 'rejected', 'reimbursement_due', 'reimbursed', 'needs_attention'));
-- the business key: one BDC per éditeur and order reference, whatever Temporal holds
CREATE UNIQUE INDEX bdcs_business_key ON bdcs (editeur_id, reference);
CREATE INDEX bdcs_by_status ON bdcs (status, bdc_id);
CREATE INDEX bdcs_by_campaign ON bdcs (campaign_id, running, bdc_id);
CREATE INDEX bdcs_by_editeur ON bdcs (editeur_id, bdc_id);
CREATE INDEX bdcs_by_solution ON bdcs (solution_id, status, bdc_id);
CREATE INDEX bdcs_by_og ON bdcs (og_finess, bdc_id);
CREATE INDEX bdcs_by_essms ON bdcs USING gin (essms);
CREATE INDEX bdcs_by_next_deadline ON bdcs (next_deadline_at);
CREATE INDEX bdcs_not_started ON bdcs (registered_at) WHERE NOT workflow_started;

-- Each BDC's audit trail, append-only: an entry is written once at its rank, whatever the retries.
CREATE TABLE bdc_audit (
  bdc_id text NOT NULL REFERENCES bdcs (bdc_id),
  seq int NOT NULL,
  at timestamptz NOT NULL,
  kind text NOT NULL,
  what text NOT NULL,
  actor_role text NOT NULL,
  actor_id text NOT NULL,
  event_id text,
  PRIMARY KEY (bdc_id, seq)
);
-- Events refused at a BDC, with their reasons: refused attempts are part of the record too.
CREATE TABLE refused_events (
  id bigserial PRIMARY KEY,
  bdc_id text NOT NULL,
  event_id text,
  kind text NOT NULL,
  actor_role text NOT NULL,
  actor_id text NOT NULL,
  refusals jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refused_events_by_bdc ON refused_events (bdc_id, id);

-- Référencement belongs to the solution: the ANS grants or refuses it, every BDC follows.
CREATE TABLE solutions (
  solution_id text PRIMARY KEY,
  editeur_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'granted', 'refused')),
  decided_on date,
  decision_event_id text,
  decided_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Batches (calendar amendment, solution decision): their progress and each BDC's outcome.
CREATE TABLE batches (
  batch_id text PRIMARY KEY,
  kind text NOT NULL,
  params jsonb NOT NULL,
  total int,
  applied int NOT NULL DEFAULT 0,
  skipped int NOT NULL DEFAULT 0,
  failed int NOT NULL DEFAULT 0,
  done boolean NOT NULL DEFAULT false,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE batch_items (
  batch_id text NOT NULL REFERENCES batches (batch_id),
  bdc_id text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('applied', 'skipped', 'failed')),
  reason text,
  PRIMARY KEY (batch_id, bdc_id)
);
