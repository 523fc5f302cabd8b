-- payments: éditeurs enrolled, bank details by four eyes, payment runs and the bank's answers
-- DOMAIN.md "Money decided by four eyes": an order validated by the ordonnateurs is paid by a comptable
-- in a payment run (a SEPA credit transfer file) to the éditeur's bank details valid at release; the
-- bank answers per order. Nothing here is written by a workflow: each fact is one transaction of a
-- person (client/), journaled in it.

-- An éditeur's enrolment, one row per version submitted (the latest is the enrolment): its SIRET, its
-- name, its legal representative, who may act for it (the mandate) and its VAT attestation (a PDF of
-- the documents, stored as a VA's).
CREATE TABLE editeur_enrolments (
  editeur_id text NOT NULL,
  version int NOT NULL CHECK (version > 0),
  siret text NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  legal_representative jsonb NOT NULL,
  mandate jsonb NOT NULL CHECK (jsonb_typeof(mandate) = 'array' AND jsonb_array_length(mandate) > 0),
  vat_attestation text NOT NULL REFERENCES documents (sha256),
  submitted_at timestamptz NOT NULL DEFAULT now(),
  submitted_by jsonb NOT NULL,
  event_id text NOT NULL UNIQUE,
  PRIMARY KEY (editeur_id, version)
);
CREATE VIEW editeurs AS
SELECT DISTINCT ON (editeur_id) * FROM editeur_enrolments ORDER BY editeur_id, version DESC;

-- Bank details, each version a row: proposed by a person of the éditeur, validated (or rejected) by an
-- ordonnateur who did not propose them; the validated one is valid until the next is validated. One
-- valid and one awaiting validation per éditeur at most.
CREATE TABLE bank_details (
  id bigserial PRIMARY KEY,
  editeur_id text NOT NULL,
  iban text NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
  bic text NOT NULL CHECK (bic ~ '^[A-Z0-9]{8}([A-Z0-9]{3})?$'),
  holder text NOT NULL CHECK (length(holder) BETWEEN 1 AND 70),
  state text NOT NULL CHECK (state IN ('proposed', 'valid', 'superseded', 'rejected')),
  proposed_at timestamptz NOT NULL DEFAULT now(),
  proposed_by jsonb NOT NULL,
  proposal_event_id text NOT NULL UNIQUE,
  decided_at timestamptz,
  decided_by jsonb,
  decision_event_id text UNIQUE,
  rejection_reason text,
  valid_from timestamptz,
  valid_until timestamptz,
  CHECK ((state = 'proposed') = (decided_at IS NULL)),
  CHECK (state NOT IN ('valid', 'superseded') OR valid_from IS NOT NULL),
  CHECK ((state = 'superseded') = (valid_until IS NOT NULL)),
  CHECK ((state = 'rejected') = (rejection_reason IS NOT NULL))
);
CREATE UNIQUE INDEX bank_details_one_valid ON bank_details (editeur_id) WHERE state = 'valid';
CREATE UNIQUE INDEX bank_details_one_proposed ON bank_details (editeur_id) WHERE state = 'proposed';

-- A payment order's state: validated (by the ordonnateurs: the order is written then), released (in a
-- run), paid or rejected (the bank's answer); a rejected order validated again by an ordonnateur is
-- validated again. `run_id` is the run it was last released in.
ALTER TABLE payment_orders
  ADD COLUMN state text NOT NULL DEFAULT 'validated' CHECK (state IN ('validated', 'released', 'paid', 'rejected')),
  ADD COLUMN run_id text,
  ADD COLUMN state_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_run_when_released
  CHECK ((state = 'validated') = (run_id IS NULL));
CREATE INDEX payment_orders_by_state ON payment_orders (state, id);

-- A payment run: the comptable's key (a release retried with it is that run again), its pain.001 file
-- (ISO 20022 pain.001.001.09), its message id, control sum and count, as released.
CREATE TABLE payment_runs (
  run_id text PRIMARY KEY,
  message_id text NOT NULL UNIQUE CHECK (length(message_id) <= 35),
  released_at timestamptz NOT NULL DEFAULT now(),
  released_by jsonb NOT NULL,
  execution_date date NOT NULL,
  debtor jsonb NOT NULL,
  transfers int NOT NULL CHECK (transfers > 0),
  control_sum_cents int8 NOT NULL CHECK (control_sum_cents > 0),
  file text NOT NULL,
  file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$')
);
ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_run FOREIGN KEY (run_id) REFERENCES payment_runs (run_id);

-- One transfer per order of a run, to the bank details valid at release, and the bank's answer.
CREATE TABLE payment_transfers (
  run_id text NOT NULL REFERENCES payment_runs (run_id),
  order_id bigint NOT NULL REFERENCES payment_orders (id),
  end_to_end_id text NOT NULL CHECK (length(end_to_end_id) <= 35),
  amount_cents int8 NOT NULL CHECK (amount_cents > 0),
  bank_details_id bigint NOT NULL REFERENCES bank_details (id),
  outcome text CHECK (outcome IN ('paid', 'rejected')),
  reason_code text,
  answered_at timestamptz,
  answered_by jsonb,
  answer_source text CHECK (answer_source IN ('pain002', 'manual')),
  answer_message_id text,
  PRIMARY KEY (run_id, order_id),
  UNIQUE (run_id, end_to_end_id),
  CHECK ((outcome IS NULL) = (answered_at IS NULL)),
  CHECK (outcome IS DISTINCT FROM 'rejected' OR reason_code IS NOT NULL)
);
-- an order is in one released run at most — unless the bank rejected that transfer, and an
-- ordonnateur validated the order again for a later run
CREATE UNIQUE INDEX payment_transfers_once ON payment_transfers (order_id) WHERE outcome IS DISTINCT FROM 'rejected';

-- What happened to each order after its validation, in order: released, paid, rejected by the bank,
-- validated again — who, when, why. A BDC's page shows it beside the proposal's validations.
CREATE TABLE payment_order_events (
  order_id bigint NOT NULL REFERENCES payment_orders (id),
  seq int NOT NULL CHECK (seq > 0),
  at timestamptz NOT NULL DEFAULT now(),
  state text NOT NULL CHECK (state IN ('validated', 'released', 'paid', 'rejected')),
  actor jsonb NOT NULL,
  run_id text REFERENCES payment_runs (run_id),
  reason text,
  event_id text NOT NULL,
  PRIMARY KEY (order_id, seq),
  UNIQUE (order_id, event_id)
);

-- The bank's status reports (pain.002) as received, each once.
CREATE TABLE bank_status_reports (
  message_id text PRIMARY KEY,
  run_id text NOT NULL REFERENCES payment_runs (run_id),
  received_at timestamptz NOT NULL DEFAULT now(),
  recorded_by jsonb NOT NULL,
  file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  transfers int NOT NULL
);

-- the money of every BDC gains its orders by state (columns appended: the view's earlier ones stay)
CREATE OR REPLACE VIEW bdc_money AS
SELECT b.bdc_id, b.campaign_id, b.status, b.editeur_id, b.ceiling_cents,
       COALESCE(o.advance, 0)::int8 AS advance_cents,
       COALESCE(o.paid, 0)::int8 AS paid_cents,
       COALESCE(d.reimbursement, 0)::int8 AS reimbursement_demanded_cents,
       COALESCE(d.recovery, 0)::int8 AS recovery_demanded_cents,
       COALESCE(r.received, 0)::int8 AS received_cents,
       COALESCE(w.written_off, 0)::int8 AS written_off_cents,
       (COALESCE(d.reimbursement, 0) + COALESCE(d.recovery, 0) - COALESCE(r.received, 0) - COALESCE(w.written_off, 0))::int8 AS outstanding_cents,
       COALESCE(o.to_release, 0)::int8 AS to_release_cents,
       COALESCE(o.released, 0)::int8 AS released_cents,
       COALESCE(o.bank_paid, 0)::int8 AS bank_paid_cents,
       COALESCE(o.bank_rejected, 0)::int8 AS bank_rejected_cents
FROM bdcs b
LEFT JOIN (SELECT bdc_id, sum(amount_cents) FILTER (WHERE kind = 'advance') AS advance, sum(amount_cents) AS paid,
                  sum(amount_cents) FILTER (WHERE state = 'validated') AS to_release,
                  sum(amount_cents) FILTER (WHERE state = 'released') AS released,
                  sum(amount_cents) FILTER (WHERE state = 'paid') AS bank_paid,
                  sum(amount_cents) FILTER (WHERE state = 'rejected') AS bank_rejected
           FROM payment_orders GROUP BY bdc_id) o USING (bdc_id)
LEFT JOIN (SELECT bdc_id, sum(amount_cents) FILTER (WHERE kind = 'reimbursement') AS reimbursement,
                  sum(amount_cents) FILTER (WHERE kind = 'recovery') AS recovery
           FROM reimbursement_demands GROUP BY bdc_id) d USING (bdc_id)
LEFT JOIN (SELECT bdc_id, sum(amount_cents) AS received FROM reimbursement_receipts GROUP BY bdc_id) r USING (bdc_id)
LEFT JOIN (SELECT bdc_id, sum(amount_cents) AS written_off FROM demand_write_offs GROUP BY bdc_id) w USING (bdc_id)
WHERE b.state IS NOT NULL;
