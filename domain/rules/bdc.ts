import type { BdcRecord } from '../bdc-view';
import type {
  AttentionDecision,
  DossierFiled,
  ReferencementDecision,
  ReimbursementReceipt,
  ReimbursementSettlement,
} from '../events';
import { outstandingCents } from '../lifecycle';
import { say } from '../messages';
import { refusalOf, type Refusal } from '../refusal';
import { terminalStatuses } from '../bdc-view';
import { pendingProposal } from '../proposals';
import { vaRefusals, type VaSubmission } from '../va';

/**
 * The rules a BDC's events must pass, as pure functions of its record, of what its workflow accepted
 * and has not recorded yet, and of the instant: its update validators run them (synchronously, before
 * anything is accepted), and so can any test, in milliseconds.
 */

/** What a BDC's workflow accepted and handed to its main line, not yet recorded. */
export interface BdcPending {
  decision?: ReferencementDecision;
  va?: VaSubmission;
  cancellation?: { reason: string };
  /** cents of receipts being recorded: a second receipt is judged against what they leave due */
  receivingCents: number;
}

const refused = (code: string, said: Parameters<typeof refusalOf>[1], path = '', value?: unknown) => [
  refusalOf(code, said, path, value),
];
const ended = (r: BdcRecord) => terminalStatuses.includes(r.status);

export function dossierRefusals(r: BdcRecord, _p: BdcPending, now: number, e: DossierFiled): Refusal[] {
  const { referencement, status } = r;
  if (referencement.state !== 'pending' || ended(r) || status === 'needs_attention')
    return refused(
      'wrong_state',
      say('dossier_not_awaited', { referencement: referencement.state, status }),
      'status',
      status,
    );
  if (referencement.dossierFiledAt)
    return refused(
      'already_filed',
      say('already_filed', { filedAt: referencement.dossierFiledAt }),
      'filedAt',
      e.filedAt,
    );
  const due = r.deadlines.find((d) => d.name === 'dossier');
  if (due && Date.parse(e.filedAt) > Date.parse(due.at))
    return refused('dossier_late', say('dossier_late', { due: due.at }), 'filedAt', e.filedAt);
  if (Date.parse(e.filedAt) > now) return refused('in_future', say('filing_in_future'), 'filedAt', e.filedAt);
  if (Date.parse(e.filedAt) < Date.parse(r.orderDayStartsAt))
    return refused(
      'before_order',
      say('filing_before_order', { orderDate: r.request.orderDate }),
      'filedAt',
      e.filedAt,
    );
  return [];
}

export function decisionRefusals(r: BdcRecord, p: BdcPending, now: number, e: ReferencementDecision): Refusal[] {
  // issue 21: a decision dated in the future paid the advance
  if (Date.parse(e.decidedAt) > now) return refused('in_future', say('decision_in_future'), 'decidedAt', e.decidedAt);
  if (r.status !== 'awaiting_referencement' || p.decision || p.cancellation)
    return refused(
      'wrong_state',
      say('decision_not_awaited', { referencement: r.referencement.state, status: r.status }),
      'status',
      r.status,
    );
  return [];
}

export function submissionRefusals(r: BdcRecord, p: BdcPending, _now: number, raw: unknown): Refusal[] {
  return vaRefusals(r, raw, p);
}

export function cancellationRefusals(r: BdcRecord, p: BdcPending): Refusal[] {
  const va = r.va?.invoiceNumber ?? p.va?.invoice.number;
  if (va !== undefined) return refused('va_accepted', say('not_cancellable_va', { invoice: va }), 'status', r.status);
  if (r.status === 'needs_attention')
    return refused('needs_attention', say('not_cancellable_attention'), 'status', r.status);
  // money awaiting validation: only an advance not yet validated is withdrawn by a cancellation
  if (r.status === 'awaiting_validation' && pendingProposal(r.proposals)?.kind !== 'advance')
    return refused('wrong_state', say('not_cancellable', { status: r.status, pending: false }), 'status', r.status);
  const pending = Boolean(r.cancellation ?? p.cancellation);
  if (ended(r) || pending || r.status === 'reimbursement_due')
    return refused('wrong_state', say('not_cancellable', { status: r.status, pending }), 'status', r.status);
  return [];
}

export function receiptRefusals(r: BdcRecord, p: BdcPending, now: number, e: ReimbursementReceipt): Refusal[] {
  const { status, demand } = r;
  if (status !== 'reimbursement_due' || !demand)
    return refused('wrong_state', say('no_reimbursement_due', { status }), 'status', status);
  const outstanding = outstandingCents(r) - p.receivingCents;
  if (e.amountCents > outstanding)
    return refused(
      'more_than_due',
      say('more_than_due', { amountCents: e.amountCents, dueCents: outstanding }),
      'amountCents',
      e.amountCents,
    );
  if (Date.parse(e.receivedAt) > now) return refused('in_future', say('receipt_in_future'), 'receivedAt', e.receivedAt);
  if (Date.parse(e.receivedAt) < Date.parse(demand.issuedDayStartsAt))
    return refused(
      'before_demand',
      say('receipt_before_demand', { issuedAt: demand.issuedAt }),
      'receivedAt',
      e.receivedAt,
    );
  return [];
}

export function amendmentRefusals(r: BdcRecord): Refusal[] {
  return ended(r) ? refused('bdc_ended', say('milestone_passed', { status: r.status }), 'status', r.status) : [];
}

export function settlementRefusals(r: BdcRecord, p: BdcPending, _now: number, e: ReimbursementSettlement): Refusal[] {
  const { status, reimbursementOverdue } = r;
  if (status !== 'reimbursement_due' || !reimbursementOverdue)
    return refused('not_overdue', say('not_overdue', { status }), 'status', status);
  if (e.decision === 'escalate' && r.escalated)
    return refused('already_escalated', say('already_escalated'), 'decision', e.decision);
  if (e.decision === 'write_off' && pendingProposal(r.proposals)?.kind === 'writeOff')
    return refused('already_proposed', say('already_proposed'), 'decision', e.decision);
  if (outstandingCents(r) - p.receivingCents <= 0)
    return refused('wrong_state', say('no_reimbursement_due', { status }), 'status', status);
  return [];
}

/** Beyond the kernel's rule (an operator decides once, while the BDC needs it): no cancellation once paid. */
export function bdcAttentionRefusals(r: BdcRecord, e: AttentionDecision): Refusal[] {
  if (e.decision === 'cancel' && r.amounts.paidCents > 0)
    return refused('already_paid', say('attention_already_paid'), 'decision', e.decision);
  return [];
}
