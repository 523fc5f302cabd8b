import type { Actor, BdcStatus, BdcWorkflowInput } from './bdc';

export type DeadlineName = 'dossier' | 'orderDeadline' | 'closing' | 'reimbursementDue';

export interface Deadline {
  name: DeadlineName;
  /** the last instant still in time (a day ends at 23:59:59.999 Paris); it passes 1 ms later */
  at: string;
  /** where the date comes from: the campaign, the order date + delay, an amendment's event id… */
  source: string;
  state: 'pending' | 'met' | 'missed' | 'moot';
}

export interface AuditEntry {
  at: string;
  what: string;
  by: Actor;
  eventId?: string;
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
}

/** The full state of one BDC, as the `state` query and every update answer it. */
// a type alias, not an interface, so that it fits the API's record-of-unknown response schema
export type BdcView = {
  bdcId: string;
  status: BdcStatus;
  reimbursementOverdue: boolean;
  request: BdcWorkflowInput['request'];
  campaign: { couloir: string; tranche: string; ogEssmsCount: number; finessExtraction: string };
  referencement: { state: 'granted' | 'pending' | 'refused'; dossierFiledAt?: string };
  amounts: Amounts;
  deadlines: Deadline[];
  va?: { signedAt: string; invoiceNumber: string; invoiceCents: number; acceptedAt: string };
  /** why the BDC ended, once it has */
  outcome?: string;
  audit: AuditEntry[];
  eventIds: string[];
};

export const terminalStatuses: readonly BdcStatus[] = ['completed', 'lapsed', 'cancelled', 'rejected', 'reimbursed'];
