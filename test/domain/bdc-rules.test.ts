import type { BdcRecord } from '../../domain/bdc-view';
import {
  bdcAttentionRefusals,
  cancellationRefusals,
  dossierRefusals,
  receiptRefusals,
  settlementRefusals,
  submissionRefusals,
  type BdcPending,
} from '../../domain/rules/bdc';
import { controlDecisionRefusals, controlAttentionRefusals } from '../../domain/rules/control';
import type { ControlRecord } from '../../domain/control-view';
import { vaDocument } from '../../scripts/samples/bdc';
import { bdcRequest, operator } from '../support/bdc-fixtures';

// The rules of a BDC's and a control's events are pure functions of the record, of what the workflow
// accepted and has not recorded yet, and of the instant: checked here without Temporal, in milliseconds.
const request = bdcRequest({ ogFiness: '750000028', essms: ['750000036', '750000044'] });
const now = Date.parse('2024-03-10T12:00:00.000Z');
const none: BdcPending = { receivingCents: 0 };
const e = { eventId: 'e-1', actor: operator };
const record = (overrides: Partial<BdcRecord> = {}): BdcRecord => ({
  bdcId: 'bdc-x',
  status: 'awaiting_va',
  reimbursementOverdue: false,
  request,
  orderDayStartsAt: '2023-10-01T22:00:00.000Z',
  campaign: {
    id: 'vague1-ms1',
    couloir: 'MS1',
    tranche: 'B',
    ogEssmsCount: 3,
    finessExtraction: 'x',
    advanceRateBasisPoints: 3000,
    referencementDelayDays: 120,
    reimbursementDueDays: 30,
  },
  referencement: { state: 'granted' },
  amounts: {
    ceilingCents: 584_000,
    advanceCents: 175_200,
    paidCents: 175_200,
    toReimburseCents: 0,
    reimbursedCents: 0,
  },
  deadlines: [{ name: 'closing', at: '2024-04-17T21:59:59.999Z', source: 'campaign', state: 'pending' }],
  version: 1,
  ...overrides,
});
const codes = (refusals: { code: string }[]) => refusals.map((r) => r.code);

test('a dossier is filed once, while the référencement is awaited, dated between the order and now, within its delay', () => {
  const awaiting = record({
    status: 'awaiting_referencement',
    referencement: { state: 'pending' },
    deadlines: [{ name: 'dossier', at: '2024-01-30T22:59:59.999Z', source: 'order', state: 'pending' }],
  });
  const filed = (filedAt: string) => ({ ...e, filedAt });
  expect(dossierRefusals(awaiting, none, now, filed('2024-01-10T10:00:00.000Z'))).toEqual([]);
  expect(codes(dossierRefusals(awaiting, none, now, filed('2024-02-10T10:00:00.000Z')))).toEqual(['dossier_late']);
  expect(
    codes(dossierRefusals(awaiting, none, Date.parse('2024-01-01T00:00:00Z'), filed('2024-01-10T10:00:00.000Z'))),
  ).toEqual(['in_future']);
  expect(codes(dossierRefusals(awaiting, none, now, filed('2023-09-01T10:00:00.000Z')))).toEqual(['before_order']);
  const already = record({
    ...awaiting,
    referencement: { state: 'pending', dossierFiledAt: '2024-01-02T10:00:00.000Z' },
  });
  expect(codes(dossierRefusals(already, none, now, filed('2024-01-10T10:00:00.000Z')))).toEqual(['already_filed']);
  expect(codes(dossierRefusals(record(), none, now, filed('2024-01-10T10:00:00.000Z')))).toEqual(['wrong_state']);
});

test('a VA handed to the main line counts as accepted: a second VA and a cancellation are refused', () => {
  const va = {
    ...e,
    receivedAt: '2024-03-01T10:00:00.000Z',
    ...vaDocument(request, '2024-03-01T10:00:00.000Z', 584_000),
  };
  expect(submissionRefusals(record(), none, now, va)).toEqual([]);
  const pending = { ...none, va };
  expect(codes(submissionRefusals(record(), pending, now, { ...va, eventId: 'e-2' }))).toEqual(['va_accepted']);
  expect(codes(cancellationRefusals(record(), pending))).toEqual(['va_accepted']);
  // and the reverse: a cancellation handed over refuses the VA
  expect(codes(submissionRefusals(record(), { ...none, cancellation: { reason: 'OG dissoute' } }, now, va))).toEqual([
    'cancellation_pending',
  ]);
});

test('a receipt is judged against what the receipts being recorded leave due', () => {
  const due = record({
    status: 'reimbursement_due',
    amounts: {
      ceilingCents: 584_000,
      advanceCents: 175_200,
      paidCents: 175_200,
      toReimburseCents: 175_200,
      reimbursedCents: 0,
    },
    demand: {
      amountCents: 175_200,
      reason: 'r',
      dueAt: '2024-04-09T21:59:59.999Z',
      issuedAt: '2024-03-09T10:00:00.000Z',
      issuedDayStartsAt: '2024-03-08T23:00:00.000Z',
      endsAs: 'reimbursed',
    },
  });
  const receipt = (amountCents: number, receivedAt = '2024-03-10T10:00:00.000Z') => ({ ...e, amountCents, receivedAt });
  expect(receiptRefusals(due, none, now, receipt(175_200))).toEqual([]);
  expect(codes(receiptRefusals(due, { receivingCents: 100_000 }, now, receipt(100_000)))).toEqual(['more_than_due']);
  expect(codes(receiptRefusals(due, none, now, receipt(1_000, '2024-03-11T10:00:00.000Z')))).toEqual(['in_future']);
  expect(codes(receiptRefusals(due, none, now, receipt(1_000, '2024-03-08T10:00:00.000Z')))).toEqual(['before_demand']);
  expect(codes(settlementRefusals(due, none, now, { ...e, decision: 'write_off', reason: 'r' }))).toEqual([
    'not_overdue',
  ]);
});

test('an operator cancels a BDC that needs attention only before any payment; a control is never cancelled', () => {
  const cancel = { ...e, decision: 'cancel' as const, reason: 'r' };
  expect(codes(bdcAttentionRefusals(record(), cancel))).toEqual(['already_paid']);
  expect(bdcAttentionRefusals(record({ amounts: { ...record().amounts, paidCents: 0 } }), cancel)).toEqual([]);
  expect(codes(controlAttentionRefusals(cancel))).toEqual(['not_cancellable']);
});

test('a failed control names its reasons and demands back no more than the éditeur holds', () => {
  const control: ControlRecord = {
    controlId: 'c-1',
    drawId: 'd-1',
    bdcId: 'bdc-x',
    editeurId: 'editeur-acme',
    status: 'under_review',
    assignedTo: 'x',
    paidCents: 657_000,
    // 157,00 € of it already demanded back (an invoice below the advance)
    heldCents: 500_000,
    documents: { requested: ['contrat'], dueAt: '2024-06-30T21:59:59.999Z', overdue: false },
    version: 1,
  };
  const decision = (recoveryCents?: number, reasons = ['pièce manquante']) => ({
    ...e,
    outcome: 'failed' as const,
    findings: 'f',
    reasons,
    recoveryCents,
  });
  expect(controlDecisionRefusals(control, decision(500_000))).toEqual([]);
  // issue 21: 600,00 € demanded of an éditeur that kept 500,00 € of the 657,00 € paid
  expect(codes(controlDecisionRefusals(control, decision(600_000)))).toEqual(['recovery_too_large']);
  expect(codes(controlDecisionRefusals(control, decision(undefined, [])))).toEqual([
    'reasons_missing',
    'recovery_missing',
  ]);
});
