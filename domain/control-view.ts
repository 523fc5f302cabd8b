import type { Actor, Attention, AuditEntry } from './bdc-view';
import type { Proposal } from './proposals';

/**
 * An a posteriori control of one completed BDC (DOMAIN.md, "A posteriori controls"): documents asked
 * of the éditeur by a due date, findings, a decision; a failed control demands back all or part of
 * the sums paid, tracked to receipt like the advance's reimbursement. Plain types: workflow code
 * imports them.
 */
export const controlStatuses = [
  'documents_requested',
  'under_review',
  'passed',
  'recovery_due',
  'recovered',
  'written_off',
  /** an effect was refused by the ledger or the record: an operator examines it and tries it again */
  'needs_attention',
  /** a recovery proposed: it waits for the ordonnateurs' validation */
  'awaiting_validation',
] as const;
export type ControlStatus = (typeof controlStatuses)[number];
export const controlEndStatuses: readonly ControlStatus[] = ['passed', 'recovered', 'written_off'];

export interface ControlInput {
  controlId: string;
  drawId: string;
  bdcId: string;
  editeurId: string;
  /** what the BDC was paid */
  paidCents: number;
  /** what the éditeur held when the control was drawn (paid, less what was already demanded back): a recovery demands back at most this */
  heldCents: number;
  assignedTo: string;
  documents: string[];
  /** the documents are due by then (end of a Paris day) */
  documentsDueAt: string;
  /** the recovery is due so many days after it is demanded, at the end of a Paris day */
  recoveryDueDays: number;
  /** above this, two different ordonnateurs validate its money (the campaign's; absent: 50 000 €) */
  fourEyesThresholdCents?: number;
  openedBy: { eventId: string; actor: Actor };
  /** a run continued as new resumes from this state and these events */
  resume?: {
    record: ControlRecord;
    events: Record<string, { kind: string; hash: string; answer: ControlAnswer }>;
    auditSeq: number;
  };
}

export type ControlRecord = {
  controlId: string;
  drawId: string;
  bdcId: string;
  editeurId: string;
  status: ControlStatus;
  /** why an operator must decide, while status is needs_attention */
  attention?: Attention<ControlStatus>;
  assignedTo: string;
  paidCents: number;
  heldCents: number;
  documents: { requested: string[]; dueAt: string; receivedAt?: string; overdue: boolean };
  /** its money proposals (a recovery, a write-off), validated by ordonnateurs */
  proposals?: Proposal[];
  decision?: { outcome: 'passed' | 'failed'; findings: string; reasons: string[]; by: Actor; at: string };
  recovery?: {
    amountCents: number;
    reason: string;
    dueAt: string;
    issuedAt: string;
    issuedDayStartsAt: string;
    receivedCents: number;
    writtenOffCents: number;
    overdue: boolean;
    escalated?: { reason: string; by: Actor; at: string };
  };
  version: number;
};

export type ControlView = ControlRecord & { audit: AuditEntry[] };

/** What a control answers an accepted event. */
export interface ControlAnswer {
  controlId: string;
  eventId: string;
  kind: string;
  hash: string;
  status: ControlStatus;
  version: number;
}

export interface DocumentsReceived {
  eventId: string;
  actor: Actor;
  receivedAt: string;
}
export interface ControlDecision {
  eventId: string;
  actor: Actor;
  outcome: 'passed' | 'failed';
  findings: string;
  reasons: string[];
  /** for a failed control: how much of the sums paid is demanded back */
  recoveryCents?: number;
}
export interface RecoveryReceipt {
  eventId: string;
  actor: Actor;
  amountCents: number;
  receivedAt: string;
}
export interface RecoverySettlement {
  eventId: string;
  actor: Actor;
  decision: 'escalate' | 'write_off';
  reason: string;
}

/** Outstanding cents of a control's recovery. */
export const recoveryOutstanding = (r: Pick<ControlRecord, 'recovery'>) =>
  r.recovery ? r.recovery.amountCents - r.recovery.receivedCents - r.recovery.writtenOffCents : 0;

/** A control as drawn: the record intake writes and its workflow starts from. */
export function initialControlRecord(input: ControlInput): ControlRecord {
  return {
    controlId: input.controlId,
    drawId: input.drawId,
    bdcId: input.bdcId,
    editeurId: input.editeurId,
    status: 'documents_requested',
    assignedTo: input.assignedTo,
    paidCents: input.paidCents,
    heldCents: input.heldCents,
    documents: { requested: input.documents, dueAt: input.documentsDueAt, overdue: false },
    version: 0,
  };
}
