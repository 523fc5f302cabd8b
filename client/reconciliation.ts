import type { Client } from '@temporalio/client';
import type { BdcLedger } from '../db/ledger';
import type { BdcView } from '../domain/bdc-view';
import { formatEuros } from '../domain/money';
import { bdcMessages } from '../workflows/messages';
import { allBdcs } from '../temporal/bdc-visibility';
import type { EngineContext } from './context';

export interface Difference {
  bdcId: string;
  kind: 'missing' | 'duplicate' | 'amount_mismatch' | 'unexpected' | 'orphan';
  what: string;
}

/** What a BDC's state says the ledger must hold: its orders by kind, its demanded and received cents. */
function expectedLedger(view: BdcView) {
  const { paidCents, advanceCents, toReimburseCents, reimbursedCents } = view.amounts;
  return {
    advance: paidCents > 0 ? advanceCents : undefined,
    balance: paidCents > advanceCents ? paidCents - advanceCents : undefined,
    demanded: toReimburseCents,
    received: reimbursedCents,
  };
}

const sum = (xs: { amountCents: number }[]) => xs.reduce((s, x) => s + x.amountCents, 0);

/**
 * Compares each BDC's workflow state with the ledger and lists every difference. A BDC caught between
 * an effect and the state that records it (advance being issued) is not compared on that effect.
 */
export function reconcile(views: BdcView[], ledger: Map<string, BdcLedger>): Difference[] {
  const differences: Difference[] = [];
  const known = new Set(views.map((v) => v.bdcId));
  for (const view of views) {
    const entry = ledger.get(view.bdcId) ?? { bdcId: view.bdcId, paymentOrders: [], demands: [], receipts: [] };
    const expected = expectedLedger(view);
    const add = (kind: Difference['kind'], what: string) => differences.push({ bdcId: view.bdcId, kind, what });
    for (const kind of ['advance', 'balance'] as const) {
      if (view.status === 'advance_issued' && kind === 'advance') continue;
      const orders = entry.paymentOrders.filter((o) => o.kind === kind);
      const want = expected[kind];
      if (orders.length > 1) add('duplicate', `${orders.length} ${kind} payment orders`);
      if (want === undefined && orders.length) add('unexpected', `${kind} payment order of ${formatEuros(orders[0]!.amountCents)} € that the BDC has not paid`);
      if (want !== undefined && !orders.length) add('missing', `${kind} payment order of ${formatEuros(want)} €`);
      if (want !== undefined && orders.length === 1 && orders[0]!.amountCents !== want) {
        add('amount_mismatch', `${kind}: ledger ${formatEuros(orders[0]!.amountCents)} €, BDC ${formatEuros(want)} €`);
      }
    }
    if (entry.demands.length > 1) add('duplicate', `${entry.demands.length} reimbursement demands`);
    if (sum(entry.demands) !== expected.demanded) add(expected.demanded && !entry.demands.length ? 'missing' : 'amount_mismatch', `reimbursement demanded: ledger ${formatEuros(sum(entry.demands))} €, BDC ${formatEuros(expected.demanded)} €`);
    if (sum(entry.receipts) !== expected.received) add(expected.received && !entry.receipts.length ? 'missing' : 'amount_mismatch', `reimbursement received: ledger ${formatEuros(sum(entry.receipts))} €, BDC ${formatEuros(expected.received)} €`);
  }
  for (const bdcId of ledger.keys()) if (!known.has(bdcId)) differences.push({ bdcId, kind: 'orphan', what: 'ledger records for a BDC that has no workflow' });
  return differences;
}

/** Every BDC's state, running or ended (a query: a worker answers it). */
export async function allBdcViews(client: Client): Promise<BdcView[]> {
  const views: BdcView[] = [];
  for await (const bdc of allBdcs(client, {})) views.push(await client.workflow.getHandle(bdc.bdcId).query(bdcMessages.state));
  return views;
}

/** The reconciliation an operator asks for: every BDC compared with the ledger. */
export async function reconcileLedger(ctx: EngineContext): Promise<{ bdcs: number; differences: Difference[] }> {
  const views = await allBdcViews(ctx.client);
  return { bdcs: views.length, differences: reconcile(views, await ctx.ledger.entries()) };
}
