import type { BdcView } from '../../domain/bdc-view';
import { vaRefusals } from '../../domain/va';
import { vaDocument } from '../../scripts/samples/bdc';
import { bdcRequest, editeurActor } from '../support/bdc-fixtures';

// The VA's rules are plain functions of the BDC and the submission: checked here without Temporal.
const request = bdcRequest({ ogFiness: '750000028', essms: ['750000036', '750000044'] });
const closing = '2024-04-17T21:59:59.999Z';
const view = (overrides: Partial<BdcView> = {}): BdcView => ({
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
  deadlines: [{ name: 'closing', at: closing, source: 'campaign', state: 'pending' }],
  version: 1,
  audit: [],
  ...overrides,
});
const submission = (signedAt = '2024-03-01T10:00:00.000Z', receivedAt = '2024-03-02T10:00:00.000Z') => ({
  eventId: 'e',
  actor: editeurActor('editeur-acme'),
  receivedAt,
  ...vaDocument(request, signedAt, 584_000),
});
const codes = (v: BdcView, s: ReturnType<typeof submission>) => vaRefusals(v, s).map((r) => r.code);

test('a VA covering every ESSMS, signed and received in time, to the right OG, passes', () => {
  expect(vaRefusals(view(), submission())).toEqual([]);
  expect(vaRefusals(view({ status: 'advance_issued' }), submission())).toEqual([]);
});

test('only once the advance is issued and before the BDC ends', () => {
  for (const status of ['awaiting_referencement', 'reimbursement_due', 'completed', 'lapsed'] as const) {
    expect(vaRefusals(view({ status }), submission())).toEqual([
      expect.objectContaining({ code: 'wrong_state', path: 'status', value: status }),
    ]);
  }
});

test('every ESSMS of the BDC, and no other, each with its DUI deployed and its TBB.1 indicators non-zero', () => {
  const s = submission();
  s.va.essms[1] = { ...s.va.essms[1]!, finess: '750000051', duiDeployed: false, tbb1: { 'TBB.1.1': 0 } };
  expect(vaRefusals(view(), s)).toMatchObject([
    { code: 'va_missing_essms', message: 'VA does not cover ESSMS 750000044', path: 'va.essms', value: '750000044' },
    {
      code: 'va_foreign_essms',
      message: 'VA names ESSMS 750000051, which this BDC does not cover',
      path: 'va.essms.1.finess',
      value: '750000051',
    },
    {
      code: 'va_dui_not_deployed',
      message: 'VA does not attest that the DUI is deployed for ESSMS 750000051',
      path: 'va.essms.1.duiDeployed',
      value: false,
    },
    {
      code: 'va_tbb1_zero',
      message: 'TBB.1 indicator TBB.1.1 is 0 for ESSMS 750000051',
      path: 'va.essms.1.tbb1.TBB.1.1',
      value: 0,
    },
  ]);
});

test("signed and received by the closing date; signed before it was received; invoiced to the BDC's OG", () => {
  expect(codes(view(), submission('2024-04-18T08:00:00.000Z', '2024-04-18T09:00:00.000Z'))).toEqual([
    'va_signed_after_closing',
    'va_received_after_closing',
  ]);
  expect(codes(view(), submission(closing, closing))).toEqual([]);
  expect(codes(view(), submission('2024-03-03T10:00:00.000Z', '2024-03-02T10:00:00.000Z'))).toEqual([
    'va_signed_after_receipt',
  ]);
  const s = submission();
  s.invoice.ogFiness = '010003820';
  expect(vaRefusals(view(), s)).toMatchObject([
    expect.objectContaining({ code: 'invoice_other_og', path: 'invoice.ogFiness', value: '010003820' }),
  ]);
});
