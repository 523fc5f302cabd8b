import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, AuditEntry, BdcRequest, BdcStatus, Deadline } from '../../domain/bdc-view';
import type { Amounts } from '../../domain/bdc-view';
import type {
  CalendarAmendment,
  Cancellation,
  DossierFiled,
  ReferencementDecision,
  ReimbursementReceipt,
} from '../../domain/events';
import type { VaSubmission } from '../../domain/va';
import { bdcMessages } from '../messages';

/** FROZEN with bdc-lifecycle-v1.ts: the input and the state of the BDCs started before the record. */
export interface LegacyInput {
  bdcId: string;
  request: BdcRequest & { solutionReferenced: boolean };
  couloir: string;
  tranche: string;
  ogEssmsCount: number;
  finessExtraction: string;
  ceilingCents: number;
  advanceRateBasisPoints: number;
  reimbursementDueDays: number;
  deadlines: { dossier?: string; orderDeadline: string; closing: string };
  registeredBy: { eventId: string; actor: Actor };
}

export type LegacyBdcView = {
  bdcId: string;
  status: BdcStatus;
  reimbursementOverdue: boolean;
  request: LegacyInput['request'];
  campaign: { couloir: string; tranche: string; ogEssmsCount: number; finessExtraction: string };
  referencement: { state: 'granted' | 'pending' | 'refused'; dossierFiledAt?: string };
  amounts: Amounts;
  deadlines: Deadline[];
  va?: { signedAt: string; invoiceNumber: string; invoiceCents: number; acceptedAt: string };
  outcome?: string;
  audit: Omit<AuditEntry, 'seq' | 'kind'>[];
  eventIds: string[];
};

/** The same messages (names from workflows/messages.ts), answered with the v1 state. */
export const v1Messages = {
  referencementDossierFiled: defineUpdate<LegacyBdcView, [DossierFiled]>(bdcMessages.referencementDossierFiled.name),
  referencementDecided: defineUpdate<LegacyBdcView, [ReferencementDecision]>(bdcMessages.referencementDecided.name),
  vaSubmitted: defineUpdate<LegacyBdcView, [VaSubmission]>(bdcMessages.vaSubmitted.name),
  cancellationRequested: defineUpdate<LegacyBdcView, [Cancellation]>(bdcMessages.cancellationRequested.name),
  reimbursementReceived: defineUpdate<LegacyBdcView, [ReimbursementReceipt]>(bdcMessages.reimbursementReceived.name),
  calendarAmended: defineUpdate<LegacyBdcView, [CalendarAmendment]>(bdcMessages.calendarAmended.name),
  state: defineQuery<LegacyBdcView>(bdcMessages.state.name),
};
