import type { EngineContext } from './context';

export type SummaryLine = Awaited<ReturnType<EngineContext['queries']['summary']>>[number];

/** Counts and money by campaign, status and éditeur, from the record (summed by the database). */
export function summaryReport(ctx: EngineContext): Promise<SummaryLine[]> {
  return ctx.queries.summary();
}
