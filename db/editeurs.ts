import type { Enrolment } from '../domain/editeurs';
import type { BankDetails } from '../domain/bank-details';
import type { Actor } from '../domain/roles';
import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import { journalFacts } from './journal-facts';
import type { Sql } from './sql';

/**
 * The éditeurs enrolled and their bank details (db/migrations/015): each enrolment a new version,
 * each change of bank details a row that an ordonnateur validates or rejects. SQL only: the rules
 * (who may submit, who may decide) are the callers' (client/editeurs.ts, domain/).
 */
export interface EnrolmentRecord extends Enrolment {
  version: number;
  submittedAt: string;
  submittedBy: Actor;
  eventId: string;
}

export interface BankDetailsRecord extends BankDetails {
  id: number;
  editeurId: string;
  state: 'proposed' | 'valid' | 'superseded' | 'rejected';
  proposedAt: string;
  proposedBy: Actor;
  proposalEventId: string;
  decidedAt?: string;
  decidedBy?: Actor;
  rejectionReason?: string;
  validFrom?: string;
  validUntil?: string;
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const iso = (v: unknown) => (v instanceof Date ? v : new Date(String(v))).toISOString();
const optionalIso = (v: unknown) => (v === null || v === undefined ? undefined : iso(v));

const readEnrolment = (r: Record<string, unknown>): EnrolmentRecord => ({
  editeurId: String(r.editeur_id),
  version: Number(r.version),
  siret: String(r.siret),
  name: String(r.name),
  legalRepresentative: parse(r.legal_representative),
  mandate: parse(r.mandate),
  vatAttestation: String(r.vat_attestation),
  submittedAt: iso(r.submitted_at),
  submittedBy: parse(r.submitted_by),
  eventId: String(r.event_id),
});

export const readBankDetails = (r: Record<string, unknown>): BankDetailsRecord => ({
  id: Number(r.id),
  editeurId: String(r.editeur_id),
  iban: String(r.iban),
  bic: String(r.bic),
  holder: String(r.holder),
  state: r.state as BankDetailsRecord['state'],
  proposedAt: iso(r.proposed_at),
  proposedBy: parse(r.proposed_by),
  proposalEventId: String(r.proposal_event_id),
  ...(r.decided_at ? { decidedAt: iso(r.decided_at), decidedBy: parse<Actor>(r.decided_by) } : {}),
  ...(r.rejection_reason ? { rejectionReason: String(r.rejection_reason) } : {}),
  ...(r.valid_from ? { validFrom: optionalIso(r.valid_from) } : {}),
  ...(r.valid_until ? { validUntil: optionalIso(r.valid_until) } : {}),
});

/**
 * Whether an éditeur may be paid: enrolled, with bank details in force. The ledger asks it where a
 * payment order is written, so that no path — whatever it skipped before — orders money for an éditeur
 * the ASP cannot pay.
 */
export async function enrolledForPayment(sql: Sql, editeurId: string): Promise<boolean> {
  const [row] = await sql.query(
    "SELECT 1 FROM editeur_enrolments e JOIN bank_details d ON d.editeur_id = e.editeur_id AND d.state = 'valid' WHERE e.editeur_id = $1 LIMIT 1",
    [editeurId],
  );
  return Boolean(row);
}

export class Editeurs {
  constructor(readonly sql: Sql) {}

  /** The enrolment as it stands (its latest version), if any. */
  async enrolment(editeurId: string): Promise<EnrolmentRecord | undefined> {
    const [row] = await this.sql.query('SELECT * FROM editeurs WHERE editeur_id = $1', [editeurId]);
    return row ? readEnrolment(row) : undefined;
  }

  /** Every version of an enrolment, newest first. */
  /**
   * Every éditeur the programme knows — enrolled (with its name) or holding a solution (its id only) —
   * by name, for the OGs' signalement form and the lists that show names.
   */
  async known(): Promise<{ editeurId: string; name?: string }[]> {
    const rows = await this.sql.query<{ editeur_id: string; name: string | null }>(
      'SELECT k.editeur_id, e.name FROM (SELECT editeur_id FROM solutions UNION SELECT editeur_id FROM editeurs) k LEFT JOIN editeurs e USING (editeur_id)',
    );
    const byName = new Intl.Collator('fr', { numeric: true });
    return rows
      .map((r) => ({ editeurId: r.editeur_id, ...(r.name ? { name: r.name } : {}) }))
      .sort((a, b) => byName.compare(a.name ?? a.editeurId, b.name ?? b.editeurId));
  }

  async enrolmentHistory(editeurId: string): Promise<EnrolmentRecord[]> {
    return (
      await this.sql.query('SELECT * FROM editeur_enrolments WHERE editeur_id = $1 ORDER BY version DESC', [editeurId])
    ).map(readEnrolment);
  }

  /** Every éditeur enrolled, with its bank details in force and any change awaiting validation. */
  async list(): Promise<(EnrolmentRecord & { valid?: BankDetailsRecord; proposed?: BankDetailsRecord })[]> {
    const [enrolments, details] = await Promise.all([
      this.sql.query('SELECT * FROM editeurs ORDER BY editeur_id'),
      this.sql.query("SELECT * FROM bank_details WHERE state IN ('valid', 'proposed') ORDER BY id"),
    ]);
    const byEditeur = new Map<string, { valid?: BankDetailsRecord; proposed?: BankDetailsRecord }>();
    for (const d of details.map(readBankDetails))
      byEditeur.set(d.editeurId, { ...byEditeur.get(d.editeurId), [d.state]: d });
    return enrolments.map(readEnrolment).map((e) => ({ ...e, ...byEditeur.get(e.editeurId) }));
  }

  /**
   * Records a version of an enrolment, once per event id (the same event again answers the version
   * it wrote), journaled in its transaction.
   */
  async enrol(e: Enrolment, by: Actor, eventId: string): Promise<EnrolmentRecord> {
    return this.sql.transaction(async (tx) => {
      // one version at a time per éditeur: the next number under the lock of the éditeur's key
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`enrolment:${e.editeurId}`]);
      const [again] = await tx.query('SELECT * FROM editeur_enrolments WHERE event_id = $1', [eventId]);
      if (again) return readEnrolment(again);
      const [written] = await tx.query(
        `INSERT INTO editeur_enrolments (editeur_id, version, siret, name, legal_representative, mandate, vat_attestation, submitted_by, event_id)
         VALUES ($1, (SELECT COALESCE(max(version), 0) + 1 FROM editeur_enrolments WHERE editeur_id = $1), $2, $3, $4, $5, $6, $7, $8)
         RETURNING *`,
        [
          e.editeurId,
          e.siret,
          e.name,
          JSON.stringify(e.legalRepresentative),
          JSON.stringify(e.mandate),
          e.vatAttestation,
          JSON.stringify(by),
          eventId,
        ],
      );
      const record = readEnrolment(written!);
      await journalFacts(tx, 'editeur.enrolment', 'editeur_id = $1 AND version = $2', [e.editeurId, record.version]);
      return record;
    });
  }

  /** The bank details in force, if any. */
  async validBankDetails(editeurId: string, sql: Sql = this.sql): Promise<BankDetailsRecord | undefined> {
    const [row] = await sql.query("SELECT * FROM bank_details WHERE editeur_id = $1 AND state = 'valid'", [editeurId]);
    return row ? readBankDetails(row) : undefined;
  }

  /** Every version of an éditeur's bank details, newest first. */
  async bankDetailsHistory(editeurId: string): Promise<BankDetailsRecord[]> {
    return (await this.sql.query('SELECT * FROM bank_details WHERE editeur_id = $1 ORDER BY id DESC', [editeurId])).map(
      readBankDetails,
    );
  }

  /** The changes of bank details awaiting an ordonnateur, oldest first. */
  async bankDetailsProposed(): Promise<BankDetailsRecord[]> {
    return (await this.sql.query("SELECT * FROM bank_details WHERE state = 'proposed' ORDER BY id")).map(
      readBankDetails,
    );
  }

  async bankDetails(editeurId: string, id: number, sql: Sql = this.sql): Promise<BankDetailsRecord | undefined> {
    const [row] = await sql.query('SELECT * FROM bank_details WHERE editeur_id = $1 AND id = $2', [editeurId, id]);
    return row ? readBankDetails(row) : undefined;
  }

  /**
   * Proposes new bank details, once per event id; refused while another change awaits its decision
   * (one at a time: an ordonnateur decides on what the éditeur gave last).
   */
  async proposeBankDetails(
    editeurId: string,
    d: BankDetails,
    by: Actor,
    eventId: string,
  ): Promise<{ record: BankDetailsRecord; created: boolean }> {
    return this.sql.transaction(async (tx) => {
      const [again] = await tx.query('SELECT * FROM bank_details WHERE proposal_event_id = $1', [eventId]);
      if (again) return { record: readBankDetails(again), created: false };
      const [written] = await tx.query(
        `INSERT INTO bank_details (editeur_id, iban, bic, holder, state, proposed_by, proposal_event_id)
         VALUES ($1, $2, $3, $4, 'proposed', $5, $6) ON CONFLICT DO NOTHING RETURNING *`,
        [editeurId, d.iban, d.bic, d.holder, JSON.stringify(by), eventId],
      );
      if (!written) {
        // the same proposal written meanwhile by another attempt, or another change awaiting its decision
        const [same] = await tx.query('SELECT * FROM bank_details WHERE proposal_event_id = $1', [eventId]);
        if (same) return { record: readBankDetails(same), created: false };
        throw refuse('bank_details_pending', say('bank_details_pending'), 'iban');
      }
      await journalFacts(tx, 'editeur.bank_details', 'id = $1', [written.id]);
      return { record: readBankDetails(written), created: true };
    });
  }

  /**
   * An ordonnateur's decision on proposed bank details, in one transaction: validated, they are in
   * force from now and the earlier ones superseded; rejected, they carry the reason. `rules` judges
   * the row as it stands under its lock; the same decision's event id again answers the row.
   */
  async decideBankDetails(
    editeurId: string,
    id: number,
    decision: { by: Actor; eventId: string } & ({ validate: true } | { validate: false; reason: string }),
    rules: (current: BankDetailsRecord | undefined) => void,
  ): Promise<BankDetailsRecord> {
    return this.sql.transaction(async (tx) => {
      const [row] = await tx.query('SELECT * FROM bank_details WHERE editeur_id = $1 AND id = $2 FOR UPDATE', [
        editeurId,
        id,
      ]);
      const current = row ? readBankDetails(row) : undefined;
      if (row && row.decision_event_id === decision.eventId) return current!;
      rules(current);
      if (decision.validate) {
        const superseded = await tx.query(
          "UPDATE bank_details SET state = 'superseded', valid_until = now() WHERE editeur_id = $1 AND state = 'valid' RETURNING id",
          [editeurId],
        );
        for (const s of superseded) await journalFacts(tx, 'editeur.bank_details', 'id = $1', [s.id]);
      }
      const [decided] = await tx.query(
        decision.validate
          ? `UPDATE bank_details SET state = 'valid', decided_at = now(), decided_by = $3, decision_event_id = $4, valid_from = now()
             WHERE editeur_id = $1 AND id = $2 RETURNING *`
          : `UPDATE bank_details SET state = 'rejected', decided_at = now(), decided_by = $3, decision_event_id = $4, rejection_reason = $5
             WHERE editeur_id = $1 AND id = $2 RETURNING *`,
        [editeurId, id, JSON.stringify(decision.by), decision.eventId, ...(decision.validate ? [] : [decision.reason])],
      );
      await journalFacts(tx, 'editeur.bank_details', 'id = $1', [id]);
      return readBankDetails(decided!);
    });
  }
}
