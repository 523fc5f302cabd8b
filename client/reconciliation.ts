import type { Client } from '@temporalio/client';
import pRetry from 'p-retry';
import { formatEuros } from '../domain/money';
import { Controls } from '../db/controls';
import { BDC_WORKFLOW_TYPE } from '../contract/bdc';
import { nowOf, type EngineContext } from './context';

export interface Difference {
  bdcId: string;
  kind:
    | 'missing'
    | 'duplicate'
    | 'amount_mismatch'
    | 'unexpected'
    | 'orphan'
    | 'claim'
    | 'workflow_missing'
    | 'workflow_unexpected'
    | 'temporal_unavailable';
  what: string;
}

/** BDCs younger than this may still be starting (or ending): they are not compared with Temporal. */
export const STARTING_GRACE_MS = 120_000;

/**
 * The reconciliation an operator asks for: the record against the ledger (in SQL: every paid order,
 * demand and receipt, in cents, and the ESSMS claims), then the record against the workflows
 * Temporal runs. Temporal being slow or down is reported as a difference, never as a failure.
 */
export async function reconcileLedger(
  ctx: EngineContext,
  { graceMs = STARTING_GRACE_MS, listing = {} as ListingOptions } = {},
): Promise<{ bdcs: number; differences: Difference[] }> {
  const [bdcs, money, claims] = await Promise.all([
    ctx.queries.knownCount(),
    ctx.queries.ledgerComparison(),
    ctx.queries.claimComparison(),
  ]);
  const differences: Difference[] = [];
  for (const row of money) {
    const add = (kind: Difference['kind'], what: string) => differences.push({ bdcId: row.bdc_id, kind, what });
    if (!row.known) {
      add('orphan', 'ledger records for a BDC the record does not know');
      continue;
    }
    for (const [name, count, cents, expected] of [
      ['advance', row.advances, row.advance_cents, row.advance_expected],
      ['balance', row.balances, row.balance_cents, row.balance_expected],
    ] as const) {
      if (count > 1) add('duplicate', `${count} ${name} payment orders`);
      else if (count === 0 && expected > 0) add('missing', `${name} payment order of ${formatEuros(expected)} €`);
      else if (count === 1 && expected === 0)
        add('unexpected', `${name} payment order of ${formatEuros(cents)} € that the BDC has not paid`);
      else if (cents !== expected)
        add('amount_mismatch', `${name}: ledger ${formatEuros(cents)} €, BDC ${formatEuros(expected)} €`);
    }
    if (row.demands > 1) add('duplicate', `${row.demands} reimbursement demands`);
    if (row.demanded_cents !== row.demanded_expected)
      add(
        row.demanded_expected && !row.demands ? 'missing' : 'amount_mismatch',
        `reimbursement demanded: ledger ${formatEuros(row.demanded_cents)} €, BDC ${formatEuros(row.demanded_expected)} €`,
      );
    if (row.received_cents !== row.received_expected)
      add(
        row.received_expected && !row.received_cents ? 'missing' : 'amount_mismatch',
        `reimbursement received: ledger ${formatEuros(row.received_cents)} €, BDC ${formatEuros(row.received_expected)} €`,
      );
    if (Number(row.written_off_cents) !== Number(row.written_off_expected))
      add(
        'amount_mismatch',
        `reimbursement written off: ledger ${formatEuros(Number(row.written_off_cents))} €, BDC ${formatEuros(Number(row.written_off_expected))} €`,
      );
  }
  // the recoveries of a posteriori controls: each control's record against its demand, receipts and write-off
  for (const c of await new Controls(ctx.sql).ledgerComparison()) {
    differences.push({
      bdcId: c.bdc_id,
      kind: 'amount_mismatch',
      what: `control ${c.control_id}: recovery demanded ${formatEuros(Number(c.demanded_cents))} € (control ${formatEuros(Number(c.recovery_cents))} €), received ${formatEuros(Number(c.received_cents))} € (control ${formatEuros(Number(c.recovered_cents))} €), written off ${formatEuros(Number(c.ledger_written_off_cents))} € (control ${formatEuros(Number(c.written_off_cents))} €)`,
    });
  }
  const claimWhat = {
    held_after_end: 'still claimed although the BDC ended without keeping money',
    held_without_record: 'claimed by a BDC the record does not know',
    missing: 'not claimed although the BDC runs',
  };
  for (const c of claims)
    differences.push({ bdcId: c.bdc_id, kind: 'claim', what: `ESSMS ${c.essms} ${claimWhat[c.problem]}` });
  differences.push(...(await againstTemporal(ctx, graceMs, listing)));
  return { bdcs, differences };
}

/** The running BDCs of the record against the BDC workflows Temporal runs, listed page by page. */
async function againstTemporal(ctx: EngineContext, graceMs: number, listing: ListingOptions): Promise<Difference[]> {
  const before = new Date((await nowOf(ctx)) - graceMs);
  try {
    const [recorded, running] = await Promise.all([
      ctx.queries.runningIds(before),
      runningWorkflows(ctx.client, listing),
    ]);
    // a workflow the record does not count as running may be starting, or finishing its last task
    const settled = await ctx.queries.settledBefore(
      [...running].filter((id) => !recorded.has(id)),
      before,
    );
    return [
      ...[...recorded]
        .filter((id) => !running.has(id))
        .map((bdcId): Difference => ({
          bdcId,
          kind: 'workflow_missing',
          what: 'the record says it runs; Temporal runs no workflow for it',
        })),
      ...settled.map((bdcId): Difference => ({
        bdcId,
        kind: 'workflow_unexpected',
        what: 'a workflow runs for it; the record says it ended, or does not know it',
      })),
    ].sort((a, b) => a.bdcId.localeCompare(b.bdcId));
  } catch (err) {
    return [
      {
        bdcId: '*',
        kind: 'temporal_unavailable',
        what: `the running workflows could not be listed (${(err as Error).message}): the record was compared with the ledger only`,
      },
    ];
  }
}

export interface ListingOptions {
  /** one page's deadline: a page Temporal does not answer in time is asked again */
  pageDeadlineMs?: number;
  /** how many times a page is asked before the listing is reported unavailable */
  attempts?: number;
}

/**
 * Every running BDC workflow, page after page. At programme scale the listing takes many pages, and
 * a busy server may fail one of them: that page is asked again from its own token, not the listing from
 * the start; what Temporal answered last is said in full when it gives up.
 */
async function runningWorkflows(
  client: Client,
  { pageDeadlineMs = 30_000, attempts = 4 }: ListingOptions,
): Promise<Set<string>> {
  const ids = new Set<string>();
  const query = `WorkflowType = '${BDC_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await pRetry(
      () =>
        client.connection.withDeadline(Date.now() + pageDeadlineMs, () =>
          client.workflowService.listWorkflowExecutions({
            namespace: client.options.namespace,
            query,
            pageSize: 1000,
            ...(nextPageToken ? { nextPageToken } : {}),
          }),
        ),
      { retries: attempts - 1, minTimeout: 1_000, factor: 2 },
    ).catch((err: unknown) => {
      // gRPC's own message names the status (« 14 UNAVAILABLE: … », « 4 DEADLINE_EXCEEDED: … »)
      throw new Error(`${attempts} attempts, the last: ${(err as Error).message}`);
    });
    for (const e of page.executions) if (e.execution?.workflowId) ids.add(e.execution.workflowId);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return ids;
}
