import { z } from 'zod';
import { formatEuros } from '../../domain/money';
import { allBdcs } from '../bdc-directory';
import { toCsv } from '../csv';
import { paymentOrdersCsv } from '../ledger-export';
import { allBdcViews, reconcile } from '../ledger-reconciliation';
import { who, type Api, type ApiDeps } from './server';

export interface SummaryLine {
  campaign: string;
  status: string;
  editeur: string;
  bdcs: number;
  committedCents: number;
  advancedCents: number;
  paidCents: number;
  toReimburseCents: number;
  reimbursedCents: number;
}

const sum = (xs: { amountCents: number }[]) => xs.reduce((s, x) => s + x.amountCents, 0);

export function reportRoutes(app: Api, deps: ApiDeps) {
  /** Counts and money by campaign, status and éditeur: statuses from Temporal, cents from the ledger. */
  async function summary(): Promise<SummaryLine[]> {
    const [ledger, ceilings] = await Promise.all([
      deps.ledger.entries(),
      deps.ledger.sql.query<{ bdc_id: string; ceiling_cents: number }>('SELECT bdc_id, ceiling_cents FROM bdcs'),
    ]);
    const ceilingOf = new Map(ceilings.map((c) => [c.bdc_id, c.ceiling_cents]));
    const lines = new Map<string, SummaryLine>();
    for await (const bdc of allBdcs(deps.client, {})) {
      const key = [bdc.campaign ?? '', bdc.status, bdc.editeur ?? ''].join('\u0000');
      const line = lines.get(key) ?? lines.set(key, { campaign: bdc.campaign ?? '', status: bdc.status, editeur: bdc.editeur ?? '', bdcs: 0, committedCents: 0, advancedCents: 0, paidCents: 0, toReimburseCents: 0, reimbursedCents: 0 }).get(key)!;
      const entry = ledger.get(bdc.bdcId);
      line.bdcs++;
      line.committedCents += ceilingOf.get(bdc.bdcId) ?? 0;
      line.advancedCents += sum(entry?.paymentOrders.filter((o) => o.kind === 'advance') ?? []);
      line.paidCents += sum(entry?.paymentOrders ?? []);
      line.reimbursedCents += sum(entry?.receipts ?? []);
      line.toReimburseCents += sum(entry?.demands ?? []) - sum(entry?.receipts ?? []);
    }
    return [...lines.values()].sort((a, b) => a.campaign.localeCompare(b.campaign) || a.status.localeCompare(b.status) || a.editeur.localeCompare(b.editeur));
  }

  app.get('/reports/summary', { config: { roles: who.readers }, schema: { summary: 'BDCs and euros committed, advanced, paid, to reimburse, reimbursed — by campaign, status and éditeur' } }, async () => ({ lines: await summary() }));

  app.get('/reports/summary.csv', { config: { roles: who.readers }, schema: { summary: 'The summary report as CSV (euros with two decimals)' } }, async (_request, reply) => {
    const csv = toCsv(await summary(), [
      { header: 'campaign', value: (l) => l.campaign },
      { header: 'status', value: (l) => l.status },
      { header: 'editeur', value: (l) => l.editeur },
      { header: 'bdcs', value: (l) => l.bdcs },
      { header: 'committed_eur', value: (l) => formatEuros(l.committedCents) },
      { header: 'advanced_eur', value: (l) => formatEuros(l.advancedCents) },
      { header: 'paid_eur', value: (l) => formatEuros(l.paidCents) },
      { header: 'to_reimburse_eur', value: (l) => formatEuros(l.toReimburseCents) },
      { header: 'reimbursed_eur', value: (l) => formatEuros(l.reimbursedCents) },
    ]);
    return reply.type('text/csv; charset=utf-8').send(csv);
  });

  app.get('/ledger/reconciliation', {
    config: { roles: who.readers },
    schema: { summary: "Every difference between the BDCs' states and the ledger", response: { 200: z.object({ bdcs: z.number(), differences: z.array(z.object({ bdcId: z.string(), kind: z.string(), what: z.string() })) }) } },
  }, async () => {
    const views = await allBdcViews(deps.client);
    return { bdcs: views.length, differences: reconcile(views, await deps.ledger.entries()) };
  });

  app.get('/ledger/payment-orders.csv', { config: { roles: who.readers }, schema: { summary: 'Payment orders for the accounting system (CSV, UTF-8)' } }, async (_request, reply) =>
    reply.type('text/csv; charset=utf-8').send(await paymentOrdersCsv(deps.ledger)),
  );
}
