import type { Sql } from './sql';

/**
 * The project's one schema, as numbered migrations applied at start-up. Append; never edit a
 * migration that has shipped.
 */
const migrations: { version: number; name: string; script: string }[] = [
  {
    version: 1,
    name: 'ledger',
    script: `
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
    `,
  },
  {
    version: 2,
    name: 'finess reference data',
    script: `
      -- one row per imported extraction; establishments are versioned by it
      CREATE TABLE finess_extractions (
        id serial PRIMARY KEY,
        extraction_date date NOT NULL UNIQUE,
        source text NOT NULL,
        encoding text NOT NULL,
        rows_read int NOT NULL DEFAULT 0,
        rows_kept int NOT NULL DEFAULT 0,
        rows_rejected int NOT NULL DEFAULT 0,
        -- an extraction is used only once its import has finished
        complete boolean NOT NULL DEFAULT false,
        imported_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE finess_establishments (
        extraction_id int NOT NULL REFERENCES finess_extractions (id) ON DELETE CASCADE,
        nofinesset text NOT NULL,
        nofinessej text NOT NULL,
        rs text NOT NULL,
        departement text NOT NULL,
        categetab text NOT NULL,
        libcategetab text NOT NULL,
        categagretab text NOT NULL,
        libcategagretab text NOT NULL,
        PRIMARY KEY (extraction_id, nofinesset)
      );
      CREATE INDEX finess_establishments_og ON finess_establishments (extraction_id, nofinessej);
      -- ESSMS financed by ESMS numérique for the acquisition of a référencé DUI: not financed again
      CREATE TABLE essms_exclusions (
        essms_finess text PRIMARY KEY,
        reason text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      );
      -- the extraction each BDC was checked against
      ALTER TABLE bdcs ADD COLUMN finess_extraction_id int REFERENCES finess_extractions (id);
    `,
  },
  {
    version: 3,
    name: 'campaign calendar amendments',
    script: `
      -- amendments of a configured campaign's calendar, applied in order over its shipped dates
      CREATE TABLE campaign_amendments (
        id serial PRIMARY KEY,
        campaign_id text NOT NULL,
        event_id text NOT NULL UNIQUE,
        order_deadline date,
        closing_date date,
        reason text NOT NULL,
        actor text NOT NULL,
        amended_at timestamptz NOT NULL DEFAULT now(),
        CHECK (order_deadline IS NOT NULL OR closing_date IS NOT NULL)
      );
    `,
  },
  {
    version: 4,
    name: 'campaigns added at run time and precise deadlines',
    script: `
      -- campaigns an operator adds through the API (the demo's among them), beside the configured ones
      CREATE TABLE campaigns (
        campaign_id text PRIMARY KEY,
        definition jsonb NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now()
      );
      -- an amendment may set the closing to an instant rather than the end of a day
      ALTER TABLE campaign_amendments ADD COLUMN closing_at timestamptz;
      ALTER TABLE campaign_amendments DROP CONSTRAINT campaign_amendments_check;
      ALTER TABLE campaign_amendments ADD CHECK (order_deadline IS NOT NULL OR closing_date IS NOT NULL OR closing_at IS NOT NULL);
    `,
  },
  {
    version: 5,
    name: 'the BDC record, its audit trail, the registry of solutions, batches',
    script: `
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
    `,
  },
  {
    version: 6,
    name: 'audit in every language, documents',
    script: `
      -- the catalogue's message of an audit entry (domain/messages.ts): the console says it in French
      ALTER TABLE bdc_audit ADD COLUMN message_key text, ADD COLUMN params jsonb;
      -- documents uploaded by éditeurs (the signed VA, the invoice), stored by their SHA-256: the same
      -- file uploaded twice is stored once; a VA event carries the hashes
      CREATE TABLE documents (
        sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content_type text NOT NULL,
        size_bytes int NOT NULL CHECK (size_bytes > 0),
        content bytea NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );
      -- who uploaded which document, under which name: an éditeur refers only to its own uploads
      CREATE TABLE document_uploads (
        sha256 text NOT NULL REFERENCES documents (sha256),
        editeur_id text NOT NULL,
        file_name text NOT NULL,
        uploaded_by text NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sha256, editeur_id)
      );
      -- imports an operator started from the console (a FINESS extraction, a bulk registration): their
      -- progress and outcome, read by their progress page; the refused rows kept to download
      CREATE TABLE imports (
        import_id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('finess', 'bdcs')),
        file_name text NOT NULL,
        started_by text NOT NULL,
        total int,
        done int NOT NULL DEFAULT 0,
        outcome jsonb,
        refused_csv text,
        failure text,
        finished boolean NOT NULL DEFAULT false,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 7,
    name: 'several demands per BDC, write-offs, claims per vague, controls, notifications, signalements',
    script: `
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
    `,
  },
];

export async function migrate(sql: Sql): Promise<number[]> {
  return sql.transaction(async (tx) => {
    // several processes may start at once against one PostgreSQL: one migrates, the others wait
    await tx.query('SELECT pg_advisory_xact_lock(7270347)');
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    const pending = migrations.filter((m) => !applied.has(m.version));
    for (const m of pending) {
      await tx.exec(m.script);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    return pending.map((m) => m.version);
  });
}
