import { say, text } from '../domain/messages';
import { centsSchema, instantSchema, finessSchema } from '../domain/schemas';
import { z } from 'zod';
import { parseOrRefuse, refuse } from '../domain/refusal';
import { enrolledForPayment } from './editeurs';
import { journalClaims, journalFacts } from './journal-facts';
import type { Sql, Tx } from './sql';

/**
 * The ASP ledger: every money effect is written once under its idempotency key. A second write with
 * the same key returns the first record; the same key with other content is refused.
 */

const bdcIdSchema = z.string().min(1).max(200);

/** `<bdcId>:<effect>[:<event id>]`: the BDC's id, the effect, and for a receipt the event's id. */
const EFFECT_KEY = /^[a-z][a-z-]*(:[A-Za-z0-9][A-Za-z0-9_.:-]{0,254})?$/;
const keyedEffect = z.object({ idempotencyKey: z.string().min(1).max(512), bdcId: bdcIdSchema });
const keyBelongsToBdc = (v: { idempotencyKey: string; bdcId: string }) =>
  v.idempotencyKey.startsWith(`${v.bdcId}:`) && EFFECT_KEY.test(v.idempotencyKey.slice(v.bdcId.length + 1));
const keyMessage = { path: ['idempotencyKey'], message: text('ledger_key_form') };

export const paymentOrderInput = keyedEffect
  .extend({ kind: z.enum(['advance', 'balance']), amountCents: centsSchema })
  .refine(keyBelongsToBdc, keyMessage);
/** a demand: the advance's reimbursement (one per BDC), or the recovery a failed control decides (one per control) */
export const reimbursementDemandInput = keyedEffect
  .extend({
    amountCents: centsSchema,
    reason: z.string().min(1),
    dueAt: instantSchema,
    controlId: z.string().min(1).max(300).optional(),
  })
  .refine(keyBelongsToBdc, keyMessage);
/** a receipt settles the BDC's reimbursement demand, or the recovery of the control it names */
export const reimbursementReceiptInput = keyedEffect
  .extend({ amountCents: centsSchema, receivedAt: instantSchema, controlId: z.string().min(1).max(300).optional() })
  .refine(keyBelongsToBdc, keyMessage);
/** what an operator gives up of a demand, with why */
export const writeOffInput = keyedEffect
  .extend({
    amountCents: centsSchema,
    reason: z.string().min(1).max(500),
    controlId: z.string().min(1).max(300).optional(),
  })
  .refine(keyBelongsToBdc, keyMessage);
export const bdcRegistrationInput = z.object({
  bdcId: bdcIdSchema,
  editeurId: z.string().min(1),
  campaignId: z.string().min(1),
  ogFiness: finessSchema,
  essms: z.array(finessSchema).min(1),
  ceilingCents: centsSchema,
  /** the FINESS extraction the BDC was checked against */
  finessExtractionId: z.number().int().positive().optional(),
});

export type PaymentOrderInput = z.infer<typeof paymentOrderInput>;
export type ReimbursementDemandInput = z.infer<typeof reimbursementDemandInput>;
export type ReimbursementReceiptInput = z.infer<typeof reimbursementReceiptInput>;
export type BdcRegistration = z.infer<typeof bdcRegistrationInput>;

export interface PaymentOrder {
  id: number;
  idempotencyKey: string;
  bdcId: string;
  kind: 'advance' | 'balance';
  amountCents: number;
  issuedAt: string;
}
export interface ReimbursementDemand {
  id: number;
  idempotencyKey: string;
  bdcId: string;
  kind: 'reimbursement' | 'recovery';
  controlId?: string;
  amountCents: number;
  reason: string;
  dueAt: string;
  issuedAt: string;
}
export interface ReimbursementReceipt {
  id: number;
  idempotencyKey: string;
  bdcId: string;
  demandId: number;
  amountCents: number;
  receivedAt: string;
  recordedAt: string;
}
export interface WriteOff {
  id: number;
  idempotencyKey: string;
  bdcId: string;
  demandId: number;
  amountCents: number;
  reason: string;
  writtenOffAt: string;
}
export interface Written<T> {
  record: T;
  created: boolean;
}

function iso(v: unknown): string {
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}

/**
 * INSERT … ON CONFLICT DO NOTHING, then read back the row under the key. Under concurrency the losing
 * transactions wait for the winner's commit and see its row. Any unique constraint (one advance per
 * BDC…) is a conflict, not an error, so that the write can run inside a larger transaction.
 */
async function writeOnce<T extends { idempotencyKey: string; bdcId: string }>(
  sql: Tx,
  table: string,
  journalKind: string,
  columns: Record<string, unknown>,
  read: (row: Record<string, unknown>) => T,
  sameContent: (a: T, b: T) => boolean,
  wanted: T,
): Promise<Written<T>> {
  const names = Object.keys(columns);
  const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
  const inserted = await sql.query(
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${placeholders}) ON CONFLICT DO NOTHING RETURNING *`,
    Object.values(columns),
  );
  if (inserted[0]) {
    // a new money record is journaled in its transaction; a retry that reads the first one journals nothing
    await journalFacts(sql, journalKind, 'id = $1', [inserted[0].id]);
    return { record: read(inserted[0]), created: true };
  }
  const [existing] = await sql.query(`SELECT * FROM ${table} WHERE idempotency_key = $1`, [wanted.idempotencyKey]);
  if (!existing) {
    throw refuse(
      'duplicate_effect',
      say('duplicate_effect', { bdcId: wanted.bdcId, table }),
      'idempotencyKey',
      wanted.idempotencyKey,
    );
  }
  const record = read(existing);
  if (!sameContent(record, wanted)) {
    throw refuse(
      'idempotency_conflict',
      say('idempotency_conflict', { key: wanted.idempotencyKey, table: table.replace(/_/g, ' ') }),
      'idempotencyKey',
      wanted.idempotencyKey,
    );
  }
  return { record, created: false };
}

const readPaymentOrder = (r: Record<string, unknown>): PaymentOrder => ({
  id: Number(r.id),
  idempotencyKey: String(r.idempotency_key),
  bdcId: String(r.bdc_id),
  kind: r.kind as PaymentOrder['kind'],
  amountCents: Number(r.amount_cents),
  issuedAt: iso(r.issued_at),
});
const readDemand = (r: Record<string, unknown>): ReimbursementDemand => ({
  id: Number(r.id),
  idempotencyKey: String(r.idempotency_key),
  bdcId: String(r.bdc_id),
  kind: (r.kind ?? 'reimbursement') as ReimbursementDemand['kind'],
  ...(r.control_id ? { controlId: String(r.control_id) } : {}),
  amountCents: Number(r.amount_cents),
  reason: String(r.reason),
  dueAt: iso(r.due_at),
  issuedAt: iso(r.issued_at),
});
const readReceipt = (r: Record<string, unknown>): ReimbursementReceipt => ({
  id: Number(r.id),
  idempotencyKey: String(r.idempotency_key),
  bdcId: String(r.bdc_id),
  demandId: Number(r.demand_id),
  amountCents: Number(r.amount_cents),
  receivedAt: iso(r.received_at),
  recordedAt: iso(r.recorded_at),
});
const readWriteOff = (r: Record<string, unknown>): WriteOff => ({
  id: Number(r.id),
  idempotencyKey: String(r.idempotency_key),
  bdcId: String(r.bdc_id),
  demandId: Number(r.demand_id),
  amountCents: Number(r.amount_cents),
  reason: String(r.reason),
  writtenOffAt: iso(r.written_off_at),
});

export interface BdcLedger {
  bdcId: string;
  paymentOrders: PaymentOrder[];
  demands: ReimbursementDemand[];
  receipts: ReimbursementReceipt[];
}

/**
 * A BDC's money, read under a lock on its row so that money writes of one BDC follow one another:
 * its ceiling, what its payment orders paid and what its demands ask back — the write under `key`
 * left out when it is there already (a retry is answered by the write itself, never refused).
 * Undefined for a BDC the ledger does not know (the write refuses it).
 */
async function moneyUnderLock(
  sql: Sql,
  bdcId: string,
  table: 'payment_orders' | 'reimbursement_demands',
  key: string,
): Promise<{ ceiling: number; paid: number; demanded: number; editeurId: string } | undefined> {
  const [bdc] = await sql.query<{ ceiling_cents: string; editeur_id: string }>(
    'SELECT ceiling_cents, editeur_id FROM bdcs WHERE bdc_id = $1 FOR UPDATE',
    [bdcId],
  );
  if (!bdc) return undefined;
  const [again] = await sql.query(`SELECT 1 FROM ${table} WHERE idempotency_key = $1`, [key]);
  if (again) return undefined;
  const [sums] = await sql.query<{ paid: string; demanded: string }>(
    `SELECT (SELECT COALESCE(sum(amount_cents), 0) FROM payment_orders WHERE bdc_id = $1) AS paid,
            (SELECT COALESCE(sum(amount_cents), 0) FROM reimbursement_demands WHERE bdc_id = $1) AS demanded`,
    [bdcId],
  );
  return {
    ceiling: Number(bdc.ceiling_cents),
    paid: Number(sums!.paid),
    demanded: Number(sums!.demanded),
    editeurId: String(bdc.editeur_id),
  };
}

/**
 * A receipt or a write-off of a demand never settles more than the demand asked: read under a lock
 * on the demand's row (its settlements follow one another); a retry under the same key is let through.
 */
async function settledWithin(
  sql: Sql,
  demandId: number,
  table: 'reimbursement_receipts' | 'demand_write_offs',
  key: string,
  amountCents: number,
): Promise<void> {
  const [demand] = await sql.query<{ amount_cents: string }>(
    'SELECT amount_cents FROM reimbursement_demands WHERE id = $1 FOR UPDATE',
    [demandId],
  );
  const [again] = await sql.query(`SELECT 1 FROM ${table} WHERE idempotency_key = $1`, [key]);
  if (!demand || again) return;
  const [sums] = await sql.query<{ settled: string }>(
    `SELECT (SELECT COALESCE(sum(amount_cents), 0) FROM reimbursement_receipts WHERE demand_id = $1)
          + (SELECT COALESCE(sum(amount_cents), 0) FROM demand_write_offs WHERE demand_id = $1) AS settled`,
    [demandId],
  );
  const due = Number(demand.amount_cents) - Number(sums!.settled);
  if (amountCents > due)
    throw refuse('more_than_due', say('more_than_due', { amountCents, dueCents: due }), 'amountCents', amountCents);
}

export class Ledger {
  /** bdcKnown: the caller knows the BDC is registered (the record's transitions), no check needed */
  constructor(
    readonly sql: Sql,
    private readonly options: { bdcKnown?: boolean } = {},
  ) {}

  private async requireBdc(bdcId: string): Promise<void> {
    if (this.options.bdcKnown) return;
    const [row] = await this.sql.query('SELECT 1 FROM bdcs WHERE bdc_id = $1', [bdcId]);
    if (!row) throw refuse('unknown_bdc', say('unknown_bdc_in_ledger', { bdcId }), 'bdcId', bdcId);
  }

  /**
   * Registers a BDC and claims all its ESSMS atomically (all or none). Re-registering the same BDC
   * with the same content is a no-op; an ESSMS held by another BDC refuses the whole registration.
   */
  async registerBdc(raw: unknown): Promise<Written<BdcRegistration>> {
    const bdc = parseOrRefuse(bdcRegistrationInput, raw);
    return this.sql.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO bdcs (bdc_id, editeur_id, campaign_id, og_finess, essms, ceiling_cents, finess_extraction_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (bdc_id) DO NOTHING RETURNING bdc_id`,
        [
          bdc.bdcId,
          bdc.editeurId,
          bdc.campaignId,
          bdc.ogFiness,
          bdc.essms,
          bdc.ceilingCents,
          bdc.finessExtractionId ?? null,
        ],
      );
      if (!inserted[0]) {
        const [row] = await tx.query<{
          editeur_id: string;
          campaign_id: string;
          og_finess: string;
          essms: string[];
          ceiling_cents: number;
        }>('SELECT * FROM bdcs WHERE bdc_id = $1', [bdc.bdcId]);
        const same =
          row &&
          row.editeur_id === bdc.editeurId &&
          row.campaign_id === bdc.campaignId &&
          row.og_finess === bdc.ogFiness &&
          row.ceiling_cents === bdc.ceilingCents &&
          row.essms.join() === bdc.essms.join();
        if (!same)
          throw refuse('idempotency_conflict', say('bdc_other_content', { bdcId: bdc.bdcId }), 'bdcId', bdc.bdcId);
      }
      if (inserted[0]) await journalFacts(tx, 'bdc.registered', 'bdc_id = $1', [bdc.bdcId]);
      await new Ledger(tx).claimEssms(bdc.bdcId, bdc.essms);
      return { record: bdc, created: Boolean(inserted[0]) };
    });
  }

  /**
   * Claims every ESSMS of a BDC, or refuses (naming the first ESSMS held and its holder): run inside
   * the registration's transaction, a refusal claims none.
   */
  async claimEssms(bdcId: string, essms: string[], vague = 1): Promise<void> {
    return this.sql.transaction((tx) => Ledger.claimIn(tx, bdcId, essms, vague));
  }

  private static async claimIn(tx: Tx, bdcId: string, essms: string[], vague: number): Promise<void> {
    // one financing per ESSMS in a vague: the claim's key is (vague, ESSMS)
    const claimed = await tx.query(
      'INSERT INTO essms_claims (essms_finess, bdc_id, vague) SELECT unnest($1::text[]), $2, $3 ON CONFLICT (vague, essms_finess) DO NOTHING RETURNING essms_finess',
      [essms, bdcId, vague],
    );
    if (claimed.length) await journalClaims(tx, bdcId);
    if (claimed.length === essms.length) return;
    const held = await tx.query<{ essms_finess: string; bdc_id: string }>(
      'SELECT essms_finess, bdc_id FROM essms_claims WHERE essms_finess = ANY($1::text[]) AND vague = $3 AND bdc_id <> $2 ORDER BY essms_finess',
      [essms, bdcId, vague],
    );
    const first = held[0];
    if (first)
      throw refuse(
        'essms_already_financed',
        say('essms_already_financed', { finess: first.essms_finess, holder: first.bdc_id }),
        `essms.${essms.indexOf(first.essms_finess)}`,
        first.essms_finess,
      );
  }

  /** Frees the ESSMS of a BDC that ended without keeping any money; returns how many were freed. */
  async releaseEssmsClaims(bdcId: string): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.query('DELETE FROM essms_claims WHERE bdc_id = $1 RETURNING essms_finess', [
        parseOrRefuse(bdcIdSchema, bdcId),
      ]);
      if (rows.length) await journalClaims(tx, bdcId);
      return rows.length;
    });
  }

  async issuePaymentOrder(raw: unknown): Promise<Written<PaymentOrder>> {
    const o = parseOrRefuse(paymentOrderInput, raw);
    await this.requireBdc(o.bdcId);
    const wanted: PaymentOrder = { id: 0, issuedAt: '', ...o };
    return this.sql.transaction(async (tx) => {
      // a BDC is never paid more than its ceiling, whatever the orders
      const money = await moneyUnderLock(tx, o.bdcId, 'payment_orders', o.idempotencyKey);
      if (money && money.paid + o.amountCents > money.ceiling)
        throw refuse(
          'over_ceiling',
          say('over_ceiling', { amountCents: o.amountCents, paidCents: money.paid, ceilingCents: money.ceiling }),
          'amountCents',
          o.amountCents,
        );
      // no order is validated for an éditeur the ASP cannot pay (DOMAIN.md "Éditeurs enrolled"): the
      // ordonnateur's validation that would write it is refused with this reason (a retry of an order
      // already written is answered by the write, whatever became of the enrolment since)
      if (money && !(await enrolledForPayment(tx, money.editeurId)))
        throw refuse('editeur_not_enrolled', say('editeur_not_enrolled', { editeurId: money.editeurId }), 'editeurId');
      return writeOnce(
        tx,
        'payment_orders',
        'ledger.payment_order',
        { idempotency_key: o.idempotencyKey, bdc_id: o.bdcId, kind: o.kind, amount_cents: o.amountCents },
        readPaymentOrder,
        (a, b) => a.bdcId === b.bdcId && a.kind === b.kind && a.amountCents === b.amountCents,
        wanted,
      );
    });
  }

  async issueReimbursementDemand(raw: unknown): Promise<Written<ReimbursementDemand>> {
    const d = parseOrRefuse(reimbursementDemandInput, raw);
    await this.requireBdc(d.bdcId);
    const wanted: ReimbursementDemand = { id: 0, issuedAt: '', kind: 'reimbursement', ...d, dueAt: iso(d.dueAt) };
    const kind = d.controlId ? 'recovery' : 'reimbursement';
    return this.sql.transaction(async (tx) => {
      // a demand never exceeds what the éditeur holds and no other demand already asks back
      const money = await moneyUnderLock(tx, d.bdcId, 'reimbursement_demands', d.idempotencyKey);
      if (money && d.amountCents > money.paid - money.demanded)
        throw refuse(
          'demand_exceeds_held',
          say('demand_exceeds_held', {
            amountCents: d.amountCents,
            heldCents: Math.max(0, money.paid - money.demanded),
          }),
          'amountCents',
          d.amountCents,
        );
      return writeOnce(
        tx,
        'reimbursement_demands',
        'ledger.demand',
        {
          idempotency_key: d.idempotencyKey,
          bdc_id: d.bdcId,
          kind,
          control_id: d.controlId ?? null,
          amount_cents: d.amountCents,
          reason: d.reason,
          due_at: wanted.dueAt,
        },
        readDemand,
        (a, b) => a.bdcId === b.bdcId && a.kind === kind && a.amountCents === b.amountCents && a.dueAt === b.dueAt,
        { ...wanted, kind },
      );
    });
  }

  async recordReimbursementReceipt(raw: unknown): Promise<Written<ReimbursementReceipt>> {
    const r = parseOrRefuse(reimbursementReceiptInput, raw);
    return this.sql.transaction(async (tx) => {
      const demandId = await new Ledger(tx, this.options).demandOf(r.bdcId, r.controlId);
      await settledWithin(tx, demandId, 'reimbursement_receipts', r.idempotencyKey, r.amountCents);
      const { controlId: _c, ...receipt } = r;
      const wanted: ReimbursementReceipt = {
        id: 0,
        recordedAt: '',
        ...receipt,
        demandId,
        receivedAt: iso(r.receivedAt),
      };
      return writeOnce(
        tx,
        'reimbursement_receipts',
        'ledger.receipt',
        {
          idempotency_key: r.idempotencyKey,
          bdc_id: r.bdcId,
          demand_id: demandId,
          amount_cents: r.amountCents,
          received_at: wanted.receivedAt,
        },
        readReceipt,
        (a, b) =>
          a.bdcId === b.bdcId &&
          a.demandId === b.demandId &&
          a.amountCents === b.amountCents &&
          a.receivedAt === b.receivedAt,
        wanted,
      );
    });
  }

  /** The demand a receipt or a write-off settles: the BDC's reimbursement, or the recovery of a control. */
  async demandOf(bdcId: string, controlId: string | undefined): Promise<number> {
    const [demand] = await this.sql.query<{ id: number }>(
      controlId
        ? "SELECT id FROM reimbursement_demands WHERE bdc_id = $1 AND kind = 'recovery' AND control_id = $2"
        : "SELECT id FROM reimbursement_demands WHERE bdc_id = $1 AND kind = 'reimbursement'",
      controlId ? [bdcId, controlId] : [bdcId],
    );
    if (!demand) throw refuse('no_reimbursement_demand', say('no_reimbursement_demand', { bdcId }), 'bdcId', bdcId);
    return Number(demand.id);
  }

  /** Writes off what remains of a demand, once, with the operator's reason: the demand is then settled. */
  async writeOff(raw: unknown): Promise<Written<WriteOff>> {
    const w = parseOrRefuse(writeOffInput, raw);
    return this.sql.transaction(async (tx) => {
      const demandId = await new Ledger(tx, this.options).demandOf(w.bdcId, w.controlId);
      await settledWithin(tx, demandId, 'demand_write_offs', w.idempotencyKey, w.amountCents);
      const wanted: WriteOff = {
        id: 0,
        writtenOffAt: '',
        idempotencyKey: w.idempotencyKey,
        bdcId: w.bdcId,
        demandId,
        amountCents: w.amountCents,
        reason: w.reason,
      };
      return writeOnce(
        tx,
        'demand_write_offs',
        'ledger.write_off',
        {
          idempotency_key: w.idempotencyKey,
          bdc_id: w.bdcId,
          demand_id: demandId,
          amount_cents: w.amountCents,
          reason: w.reason,
        },
        readWriteOff,
        (a, b) => a.demandId === b.demandId && a.amountCents === b.amountCents && a.reason === b.reason,
        wanted,
      );
    });
  }

  /** Every ledger record of one BDC, or of all BDCs when bdcId is omitted, grouped by BDC. */
  async entries(bdcId?: string): Promise<Map<string, BdcLedger>> {
    const where = bdcId === undefined ? '' : ' WHERE bdc_id = $1';
    const params = bdcId === undefined ? [] : [bdcId];
    const [orders, demands, receipts] = await Promise.all([
      this.sql.query(`SELECT * FROM payment_orders${where} ORDER BY id`, params),
      this.sql.query(`SELECT * FROM reimbursement_demands${where} ORDER BY id`, params),
      this.sql.query(`SELECT * FROM reimbursement_receipts${where} ORDER BY id`, params),
    ]);
    const byBdc = new Map<string, BdcLedger>();
    const entry = (id: string) =>
      byBdc.get(id) ?? byBdc.set(id, { bdcId: id, paymentOrders: [], demands: [], receipts: [] }).get(id)!;
    orders.map(readPaymentOrder).forEach((o) => entry(o.bdcId).paymentOrders.push(o));
    demands.map(readDemand).forEach((d) => entry(d.bdcId).demands.push(d));
    receipts.map(readReceipt).forEach((r) => entry(r.bdcId).receipts.push(r));
    return byBdc;
  }

  /** Payment orders with their BDC's éditeur, OG and campaign, in issue order, for accounting. */
  async paymentOrdersForExport(): Promise<
    (PaymentOrder & { editeurId: string; ogFiness: string; campaignId: string })[]
  > {
    const rows = await this.sql.query(
      'SELECT p.*, b.editeur_id, b.og_finess, b.campaign_id FROM payment_orders p JOIN bdcs b USING (bdc_id) ORDER BY p.id',
    );
    return rows.map((r) => ({
      ...readPaymentOrder(r),
      editeurId: String(r.editeur_id),
      ogFiness: String(r.og_finess),
      campaignId: String(r.campaign_id),
    }));
  }

  /** Reimbursement demands and the receipts against them, in the order they were written, for accounting. */
  async reimbursementsForExport(): Promise<
    {
      kind: 'demand' | 'receipt' | 'write_off';
      /** the demand's: the advance's reimbursement, or a control's recovery */
      demand: 'reimbursement' | 'recovery';
      id: number;
      bdcId: string;
      editeurId: string;
      amountCents: number;
      at: string;
      dueAt?: string;
      reason?: string;
    }[]
  > {
    const rows = await this.sql.query(
      `SELECT 'demand' AS kind, d.kind AS demand, d.id, d.bdc_id, b.editeur_id, d.amount_cents, d.issued_at AS at, d.due_at, d.reason
       FROM reimbursement_demands d JOIN bdcs b USING (bdc_id)
       UNION ALL
       SELECT 'receipt', d.kind, r.id, r.bdc_id, b.editeur_id, r.amount_cents, r.received_at, NULL, NULL
       FROM reimbursement_receipts r JOIN reimbursement_demands d ON d.id = r.demand_id JOIN bdcs b ON b.bdc_id = r.bdc_id
       UNION ALL
       SELECT 'write_off', d.kind, w.id, w.bdc_id, b.editeur_id, w.amount_cents, w.written_off_at, NULL, w.reason
       FROM demand_write_offs w JOIN reimbursement_demands d ON d.id = w.demand_id JOIN bdcs b ON b.bdc_id = w.bdc_id
       ORDER BY at, kind, id`,
    );
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
    return rows.map((r) => ({
      kind: r.kind as 'demand' | 'receipt' | 'write_off',
      demand: r.demand as 'reimbursement' | 'recovery',
      id: Number(r.id),
      bdcId: String(r.bdc_id),
      editeurId: String(r.editeur_id),
      amountCents: Number(r.amount_cents),
      at: iso(r.at),
      ...(r.due_at ? { dueAt: iso(r.due_at) } : {}),
      ...(r.reason ? { reason: String(r.reason) } : {}),
    }));
  }

  /** Each registered BDC's ceiling, by BDC id. */
  async ceilings(): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ bdc_id: string; ceiling_cents: number }>(
      'SELECT bdc_id, ceiling_cents FROM bdcs',
    );
    return new Map(rows.map((r) => [r.bdc_id, r.ceiling_cents]));
  }

  /** The ledger's totals in cents and counts: payment orders per kind, demands, receipts (for metrics). */
  async totals(): Promise<{ kind: string; count: number; cents: number }[]> {
    const rows = await this.sql.query<{ kind: string; n: number; cents: number }>(
      `SELECT 'order_' || kind AS kind, count(*)::int AS n, coalesce(sum(amount_cents), 0)::int8 AS cents FROM payment_orders GROUP BY kind
       UNION ALL SELECT 'demand', count(*)::int, coalesce(sum(amount_cents), 0)::int8 FROM reimbursement_demands
       UNION ALL SELECT 'receipt', count(*)::int, coalesce(sum(amount_cents), 0)::int8 FROM reimbursement_receipts`,
    );
    return rows.map((r) => ({ kind: r.kind, count: Number(r.n), cents: Number(r.cents) }));
  }

  async claimsOf(bdcId: string): Promise<string[]> {
    return (
      await this.sql.query<{ essms_finess: string }>(
        'SELECT essms_finess FROM essms_claims WHERE bdc_id = $1 ORDER BY essms_finess',
        [bdcId],
      )
    ).map((r) => r.essms_finess);
  }
}
