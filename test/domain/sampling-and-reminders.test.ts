import { drawSample, populationDigest, type Candidate } from '../../domain/sampling';
import { planReminders } from '../../domain/reminders';

// Issue 15: a sample redrawn identically from its seed; reminders at their exact Paris instants.
const population: Candidate[] = Array.from({ length: 60 }, (_, i) => ({
  bdcId: `bdc:editeur-${i % 3}:R-${i}`,
  campaign: i < 40 ? 'vague1-ms1' : 'vague1-ms2',
  editeur: `editeur-${i % 3}`,
  tranche: i % 2 ? 'B' : 'C',
}));

test('the same seed and population draw the same sample, whatever the order they come in; another seed another', () => {
  const first = drawSample(population, 'contrôle-2024-T2', { rate: 0.2 });
  const again = drawSample([...population].reverse(), 'contrôle-2024-T2', { rate: 0.2 });
  expect(again).toEqual(first);
  expect(drawSample(population, 'contrôle-2024-T3', { rate: 0.2 }).map((d) => d.bdcId)).not.toEqual(
    first.map((d) => d.bdcId),
  );
  expect(populationDigest([...population].reverse())).toBe(populationDigest(population));
});

test('stratified by campaign, éditeur and tranche: a rate takes its share of every stratum, at least one each', () => {
  const strata = new Map<string, number>();
  for (const c of population)
    strata.set(
      `${c.campaign}|${c.editeur}|${c.tranche}`,
      (strata.get(`${c.campaign}|${c.editeur}|${c.tranche}`) ?? 0) + 1,
    );
  const drawn = drawSample(population, 'seed', { rate: 0.25 });
  for (const [stratum, n] of strata)
    expect(drawn.filter((d) => d.stratum === stratum)).toHaveLength(Math.max(1, Math.round(n * 0.25)));
  // a size is shared out in proportion, to the unit
  const sized = drawSample(population, 'seed', { size: 10 });
  expect(sized).toHaveLength(10);
  expect(new Set(sized.map((d) => d.bdcId)).size).toBe(10);
  expect(drawSample(population, 'seed', { size: 1_000 })).toHaveLength(population.length);
});

/** A Paris wall-clock reading of an instant, by Intl (not by the code under test). */
const paris = (instant: string) =>
  new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(
    new Date(instant),
  );

test('reminders at 09:00 Paris 30, 7 and 1 days before a deadline, across a change of time; those already past are not planned', () => {
  // the closing of 17 April 2024 (CEST) ends at 23:59:59.999 Paris; 30 days before is 18 March (CET)
  const closing = '2024-04-17T21:59:59.999Z';
  const planned = planReminders(closing, { reminderOffsetsDays: [30, 7, 1] }, Date.parse('2024-01-01T00:00:00Z'));
  expect(planned.map((r) => [paris(r.at), r.before])).toEqual([
    ['18/03/2024 09:00', 'P30D'],
    ['10/04/2024 09:00', 'P7D'],
    ['16/04/2024 09:00', 'P1D'],
  ]);
  expect(planned.map((r) => r.at)).toEqual([
    '2024-03-18T08:00:00.000Z',
    '2024-04-10T07:00:00.000Z',
    '2024-04-16T07:00:00.000Z',
  ]);
  expect(
    planReminders(closing, { reminderOffsetsDays: [30, 7, 1] }, Date.parse('2024-04-12T00:00:00Z')).map(
      (r) => r.before,
    ),
  ).toEqual(['P1D']);
  // minutes before, exactly (a demo's campaign)
  expect(
    planReminders('2024-04-17T10:00:00.000Z', { reminderOffsetsMinutes: [3] }, Date.parse('2024-04-17T09:00:00Z')),
  ).toEqual([{ at: '2024-04-17T09:57:00.000Z', before: 'PT3M' }]);
});
