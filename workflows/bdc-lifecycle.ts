import { patched, workflowInfo } from '@temporalio/workflow';
import type { BdcRecord, BdcWorkflowInput } from '../domain/bdc-view';
import { BdcLifecycle } from './bdc/lifecycle';
import { bdcLifecycleV1 } from './legacy/bdc-lifecycle-v1';
import type { LegacyBdcView, LegacyInput } from './legacy/types';

/**
 * Versioning of running BDCs. The patch below is asked before any other command: BDCs started
 * before it (their histories hold no marker) replay and continue on the frozen v1 lifecycle; every
 * BDC started since runs the lifecycle that writes the record (workflows/bdc/lifecycle.ts).
 */
export const RECORD_PATCH = 'bdc-record-v2';

/** One BDC = one workflow. See DOMAIN.md "Lifecycle". */
export async function bdcLifecycle(input: BdcWorkflowInput | LegacyInput): Promise<BdcRecord | LegacyBdcView> {
  if (!patched(RECORD_PATCH)) return bdcLifecycleV1(input as LegacyInput);
  return new BdcLifecycle(isLegacy(input) ? fromLegacy(input) : input).run();
}

const isLegacy = (input: BdcWorkflowInput | LegacyInput): input is LegacyInput => !('campaign' in input);

/** A BDC registered by the code before the record, whose first task reaches this code: its input as today's. */
function fromLegacy(input: LegacyInput): BdcWorkflowInput {
  const { request } = input;
  return {
    bdcId: input.bdcId,
    request,
    campaign: {
      id: request.campaignId,
      couloir: input.couloir,
      tranche: input.tranche,
      ogEssmsCount: input.ogEssmsCount,
      finessExtraction: input.finessExtraction,
      advanceRateBasisPoints: input.advanceRateBasisPoints,
      referencementDelayDays: 120,
      reimbursementDueDays: input.reimbursementDueDays,
    },
    ceilingCents: input.ceilingCents,
    referencement: request.solutionReferenced ? 'granted' : 'pending',
    deadlines: input.deadlines,
    // Paris is UTC+1 or +2: the earlier of the two starts of the order's day
    orderDayStartsAt: `${request.orderDate}T00:00:00+02:00`,
    registeredBy: input.registeredBy,
    registeredAt: workflowInfo().startTime.toISOString(),
  };
}
