import type { BatchSelector } from '../contract/batch';
import type { BdcStatus } from '../domain/bdc-view';
import type { Refusal } from '../domain/refusal';
import { boundedRefusals, MAX_EVENT_BYTES } from '../domain/refusal-bounds';
import { containing, type Sql } from './sql';

/** The record's reads: keyset-paged lists, the summary, the calendar dry run, reconciliation, batch pages. */

export interface ListFilter {
  status?: BdcStatus;
  campaign?: string;
  editeur?: string;
  solution?: string;
  og?: string;
  essms?: string;
  deadlineFrom?: string;
  deadlineTo?: string;
  reimbursementOverdue?: boolean;
  /** contains-matches, case-insensitive: a part of the reference, of the éditeur's name or id, of the solution's id */
  reference?: string;
  editeurMatch?: string;
  solutionMatch?: string;
  /** the list's order (by BDC id when absent); `-` first: descending */
  sort?: ListSort;
  /** where the previous page ended: its last BDC and, in a sorted list, that BDC's sort key */
  after?: string;
  afterKey?: string;
  limit: number;
}

/**
 * The orders a list may take, each a key then the BDC id (unique: every BDC once, pages in a stable
 * order) backed by an index on both (db/migrations/017), so that a page costs the same at any size.
 * A BDC without a next deadline (ended) comes after every dated one.
 */
const sortKeys = {
  reference: { expr: 'reference_key', param: 'text' },
  deadline: { expr: "COALESCE(next_deadline_at, 'infinity'::timestamptz)", param: 'timestamptz' },
  ceiling: { expr: 'ceiling_cents', param: 'bigint' },
} as const;
export const listSorts = ['reference', '-reference', 'deadline', '-deadline', 'ceiling', '-ceiling'] as const;
export type ListSort = (typeof listSorts)[number];

export type BdcSummary = {
  bdcId: string;
  reference: string;
  status: string;
  campaign: string;
  editeur: string;
  solution: string;
  og: string;
  /** the OG's name, when its registration gave it */
  ogName?: string;
  essms: string[];
  ceilingCents: number;
  nextDeadline?: string;
  reimbursementOverdue: boolean;
  running: boolean;
};

const iso = (v: unknown) =>
  v === null || v === undefined ? undefined : v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();

// the OG's name is the registration's (its request, in the record's state): read where lists need it
const SUMMARY_COLUMNS =
  "bdc_id, reference, status, campaign_id, editeur_id, solution_id, og_finess, state->'request'->>'ogName' AS og_name, essms, ceiling_cents, next_deadline_at, reimbursement_overdue, running";

/** A BDC as lists show it, from its row. */
function summaryOf(r: Record<string, unknown>): BdcSummary {
  return {
    bdcId: String(r.bdc_id),
    reference: String(r.reference ?? ''),
    status: String(r.status),
    campaign: String(r.campaign_id),
    editeur: String(r.editeur_id),
    solution: String(r.solution_id),
    og: String(r.og_finess),
    ...(r.og_name ? { ogName: String(r.og_name) } : {}),
    essms: r.essms as string[],
    ceilingCents: Number(r.ceiling_cents),
    ...(r.next_deadline_at ? { nextDeadline: iso(r.next_deadline_at) } : {}),
    reimbursementOverdue: Boolean(r.reimbursement_overdue),
    running: Boolean(r.running),
  };
}

/** WHERE clauses of a filter, with their parameters; values are always parameters, never pasted. */
function where(f: Omit<ListFilter, 'limit' | 'after' | 'afterKey' | 'sort'>, params: unknown[]): string[] {
  const clauses = ['state IS NOT NULL'];
  const eq = (column: string, v: unknown) => v !== undefined && clauses.push(`${column} = $${params.push(v)}`);
  eq('status', f.status);
  eq('campaign_id', f.campaign);
  eq('editeur_id', f.editeur);
  eq('solution_id', f.solution);
  eq('og_finess', f.og);
  eq('reimbursement_overdue', f.reimbursementOverdue);
  if (f.essms !== undefined) clauses.push(`essms @> ARRAY[$${params.push(f.essms)}]::text[]`);
  if (f.deadlineFrom !== undefined) clauses.push(`next_deadline_at >= $${params.push(f.deadlineFrom)}`);
  if (f.deadlineTo !== undefined) clauses.push(`next_deadline_at <= $${params.push(f.deadlineTo)}`);
  if (f.reference !== undefined) clauses.push(`reference ILIKE $${params.push(containing(f.reference))}`);
  // by the few éditeurs and solutions that match (small tables), then the BDCs by their indexes
  if (f.editeurMatch !== undefined) {
    const p = `$${params.push(containing(f.editeurMatch))}`;
    clauses.push(
      `editeur_id IN (SELECT editeur_id FROM editeurs WHERE name ILIKE ${p} OR editeur_id ILIKE ${p} UNION SELECT editeur_id FROM solutions WHERE editeur_id ILIKE ${p})`,
    );
  }
  if (f.solutionMatch !== undefined)
    clauses.push(
      `solution_id IN (SELECT solution_id FROM solutions WHERE solution_id ILIKE $${params.push(containing(f.solutionMatch))})`,
    );
  return clauses;
}

export class RecordQueries {
  constructor(readonly sql: Sql) {}

  /**
   * One page of BDCs in the order asked (by id when none), and where the next page starts when there
   * is more: the last BDC's id and, in a sorted list, its key (as text).
   */
  async list(f: ListFilter): Promise<{ bdcs: BdcSummary[]; last?: string; lastKey?: string }> {
    const params: unknown[] = [];
    const clauses = where(f, params);
    const descending = f.sort?.startsWith('-') ?? false;
    const key = f.sort ? sortKeys[f.sort.replace(/^-/, '') as keyof typeof sortKeys] : undefined;
    const [cmp, dir] = descending ? ['<', 'DESC'] : ['>', 'ASC'];
    if (f.after !== undefined)
      clauses.push(
        key
          ? `(${key.expr}, bdc_id) ${cmp} ($${params.push(f.afterKey)}::${key.param}, $${params.push(f.after)})`
          : `bdc_id > $${params.push(f.after)}`,
      );
    const rows = await this.sql.query(
      `SELECT ${SUMMARY_COLUMNS}${key ? `, (${key.expr})::text AS sort_key` : ''} FROM bdcs WHERE ${clauses.join(' AND ')}
       ORDER BY ${key ? `${key.expr} ${dir}, bdc_id ${dir}` : 'bdc_id'} LIMIT $${params.push(f.limit + 1)}`,
      params,
    );
    const bdcs = rows.slice(0, f.limit).map(summaryOf);
    if (rows.length <= f.limit) return { bdcs };
    const lastRow = rows[f.limit - 1]!;
    return { bdcs, last: String(lastRow.bdc_id), ...(key ? { lastKey: String(lastRow.sort_key) } : {}) };
  }

  /** The running BDCs whose next deadline falls between two instants, the soonest first. */
  async dueBetween(from: string, to: string, limit: number): Promise<BdcSummary[]> {
    const rows = await this.sql.query(
      `SELECT ${SUMMARY_COLUMNS} FROM bdcs WHERE state IS NOT NULL AND running AND next_deadline_at BETWEEN $1 AND $2 ORDER BY next_deadline_at, bdc_id LIMIT $3`,
      [from, to, limit],
    );
    return rows.map(summaryOf);
  }

  /** The running BDCs of a campaign with their closing, for a calendar dry run. */
  async runningOfCampaign(
    campaignId: string,
  ): Promise<{ bdcId: string; status: string; closingAt: string; closingState: string }[]> {
    const rows = await this.sql.query(
      'SELECT bdc_id, status, closing_at, closing_state FROM bdcs WHERE campaign_id = $1 AND running AND state IS NOT NULL ORDER BY bdc_id',
      [campaignId],
    );
    return rows.map((r) => ({
      bdcId: String(r.bdc_id),
      status: String(r.status),
      closingAt: iso(r.closing_at)!,
      closingState: String(r.closing_state),
    }));
  }

  /** A page of the BDCs a batch reaches, in id order after `after`. */
  async batchPage(selector: BatchSelector, after: string, limit: number): Promise<string[]> {
    const [clause, params] = selectorClause(selector);
    const rows = await this.sql.query<{ bdc_id: string }>(
      `SELECT bdc_id FROM bdcs WHERE ${clause} AND bdc_id > $${params.push(after)} ORDER BY bdc_id LIMIT $${params.push(limit)}`,
      params,
    );
    return rows.map((r) => r.bdc_id);
  }

  async batchCount(selector: BatchSelector): Promise<number> {
    const [clause, params] = selectorClause(selector);
    const [row] = await this.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM bdcs WHERE ${clause}`, params);
    return row!.n;
  }

  /**
   * Every BDC whose record and ledger disagree, compared by the database: the cents each paid order,
   * demand and receipt should hold against those the ledger holds.
   */
  async ledgerComparison() {
    return this.sql.query<{
      bdc_id: string;
      known: boolean;
      status: string | null;
      advance_expected: number;
      balance_expected: number;
      demanded_expected: number;
      received_expected: number;
      advances: number;
      advance_cents: number;
      balances: number;
      balance_cents: number;
      demands: number;
      demanded_cents: number;
      received_cents: number;
      written_off_expected: number;
      written_off_cents: number;
    }>(
      `WITH o AS (
         SELECT bdc_id, count(*) FILTER (WHERE kind = 'advance')::int AS advances, COALESCE(sum(amount_cents) FILTER (WHERE kind = 'advance'), 0)::int8 AS advance_cents,
                count(*) FILTER (WHERE kind = 'balance')::int AS balances, COALESCE(sum(amount_cents) FILTER (WHERE kind = 'balance'), 0)::int8 AS balance_cents
         FROM payment_orders GROUP BY bdc_id),
       d AS (SELECT bdc_id, count(*)::int AS demands, sum(amount_cents)::int8 AS demanded_cents FROM reimbursement_demands WHERE kind = 'reimbursement' GROUP BY bdc_id),
       r AS (SELECT rr.bdc_id, sum(rr.amount_cents)::int8 AS received_cents FROM reimbursement_receipts rr JOIN reimbursement_demands dd ON dd.id = rr.demand_id WHERE dd.kind = 'reimbursement' GROUP BY rr.bdc_id),
       w AS (SELECT w.bdc_id, sum(w.amount_cents)::int8 AS written_off_cents FROM demand_write_offs w JOIN reimbursement_demands dd ON dd.id = w.demand_id WHERE dd.kind = 'reimbursement' GROUP BY w.bdc_id),
       l AS (
         SELECT b.bdc_id, b.state IS NOT NULL AS known, b.status, b.advance_paid_cents AS advance_expected, b.paid_cents - b.advance_paid_cents AS balance_expected,
                b.to_reimburse_cents AS demanded_expected, b.reimbursed_cents AS received_expected, COALESCE((b.state->'amounts'->>'writtenOffCents')::int8, 0) AS written_off_expected,
                COALESCE(o.advances, 0) AS advances, COALESCE(o.advance_cents, 0) AS advance_cents, COALESCE(o.balances, 0) AS balances, COALESCE(o.balance_cents, 0) AS balance_cents,
                COALESCE(d.demands, 0) AS demands, COALESCE(d.demanded_cents, 0) AS demanded_cents, COALESCE(r.received_cents, 0) AS received_cents, COALESCE(w.written_off_cents, 0) AS written_off_cents
         FROM bdcs b LEFT JOIN o USING (bdc_id) LEFT JOIN d USING (bdc_id) LEFT JOIN r USING (bdc_id) LEFT JOIN w USING (bdc_id))
       SELECT * FROM l
       WHERE NOT known AND (advances + balances + demands) > 0
          OR known AND (advances > 1 OR balances > 1 OR demands > 1 OR advance_cents <> advance_expected OR balance_cents <> balance_expected
            OR demanded_cents <> demanded_expected OR received_cents <> received_expected OR written_off_cents <> written_off_expected)
       ORDER BY bdc_id`,
    );
  }

  /**
   * Claims that disagree with their BDC: held by a BDC that ended without keeping money, or held by
   * a BDC the record does not know (a registration left half-done); and running BDCs missing one.
   */
  async claimComparison() {
    return this.sql.query<{
      bdc_id: string;
      essms: string;
      problem: 'held_after_end' | 'held_without_record' | 'missing';
    }>(
      `SELECT c.bdc_id, c.essms_finess AS essms, CASE WHEN b.state IS NULL THEN 'held_without_record' ELSE 'held_after_end' END AS problem
       FROM essms_claims c JOIN bdcs b USING (bdc_id)
       WHERE b.state IS NULL OR b.status IN ('lapsed', 'cancelled', 'rejected', 'reimbursed')
       UNION ALL
       SELECT b.bdc_id, e AS essms, 'missing' AS problem
       FROM bdcs b, unnest(b.essms) AS e
       WHERE b.running AND b.state IS NOT NULL AND NOT EXISTS (SELECT 1 FROM essms_claims c WHERE c.essms_finess = e AND c.bdc_id = b.bdc_id)
       ORDER BY 1, 2`,
    );
  }

  /** The BDCs the record says are running, registered before `before` (younger ones may still be starting). */
  async runningIds(before: Date): Promise<Set<string>> {
    const rows = await this.sql.query<{ bdc_id: string }>(
      'SELECT bdc_id FROM bdcs WHERE running AND state IS NOT NULL AND registered_at < $1',
      [before.toISOString()],
    );
    return new Set(rows.map((r) => r.bdc_id));
  }

  /** Of these BDC ids, those the record does not know, or knows as ended before `before`. */
  async settledBefore(bdcIds: string[], before: Date): Promise<string[]> {
    if (!bdcIds.length) return [];
    const young = await this.sql.query<{ bdc_id: string }>(
      'SELECT bdc_id FROM bdcs WHERE bdc_id = ANY($1::text[]) AND state IS NOT NULL AND (running OR ended_at >= $2 OR registered_at >= $2)',
      [bdcIds, before.toISOString()],
    );
    const skip = new Set(young.map((r) => r.bdc_id));
    return bdcIds.filter((id) => !skip.has(id));
  }

  /** The latest events BDCs refused, newest first, with their reasons. */
  async recentRefusals(
    limit: number,
  ): Promise<{ bdcId: string; at: string; kind: string; actor: string; refusals: Refusal[] }[]> {
    const rows = await this.sql.query(
      'SELECT bdc_id, at, kind, actor_role, actor_id, refusals FROM refused_events ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({
      bdcId: String(r.bdc_id),
      at: iso(r.at)!,
      kind: String(r.kind),
      actor: `${r.actor_role}:${r.actor_id}`,
      refusals: (typeof r.refusals === 'string' ? JSON.parse(r.refusals) : r.refusals) as Refusal[],
    }));
  }

  /**
   * A BDC's refused events, newest first, keyset-paged by their row (`before`: the last id of the
   * previous page); their reasons as they were kept (bounded: BdcRecords.logRefusal).
   */
  async refusedEvents(
    bdcId: string,
    before: number | undefined,
    limit: number,
  ): Promise<
    { id: number; at: string; kind: string; eventId?: string; by: { role: string; id: string }; refusals: Refusal[] }[]
  > {
    const rows = await this.sql.query(
      'SELECT * FROM refused_events WHERE bdc_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3',
      [bdcId, before ?? null, limit],
    );
    return rows.map((r) => {
      const refusals = (typeof r.refusals === 'string' ? JSON.parse(r.refusals) : r.refusals) as Refusal[];
      return {
        id: Number(r.id),
        at: iso(r.at)!,
        kind: String(r.kind),
        ...(r.event_id ? { eventId: String(r.event_id) } : {}),
        by: { role: String(r.actor_role), id: String(r.actor_id) },
        // kept before reasons were bounded: bounded as read
        refusals: JSON.stringify(refusals).length > MAX_EVENT_BYTES ? boundedRefusals(refusals) : refusals,
      };
    });
  }

  async knownCount(): Promise<number> {
    const [row] = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM bdcs WHERE state IS NOT NULL');
    return row!.n;
  }
}

/** Which BDCs a batch reaches: the running BDCs of a campaign, or those of a solution in a status. */

function selectorClause(s: BatchSelector): [string, unknown[]] {
  return 'campaignId' in s
    ? ['campaign_id = $1 AND running AND state IS NOT NULL', [s.campaignId]]
    : ['solution_id = $1 AND status = $2 AND state IS NOT NULL', [s.solutionId, s.status]];
}
