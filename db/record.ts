import { say } from '../domain/messages';
import type { AuditEntry, BdcRecord, BdcView, BdcWorkflowInput, Deadline } from '../domain/bdc-view';
import { terminalStatuses } from '../domain/bdc-view';
import type { Refusal } from '../domain/refusal';
import { refuse } from '../domain/refusal';
import { EventIds } from './event-ids';
import { boundedRefusals, MAX_EVENT_BYTES, REFUSED_IN_READ } from '../domain/refusal-bounds';
import { journalFacts } from './journal-facts';
import { Ledger } from './ledger';
import { insertAudit, isoOf, readAudit, unknownProcess, type ProcessTable } from './recorded';
import { Solutions, type Solution } from './solutions';
import type { Sql } from './sql';

/**
 * The BDC record: one row per BDC (its whole state in `state`, the columns reads filter and sum
 * on) and its audit trail. The workflow writes it through activities at each transition, in the
 * same transaction as the transition's money effect; every read uses it.
 */

export interface Registration {
  record: BdcRecord;
  audit: AuditEntry;
  finessExtractionId?: number;
  registrationEventId: string;
  registrationHash: string;
  workflowInput: BdcWorkflowInput;
}

const pendingAt = (deadlines: Deadline[]) =>
  deadlines
    .filter((d) => d.state === 'pending')
    .map((d) => d.at)
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;

/** The columns the record's reads filter and sum on, from the state they are part of. */
function columns(r: BdcRecord) {
  const closing = r.deadlines.find((d) => d.name === 'closing');
  const ended = terminalStatuses.includes(r.status);
  return {
    status: r.status,
    version: r.version,
    state: JSON.stringify(r),
    running: !ended,
    next_deadline_at: pendingAt(r.deadlines),
    closing_at: closing?.at ?? null,
    closing_state: closing?.state ?? null,
    reimbursement_overdue: r.reimbursementOverdue,
    advance_paid_cents: r.amounts.paidCents > 0 ? Math.min(r.amounts.advanceCents, r.amounts.paidCents) : 0,
    paid_cents: r.amounts.paidCents,
    to_reimburse_cents: r.amounts.toReimburseCents,
    reimbursed_cents: r.amounts.reimbursedCents,
    ended_at: ended ? new Date().toISOString() : null,
  };
}

/** How the record keeps a BDC: its row in `bdcs`, its audit trail in `bdc_audit`. */
export const bdcTable: ProcessTable<BdcRecord> = {
  table: 'bdcs',
  idColumn: 'bdc_id',
  auditTable: 'bdc_audit',
  columns,
  setOnce: ['ended_at'],
  unknown: (id) => unknownProcess('bdc', id),
  journal: { audit: 'bdc.audit', state: 'bdc.state' },
};

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export class BdcRecords {
  constructor(readonly sql: Sql) {}

  /**
   * Registers a BDC in one transaction: its solution's référencement read under lock (`build` makes
   * the registration from it), its row (the record as it starts, with the workflow input to start),
   * its ESSMS claims (all or none) and its first audit entry. The business key (éditeur,
   * reference) is unique: a BDC the record knows is never registered twice, whatever Temporal holds.
   */
  async register(
    solution: { solutionId: string; editeurId: string },
    build: (solution: Solution) => Registration,
  ): Promise<Registration> {
    return this.sql.transaction(async (tx) => {
      const reg = build(await Solutions.lockForRegistration(tx, solution.solutionId, solution.editeurId));
      const r = reg.record;
      const c = columns(r);
      const inserted = await tx.query(
        `INSERT INTO bdcs (bdc_id, editeur_id, reference, campaign_id, solution_id, og_finess, essms, ceiling_cents, finess_extraction_id, status, version, state, running,
           next_deadline_at, closing_at, closing_state, registration_event_id, registration_hash, workflow_input)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT DO NOTHING RETURNING bdc_id`,
        [
          r.bdcId,
          r.request.editeurId,
          r.request.reference,
          r.campaign.id,
          r.request.solutionId,
          r.request.ogFiness,
          r.request.essms,
          r.amounts.ceilingCents,
          reg.finessExtractionId ?? null,
          c.status,
          c.version,
          c.state,
          c.running,
          c.next_deadline_at,
          c.closing_at,
          c.closing_state,
          reg.registrationEventId,
          reg.registrationHash,
          JSON.stringify(reg.workflowInput),
        ],
      );
      // the business key is taken (by this very order, registered first, perhaps at this instant)
      if (!inserted[0])
        throw refuse(
          'already_registered',
          say('already_registered', { reference: r.request.reference, editeurId: r.request.editeurId, bdcId: r.bdcId }),
          'reference',
          r.request.reference,
        );
      await new EventIds(tx).claim(reg.registrationEventId, r.bdcId, 'registration');
      await new Ledger(tx).claimEssms(r.bdcId, r.request.essms, r.campaign.vague ?? 1);
      await insertAudit(tx, bdcTable, r.bdcId, [reg.audit]);
      // the registration journaled with it: the BDC as registered and its first state (its claims and first audit line are)
      await journalFacts(tx, 'bdc.registered', 'bdc_id = $1', [r.bdcId]);
      await journalFacts(tx, 'bdc.state', 'bdc_id = $1', [r.bdcId]);
      return reg;
    });
  }

  /** The BDC registered under a business key, with its registration event. */
  async byBusinessKey(
    editeurId: string,
    reference: string,
  ): Promise<{ bdcId: string; registrationEventId: string | null; registrationHash: string | null } | undefined> {
    const [row] = await this.sql.query<{
      bdc_id: string;
      registration_event_id: string | null;
      registration_hash: string | null;
    }>('SELECT bdc_id, registration_event_id, registration_hash FROM bdcs WHERE editeur_id = $1 AND reference = $2', [
      editeurId,
      reference,
    ]);
    return row
      ? { bdcId: row.bdc_id, registrationEventId: row.registration_event_id, registrationHash: row.registration_hash }
      : undefined;
  }

  async markStarted(bdcId: string): Promise<void> {
    await this.sql.query('UPDATE bdcs SET workflow_started = true WHERE bdc_id = $1', [bdcId]);
  }

  /** The workflow input of a BDC recorded whose workflow is not known to have started; undefined otherwise. */
  async notStartedInput(bdcId: string): Promise<BdcWorkflowInput | undefined> {
    const [row] = await this.sql.query<{ workflow_input: unknown }>(
      'SELECT workflow_input FROM bdcs WHERE bdc_id = $1 AND NOT workflow_started AND workflow_input IS NOT NULL',
      [bdcId],
    );
    return row ? parse<BdcWorkflowInput>(row.workflow_input) : undefined;
  }

  /** BDCs registered before `before` whose workflow is not known to have started. */
  async notStarted(before: Date, limit = 100): Promise<{ bdcId: string; workflowInput: BdcWorkflowInput }[]> {
    const rows = await this.sql.query<{ bdc_id: string; workflow_input: unknown }>(
      'SELECT bdc_id, workflow_input FROM bdcs WHERE NOT workflow_started AND workflow_input IS NOT NULL AND registered_at < $1 ORDER BY registered_at LIMIT $2',
      [before.toISOString(), limit],
    );
    return rows.map((r) => ({ bdcId: r.bdc_id, workflowInput: parse<BdcWorkflowInput>(r.workflow_input) }));
  }

  /** Records an event a BDC refused, with its reasons. */
  async logRefusal(
    bdcId: string,
    refused: { eventId?: string; kind: string; actor: { role: string; id: string }; refusals: Refusal[] },
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const [row] = await tx.query<{ id: number }>(
        'INSERT INTO refused_events (bdc_id, event_id, kind, actor_role, actor_id, refusals) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [
          bdcId,
          refused.eventId ?? null,
          refused.kind,
          refused.actor.role,
          refused.actor.id,
          // what a caller sent is kept cut to a bound: a refused event never grows the record without limit
          JSON.stringify(boundedRefusals(refused.refusals)),
        ],
      );
      await journalFacts(tx, 'bdc.refused', 'id = $1', [row!.id]);
    });
  }

  /**
   * One BDC's record and audit trail, if the record knows it, with its latest refused events and how
   * many there are (the rest are paged: RecordQueries.refusedEvents).
   */
  async get(bdcId: string): Promise<
    | (BdcView & {
        refused: { at: string; kind: string; eventId?: string; by: AuditEntry['by']; refusals: Refusal[] }[];
        refusedCount: number;
      })
    | undefined
  > {
    const [row] = await this.sql.query<{ state: unknown }>(
      'SELECT state FROM bdcs WHERE bdc_id = $1 AND state IS NOT NULL',
      [bdcId],
    );
    if (!row) return undefined;
    const [audit, refused] = await Promise.all([
      this.sql.query('SELECT * FROM bdc_audit WHERE bdc_id = $1 ORDER BY seq', [bdcId]),
      this.sql.query(
        `SELECT * FROM (SELECT *, count(*) OVER () AS total FROM refused_events WHERE bdc_id = $1 ORDER BY id DESC LIMIT ${REFUSED_IN_READ}) latest ORDER BY id`,
        [bdcId],
      ),
    ]);
    return {
      ...parse<BdcRecord>(row.state),
      audit: audit.map(readAudit),
      refused: refused.map((r) => ({
        at: isoOf(r.at),
        kind: String(r.kind),
        ...(r.event_id ? { eventId: String(r.event_id) } : {}),
        by: { role: r.actor_role as AuditEntry['by']['role'], id: String(r.actor_id) },
        // a refused event kept before its reasons were bounded is bounded as it is read
        refusals: ((all: Refusal[]) => (JSON.stringify(all).length > MAX_EVENT_BYTES ? boundedRefusals(all) : all))(
          parse<Refusal[]>(r.refusals),
        ),
      })),
      refusedCount: refused.length ? Number(refused[0]!.total) : 0,
    };
  }

  /** A BDC's status as last committed (what every screen shows). */
  async statusOf(bdcId: string): Promise<string | undefined> {
    const [row] = await this.sql.query<{ status: string | null }>('SELECT status FROM bdcs WHERE bdc_id = $1', [bdcId]);
    return row?.status ?? undefined;
  }

  /** The éditeur of a BDC the record knows. */
  async editeurOf(bdcId: string): Promise<string | undefined> {
    const [row] = await this.sql.query<{ editeur_id: string }>('SELECT editeur_id FROM bdcs WHERE bdc_id = $1', [
      bdcId,
    ]);
    return row?.editeur_id;
  }
}
