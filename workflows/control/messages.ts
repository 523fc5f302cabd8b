import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  ControlAnswer,
  ControlDecision,
  ControlRecord,
  DocumentsReceived,
  RecoveryReceipt,
  RecoverySettlement,
} from '../../domain/control-view';

/** The messages of a control's workflow, defined once for it, the client and the tests. */
export const controlMessages = {
  documentsReceived: defineUpdate<ControlAnswer, [DocumentsReceived]>('documentsReceived'),
  controlDecided: defineUpdate<ControlAnswer, [ControlDecision]>('controlDecided'),
  recoveryReceived: defineUpdate<ControlAnswer, [RecoveryReceipt]>('recoveryReceived'),
  recoverySettled: defineUpdate<ControlAnswer, [RecoverySettlement]>('recoverySettled'),
  state: defineQuery<ControlRecord>('state'),
} as const;

export const CONTROL_WORKFLOW_TYPE = 'bdcControl';
