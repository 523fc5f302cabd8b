import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { VaSubmission } from '../domain/bdc';
import type { CalendarAmendment, Cancellation, DossierFiled, ReferencementDecision, ReimbursementReceipt } from '../domain/events';
import type { BdcView } from '../domain/bdc-view';

/**
 * The messages of a BDC workflow, defined once for the workflow, the client and the tests. Each update
 * answers the BDC's state after the event, or a structured refusal (ApplicationFailure of type
 * "Refused" whose details are the refusals).
 */
export const bdcMessages = {
  referencementDossierFiled: defineUpdate<BdcView, [DossierFiled]>('referencementDossierFiled'),
  referencementDecided: defineUpdate<BdcView, [ReferencementDecision]>('referencementDecided'),
  vaSubmitted: defineUpdate<BdcView, [VaSubmission]>('vaSubmitted'),
  cancellationRequested: defineUpdate<BdcView, [Cancellation]>('cancellationRequested'),
  reimbursementReceived: defineUpdate<BdcView, [ReimbursementReceipt]>('reimbursementReceived'),
  calendarAmended: defineUpdate<BdcView, [CalendarAmendment]>('calendarAmended'),
  state: defineQuery<BdcView>('state'),
} as const;

export const BDC_WORKFLOW_TYPE = 'bdcLifecycle';
