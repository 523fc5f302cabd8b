import type { Actor, Reminder } from './bdc-view';
import { check, eventFormOf, isRecord } from './checks';
import { say } from './messages';

/**
 * The external events a running BDC accepts, each carrying an event id and an actor, and the plain
 * checks of their form (the workflow's validators run them; the API's schemas check the same rules
 * at the edge).
 */
export interface BdcEvent {
  eventId: string;
  actor: Actor;
}

export interface DossierFiled extends BdcEvent {
  filedAt: string;
}
export interface ReferencementDecision extends BdcEvent {
  decision: 'granted' | 'refused';
  decidedAt: string;
}
export interface Cancellation extends BdcEvent {
  reason: string;
}
export interface ReimbursementReceipt extends BdcEvent {
  amountCents: number;
  receivedAt: string;
}
export interface CalendarAmendment extends BdcEvent {
  orderDeadline?: string;
  closing?: string;
  /** the reminders of the new closing, planned by the batch from the campaign's offsets */
  closingReminders?: Reminder[];
  reason: string;
}
/** An operator's decision on a BDC that needs attention: try the failed step again, or cancel the BDC. */
export interface AttentionDecision extends BdcEvent {
  decision: 'retry' | 'cancel';
  reason: string;
}

/** An operator's decision on an overdue reimbursement: hand it over for recovery, or write it off. */
export interface ReimbursementSettlement extends BdcEvent {
  decision: 'escalate' | 'write_off';
  reason: string;
}

export const referencementDecisions = ['granted', 'refused'] as const;
export const settlementDecisions = ['escalate', 'write_off'] as const;
export const attentionDecisions = ['retry', 'cancel'] as const;

const form = eventFormOf;

export const eventForm = {
  dossierFiled: form((p, e) => check.instant(p, e, 'filedAt')),
  referencementDecided: form((p, e) => {
    check.oneOf(p, e, 'decision', referencementDecisions);
    check.instant(p, e, 'decidedAt');
  }),
  cancellationRequested: form((p, e) => check.string(p, e, 'reason', '', { max: 500 })),
  reimbursementReceived: form((p, e) => {
    check.cents(p, e, 'amountCents');
    check.instant(p, e, 'receivedAt');
  }),
  calendarAmended: form((p, e) => {
    check.instant(p, e, 'orderDeadline', '', true);
    check.instant(p, e, 'closing', '', true);
    check.string(p, e, 'reason', '', { max: 500 });
    if (e.orderDeadline === undefined && e.closing === undefined) p.add('invalid_value', say('amendment_empty'), '');
    const reminders = e.closingReminders;
    if (
      reminders !== undefined &&
      !(
        Array.isArray(reminders) &&
        reminders.every((r) => isRecord(r) && typeof r.at === 'string' && typeof r.before === 'string')
      )
    ) {
      p.add(
        'invalid_type',
        say('expected_type', { expected: 'array', received: typeof reminders }),
        'closingReminders',
        reminders,
      );
    }
  }),
  reimbursementSettled: form((p, e) => {
    check.oneOf(p, e, 'decision', settlementDecisions);
    check.string(p, e, 'reason', '', { max: 500 });
  }),
  attentionResolved: form((p, e) => {
    check.oneOf(p, e, 'decision', attentionDecisions);
    check.string(p, e, 'reason', '', { max: 500 });
  }),
  proposalValidated: form((p, e) => check.string(p, e, 'proposalId', '', { max: 100 })),
  proposalRejected: form((p, e) => {
    check.string(p, e, 'proposalId', '', { max: 100 });
    check.string(p, e, 'reason', '', { max: 500 });
  }),
};
