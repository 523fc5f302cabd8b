import type { MoneyFigures } from '../domain/money';
import type { BdcSummary } from '../db/record-queries';
import { nowOf, type EngineContext } from './context';

export type SummaryLine = MoneyFigures & { campaign: string; status: string; editeur: string };

/** Counts and money by campaign, status and éditeur: the ledger's sums (db/money.ts), the one source of every euro shown. */
export function summaryReport(ctx: EngineContext): Promise<SummaryLine[]> {
  return ctx.money.totals(['campaign', 'status', 'editeur']);
}

/** What needs an operator, from the record: overdue reimbursements, BDCs to examine, deadlines within `withinDays`, the latest refused submissions. */
export async function attention(
  ctx: EngineContext,
  { limit = 10, withinDays = 14 } = {},
): Promise<{
  overdue: BdcSummary[];
  needsAttention: BdcSummary[];
  closeToDeadline: BdcSummary[];
  refused: Awaited<ReturnType<EngineContext['queries']['recentRefusals']>>;
}> {
  const now = await nowOf(ctx);
  const [overdue, needsAttention, closeToDeadline, refused] = await Promise.all([
    ctx.queries.list({ reimbursementOverdue: true, limit }),
    ctx.queries.list({ status: 'needs_attention', limit }),
    ctx.queries.dueBetween(new Date(now).toISOString(), new Date(now + withinDays * 86_400_000).toISOString(), limit),
    ctx.queries.recentRefusals(limit),
  ]);
  return { overdue: overdue.bdcs, needsAttention: needsAttention.bdcs, closeToDeadline, refused };
}

/**
 * The payment orders by state (validated, released, paid, rejected: count and cents), the payment
 * runs (count, transfers, control sums), and what does not add up between runs, transfers and orders.
 */
/** The money proposals awaiting validation, and how long they have waited (the engine's clock). */
export const awaitingValidation = async (ctx: EngineContext) =>
  ctx.payments.awaitingValidation(new Date(await nowOf(ctx)));

export async function paymentsReport(ctx: EngineContext) {
  const [totals, awaiting, differences] = await Promise.all([
    ctx.payments.totals(),
    awaitingValidation(ctx),
    ctx.payments.differences(),
  ]);
  return { ...totals, awaitingValidation: awaiting, differences };
}
