import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AttentionDecision } from '../domain/events';
import type { ProposalRejection, ProposalValidation } from '../domain/proposals';
import type {
  ControlAnswer,
  ControlDecision,
  ControlInput,
  ControlRecord,
  DocumentsReceived,
  RecoveryReceipt,
  RecoverySettlement,
} from '../domain/control-view';

/** The messages of a control's workflow, defined once for it, the client and the tests. */
export const controlMessages = {
  documentsReceived: defineUpdate<ControlAnswer, [DocumentsReceived]>('documentsReceived'),
  controlDecided: defineUpdate<ControlAnswer, [ControlDecision]>('controlDecided'),
  recoveryReceived: defineUpdate<ControlAnswer, [RecoveryReceipt]>('recoveryReceived'),
  recoverySettled: defineUpdate<ControlAnswer, [RecoverySettlement]>('recoverySettled'),
  /** an operator tries again the step the ledger or the record refused */
  attentionResolved: defineUpdate<ControlAnswer, [AttentionDecision]>('attentionResolved'),
  /** an ordonnateur validates the control's recovery or write-off (the last validation writes it) */
  proposalValidated: defineUpdate<ControlAnswer, [ProposalValidation]>('proposalValidated'),
  proposalRejected: defineUpdate<ControlAnswer, [ProposalRejection]>('proposalRejected'),
  state: defineQuery<ControlRecord>('state'),
} as const;

export const CONTROL_WORKFLOW_TYPE = 'bdcControl';

/** The control workflow's signature, for typed starts without importing workflow code. */
export type BdcControlWorkflow = (input: ControlInput) => Promise<ControlRecord>;
