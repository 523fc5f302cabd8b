import { applyRate, formatEuros } from '../../domain/money';
import { campaignSchema, trancheFor } from '../../domain/campaign';
import { shippedCampaigns } from '../../domain/campaigns';

test('advance: 30 % of the ceiling, rounded half-up to the cent', () => {
  expect(applyRate(584_000, 3_000)).toBe(175_200);
  expect(applyRate(5, 3_000)).toBe(2); // 1.5 cents → 2
  expect(applyRate(15, 3_000)).toBe(5); // 4.5 cents → 5
  expect(applyRate(1, 3_000)).toBe(0); // 0.3 cent → 0
  expect(applyRate(113_300 * 137, 3_000)).toBe(4_656_630);
});

test('euros with two decimals', () => {
  expect(formatEuros(175_200)).toBe('1752.00');
  expect(formatEuros(5)).toBe('0.05');
  expect(formatEuros(-25_200)).toBe('-252.00');
});

const ms1 = shippedCampaigns.find((c) => c.id === 'vague1-ms1')!;

test.each([
  [1, 'A', 400_000],
  [2, 'B', 292_000],
  [4, 'B', 292_000],
  [5, 'C', 219_000],
  [10, 'C', 219_000],
  [11, 'D', 164_300],
  [19, 'D', 164_300],
  [20, 'E', 123_200],
  [99, 'E', 123_200],
  [100, 'F', 113_300],
  [2_500, 'F', 113_300],
])('an OG with %i ESSMS is in tranche %s: %i cents per ESSMS', (count, tranche, cents) => {
  expect(trancheFor(ms1, count)).toMatchObject({ tranche, perEssmsCents: cents });
});

test('the vague-1 campaigns ship as data with the default calendar', () => {
  expect(shippedCampaigns.map((c) => [c.id, c.couloir, c.openingDate, c.orderDeadline, c.closingDate])).toEqual([
    ['vague1-ms1', 'MS1', '2022-02-12', '2024-02-28', '2024-04-17'],
    ['vague1-ms2', 'MS2', '2022-09-30', '2024-02-28', '2024-04-17'],
  ]);
  expect(ms1).toMatchObject({ referencementDelayDays: 120, advanceRateBasisPoints: 3_000, reimbursementDueDays: 30 });
});

test('a campaign whose barème has a gap, or whose dates run backwards, is refused', () => {
  const gap = { ...ms1, bareme: ms1.bareme.filter((t) => t.tranche !== 'C') };
  expect(campaignSchema.safeParse(gap).error?.issues[0]?.message).toBe('tranche B must end just before D');
  const backwards = { ...ms1, closingDate: '2024-01-01' };
  expect(campaignSchema.safeParse(backwards).error?.issues[0]?.path).toEqual(['closingDate']);
});
