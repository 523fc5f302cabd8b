import { allBdcs } from '../temporal/bdc-visibility';
import type { EngineContext } from './context';

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

/** Counts and money by campaign, status and éditeur: statuses from Temporal, cents from the ledger. */
export async function summaryReport(ctx: EngineContext): Promise<SummaryLine[]> {
  const [ledger, ceilingOf] = await Promise.all([ctx.ledger.entries(), ctx.ledger.ceilings()]);
  const lines = new Map<string, SummaryLine>();
  for await (const bdc of allBdcs(ctx.client, {})) {
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
