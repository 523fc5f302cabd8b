import type { Refusal } from './refusal';
import type { Actor } from './roles';
import type { Proposal } from './proposals';

/** The SHA-256 of the signed VA's and the invoice's PDF, as stored by the engine (content-addressed). */
export interface VaDocuments {
  signedVa: string;
  invoice: string;
}

/**
 * A BDC's state: what its workflow holds, what the record (PostgreSQL) keeps, what every read
 * answers. Plain types, no schema: workflow code imports them.
 */

export type { Actor } from './roles';

export const bdcStatuses = [
  'awaiting_referencement',
  'advance_issued',
  'awaiting_va',
  'completed',
  'lapsed',
  'cancelled',
  'rejected',
  'reimbursement_due',
  'reimbursed',
  /** a money effect was refused: an operator decides (retry, cancel) */
  'needs_attention',
  /** money proposed (an advance, a balance, a demand): it waits for the ordonnateurs' validation */
  'awaiting_validation',
  /** an overdue reimbursement an operator wrote off, with a reason: the BDC ends, its ESSMS stay financed */
  'written_off',
] as const;
export type BdcStatus = (typeof bdcStatuses)[number];

export const terminalStatuses: readonly BdcStatus[] = [
  'completed',
  'lapsed',
  'cancelled',
  'rejected',
  'reimbursed',
  'written_off',
];

/** Why a recorded process (a BDC, a control) needs an operator: the step the ledger or the record refused. */
export interface Attention<S extends string> {
  step: string;
  reason: string;
  refusals: Refusal[];
  since: string;
  /** the status the process goes back to once an operator decided */
  resumeStatus: S;
}

/** The order as the éditeur and the OG signed it. */
export interface BdcRequest {
  editeurId: string;
  /** the éditeur's own order number; with editeurId, the business key */
  reference: string;
  campaignId: string;
  solutionId: string;
  ogFiness: string;
  /** the OG's name as the order states it (its raison sociale), when the registration gave it */
  ogName?: string;
  essms: string[];
  orderDate: string;
  /** ignored since the registry of solutions: référencement is the solution's, not the caller's say */
  solutionReferenced?: boolean;
}

export type DeadlineName = 'dossier' | 'orderDeadline' | 'closing' | 'reimbursementDue';

export interface Deadline {
  name: DeadlineName;
  /** the last instant still in time (a day ends at 23:59:59.999 Paris); it passes 1 ms later */
  at: string;
  /** when the éditeur is reminded of it (planned outside the workflow from the campaign's offsets); each sent once */
  reminders?: Reminder[];
  /** where the date comes from: the campaign, the order date + delay, an amendment's event id… */
  source: string;
  state: 'pending' | 'met' | 'missed' | 'moot';
}

export interface AuditEntry {
  /** the entry's rank in the BDC's trail: written once, in order, whatever the retries */
  seq: number;
  at: string;
  /** what happened, as a code (registered, advance_ordered, va_accepted…) */
  kind: string;
  /** and in words */
  what: string;
  by: Actor;
  eventId?: string;
  /** the catalogue's message (domain/messages.ts) and its parameters, for readers in other languages */
  key?: string;
  params?: Record<string, string | number | boolean>;
}

export interface Reminder {
  at: string;
  /** how long before the deadline, as the campaign says it: "30 jours", "3 min" */
  before: string;
  sent?: boolean;
}

export interface Amounts {
  ceilingCents: number;
  advanceCents: number;
  /** min(ceiling, invoice), once the VA and invoice are accepted */
  financedCents?: number;
  /** financed − advance; negative when the advance exceeds what is financed */
  balanceCents?: number;
  paidCents: number;
  toReimburseCents: number;
  reimbursedCents: number;
  /** what an operator wrote off of an overdue reimbursement */
  writtenOffCents?: number;
}

export interface CampaignTerms {
  id: string;
  /** an ESSMS is financed once per vague (absent on BDCs registered before it was recorded: vague 1) */
  vague?: number;
  couloir: string;
  tranche: string;
  ogEssmsCount: number;
  finessExtraction: string;
  advanceRateBasisPoints: number;
  referencementDelayDays: number;
  reimbursementDueDays: number;
  /** the TBB.1 indicators a VA must report, each non-zero; absent: any `TBB.1.<n>` */
  tbb1Indicators?: string[];
  /** when the éditeur is reminded of a deadline (absent on BDCs registered before reminders: none) */
  reminderOffsetsDays?: number[];
  reminderOffsetsMinutes?: number[];
  /** above this, two different ordonnateurs validate money (absent: DOMAIN.md's 50 000 €) */
  fourEyesThresholdCents?: number;
}

/** What one BDC is: the record's row, the workflow's state. (A type, so that it fits JSON-shaped records.) */
export type BdcRecord = {
  bdcId: string;
  status: BdcStatus;
  /** why an operator must decide, while status is needs_attention */
  attention?: Attention<BdcStatus>;
  reimbursementOverdue: boolean;
  request: BdcRequest;
  /** the instant the order date's Paris day starts: nothing about the order happens before it */
  orderDayStartsAt: string;
  campaign: CampaignTerms;
  /** the solution's référencement as the BDC knows it; who recorded its decision (they may not validate the advance it makes due) */
  referencement: {
    state: 'granted' | 'pending' | 'refused';
    dossierFiledAt?: string;
    decidedAt?: string;
    decidedBy?: Actor;
  };
  amounts: Amounts;
  deadlines: Deadline[];
  va?: {
    signedAt: string;
    invoiceNumber: string;
    invoiceCents: number;
    acceptedAt: string;
    eventId: string;
    documents?: VaDocuments;
  };
  cancellation?: { reason: string; by: Actor; eventId: string; at: string };
  /** the reimbursement demand outstanding, if any: when it was issued and its day, for the receipts' bounds */
  demand?: {
    amountCents: number;
    reason: string;
    dueAt: string;
    issuedAt: string;
    issuedDayStartsAt: string;
    endsAs: 'reimbursed' | 'completed';
  };
  /** why the BDC ended, once it has */
  outcome?: string;
  /** an overdue reimbursement handed over for recovery (escalated) by an operator: the BDC still waits for the money */
  escalated?: { reason: string; by: Actor; at: string; eventId: string };
  /** its money proposals: proposed, validated (then written) or rejected by ordonnateurs, or withdrawn */
  proposals?: Proposal[];
  /** what an operator wrote off of an overdue reimbursement, and why: the BDC then ends written_off */
  writtenOff?: { reason: string; by: Actor; at: string; eventId: string };
  /** the number of the BDC's last committed transition: a write of an older one changes nothing */
  version: number;
};

/** A BDC as the API answers it: its record and its audit trail. */
export type BdcView = BdcRecord & { audit: AuditEntry[] };

/** Everything the workflow needs, every date already an instant (computed outside the workflow). */
export interface BdcWorkflowInput {
  bdcId: string;
  request: BdcRequest;
  campaign: CampaignTerms;
  ceilingCents: number;
  /** the solution's référencement in the registry when the BDC was registered (or its workflow started) */
  referencement: 'granted' | 'pending' | 'refused';
  deadlines: {
    /** present when ordered before référencement: end of the 120-day dossier delay */
    dossier?: string;
    orderDeadline: string;
    closing: string;
    /** the reminders of the dossier and closing deadlines, planned at registration */
    reminders?: { dossier?: Reminder[]; closing?: Reminder[] };
  };
  orderDayStartsAt: string;
  registeredBy: { eventId: string; actor: Actor };
  registeredAt: string;
  /** a run continued as new resumes from this state and these events */
  resume?: { record: BdcRecord; events: Record<string, EventSeen>; auditSeq: number };
}

/** An event a BDC accepted: enough to recognise it again and answer as it did. */
export interface EventSeen {
  kind: string;
  /** a hash of its content (without who sent it and when it arrived) */
  hash: string;
  answer: EventAnswer;
}

/** What a BDC answers an accepted event: where it stands once the event is recorded. */
export interface EventAnswer {
  bdcId: string;
  eventId: string;
  kind: string;
  /** the content's hash (domain/event-hash.ts): the sender tells its duplicate from a reused id */
  hash: string;
  status: BdcStatus;
  version: number;
}
