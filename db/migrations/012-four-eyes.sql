-- money decided by four eyes
-- Every money effect is first proposed, then validated by ordonnateurs (DOMAIN.md "Money decided by
-- four eyes"). A process's proposals live in its record; this table lists them across every BDC and
-- control, for the ordonnateurs' « Ordres à valider » (never decided from Temporal's visibility).
ALTER TABLE bdcs DROP CONSTRAINT bdcs_status_known;
ALTER TABLE bdcs ADD CONSTRAINT bdcs_status_known CHECK (status IS NULL OR status IN (
  'awaiting_referencement', 'advance_issued', 'awaiting_validation', 'awaiting_va', 'completed', 'lapsed', 'cancelled',
  'rejected', 'reimbursement_due', 'reimbursed', 'needs_attention', 'written_off'));

CREATE TABLE money_proposals (
  process text NOT NULL CHECK (process IN ('bdc', 'control')),
  process_id text NOT NULL,
  proposal_id text NOT NULL,
  bdc_id text NOT NULL REFERENCES bdcs (bdc_id),
  kind text NOT NULL CHECK (kind IN ('advance', 'balance', 'reimbursement', 'recovery', 'writeOff')),
  amount_cents int8 NOT NULL CHECK (amount_cents > 0),
  state text NOT NULL CHECK (state IN ('proposed', 'validated', 'rejected', 'withdrawn')),
  proposed_at timestamptz NOT NULL,
  proposed_by jsonb NOT NULL,
  caused_by jsonb,
  validations_needed int NOT NULL CHECK (validations_needed IN (1, 2)),
  validations jsonb NOT NULL,
  rejection jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (process, process_id, proposal_id)
);
CREATE INDEX money_proposals_by_state ON money_proposals (state, proposed_at);
CREATE INDEX money_proposals_by_bdc ON money_proposals (bdc_id);
