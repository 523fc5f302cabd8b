import type { AttentionDecision } from '../events';
import {
  recoveryOutstanding,
  type ControlDecision,
  type ControlRecord,
  type RecoveryReceipt,
  type RecoverySettlement,
} from '../control-view';
import { say } from '../messages';
import { pendingProposal } from '../proposals';
import { refusalOf, type Refusal } from '../refusal';

/**
 * The rules a control's events must pass, as pure functions of its record and of the instant: its
 * update validators run them before anything is accepted.
 */

const wrongState = (r: ControlRecord) => [
  refusalOf('wrong_state', say('control_wrong_state', { status: r.status }), 'status', r.status),
];

export function documentsRefusals(r: ControlRecord): Refusal[] {
  return r.status !== 'documents_requested' ? wrongState(r) : [];
}

export function controlDecisionRefusals(r: ControlRecord, e: ControlDecision): Refusal[] {
  if (r.status !== 'documents_requested' && r.status !== 'under_review') return wrongState(r);
  if (e.outcome === 'passed') return [];
  const problems: Refusal[] = [];
  if (!e.reasons.length) problems.push(refusalOf('reasons_missing', say('reasons_missing'), 'reasons'));
  if (!e.recoveryCents) problems.push(refusalOf('recovery_missing', say('recovery_missing'), 'recoveryCents'));
  else if (e.recoveryCents > r.heldCents)
    problems.push(
      refusalOf(
        'recovery_too_large',
        say('recovery_too_large', { amountCents: e.recoveryCents, heldCents: r.heldCents }),
        'recoveryCents',
        e.recoveryCents,
      ),
    );
  return problems;
}

export function recoveryReceiptRefusals(r: ControlRecord, now: number, e: RecoveryReceipt): Refusal[] {
  const { recovery, status } = r;
  if (status !== 'recovery_due' || !recovery) return wrongState(r);
  const outstanding = recoveryOutstanding(r);
  if (e.amountCents > outstanding)
    return [
      refusalOf(
        'more_than_due',
        say('more_than_due', { amountCents: e.amountCents, dueCents: outstanding }),
        'amountCents',
        e.amountCents,
      ),
    ];
  if (Date.parse(e.receivedAt) > now)
    return [refusalOf('in_future', say('receipt_in_future'), 'receivedAt', e.receivedAt)];
  if (Date.parse(e.receivedAt) < Date.parse(recovery.issuedDayStartsAt))
    return [
      refusalOf(
        'before_demand',
        say('receipt_before_demand', { issuedAt: recovery.issuedAt }),
        'receivedAt',
        e.receivedAt,
      ),
    ];
  return [];
}

export function recoverySettlementRefusals(r: ControlRecord, e: RecoverySettlement): Refusal[] {
  const { recovery, status } = r;
  if (status !== 'recovery_due' || !recovery?.overdue)
    return [refusalOf('not_overdue', say('not_overdue', { status }), 'status', status)];
  if (e.decision === 'escalate' && recovery.escalated)
    return [refusalOf('already_escalated', say('already_escalated'), 'decision', e.decision)];
  if (e.decision === 'write_off' && pendingProposal(r.proposals)?.kind === 'writeOff')
    return [refusalOf('already_proposed', say('already_proposed'), 'decision', e.decision)];
  return [];
}

/** A control is never cancelled: an operator who examined its refused step tries it again. */
export function controlAttentionRefusals(e: AttentionDecision): Refusal[] {
  return e.decision === 'cancel'
    ? [refusalOf('not_cancellable', say('control_not_cancellable'), 'decision', e.decision)]
    : [];
}
