import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { BdcRecord, BdcWorkflowInput, EventAnswer } from '../domain/bdc-view';
import type {
  AttentionDecision,
  CalendarAmendment,
  Cancellation,
  DossierFiled,
  ReferencementDecision,
  ReimbursementReceipt,
  ReimbursementSettlement,
} from '../domain/events';
import type { ProposalRejection, ProposalValidation } from '../domain/proposals';
import type { VaSubmission } from '../domain/va';

/**
 * The messages of a BDC workflow, defined once for the workflow, the client and the tests. Each update
 * answers once its event is recorded (in the record, with its effect): where the BDC then stands — or
 * a structured refusal (ApplicationFailure of type "Refused" whose details are the refusals).
 */
export const bdcMessages = {
  referencementDossierFiled: defineUpdate<EventAnswer, [DossierFiled]>('referencementDossierFiled'),
  referencementDecided: defineUpdate<EventAnswer, [ReferencementDecision]>('referencementDecided'),
  vaSubmitted: defineUpdate<EventAnswer, [VaSubmission]>('vaSubmitted'),
  cancellationRequested: defineUpdate<EventAnswer, [Cancellation]>('cancellationRequested'),
  reimbursementReceived: defineUpdate<EventAnswer, [ReimbursementReceipt]>('reimbursementReceived'),
  calendarAmended: defineUpdate<EventAnswer, [CalendarAmendment]>('calendarAmended'),
  attentionResolved: defineUpdate<EventAnswer, [AttentionDecision]>('attentionResolved'),
  /** an overdue reimbursement handed over for recovery, or written off */
  reimbursementSettled: defineUpdate<EventAnswer, [ReimbursementSettlement]>('reimbursementSettled'),
  /** an ordonnateur validates the BDC's money proposal (the last validation writes it) */
  proposalValidated: defineUpdate<EventAnswer, [ProposalValidation]>('proposalValidated'),
  /** an ordonnateur rejects it, with a reason */
  proposalRejected: defineUpdate<EventAnswer, [ProposalRejection]>('proposalRejected'),
  /** the BDC's state in its workflow (the record, in PostgreSQL, is what reads use) */
  state: defineQuery<BdcRecord>('state'),
} as const;

export type BdcEventKind = Exclude<keyof typeof bdcMessages, 'state'>;

export const BDC_WORKFLOW_TYPE = 'bdcLifecycle';

/** The BDC workflow's signature, for typed starts without importing workflow code. */
export type BdcLifecycleWorkflow = (input: BdcWorkflowInput) => Promise<BdcRecord>;
