import { parisCivilDate, addCalendarDays } from '../../domain/calendar';
import type { RefusedError } from '../../domain/refusal';
import { categories } from '../../scripts/samples/finess-extraction';
import { freshFiness } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

// Issue 15, data fixes: an ESSMS is financed once per vague (a vague-2 campaign is not blocked by
// vague 1); the tranche is counted in the FINESS extraction the campaign pins, whatever was imported since.
const h = harnessPerFile();

test('a vague-2 BDC on an ESSMS financed in vague 1 is accepted; a second vague-1 BDC on it is refused', async () => {
  const first = await h.register();
  const essms = first.request.essms;
  const vague2 = await h.intake(
    { ...first.request, reference: `${first.request.reference}-V2` },
    { campaign: { vague: 2 } },
  );
  expect((await h.waitForStatus(vague2.bdcId, 'awaiting_va')).campaign.vague).toBe(2);
  const again = await h
    .intake({ ...first.request, reference: `${first.request.reference}-V1-BIS` })
    .catch((e: RefusedError) => e);
  expect((again as RefusedError).refusals).toMatchObject([
    {
      code: 'essms_already_financed',
      value: essms[0],
      message: `ESSMS ${essms[0]} is already financed by BDC ${first.bdcId}`,
    },
  ]);
  const claims = await h.ledger.sql.query<{ vague: number; bdc_id: string }>(
    'SELECT vague, bdc_id FROM essms_claims WHERE essms_finess = $1 ORDER BY vague',
    [essms[0]],
  );
  expect(claims).toEqual([
    { vague: 1, bdc_id: first.bdcId },
    { vague: 2, bdc_id: vague2.bdcId },
  ]);
});

test('the tranche comes from the extraction the campaign pins, even after a newer import; unpinned, from the latest', async () => {
  const today = parisCivilDate(new Date(await h.now()));
  const og = freshFiness();
  const essms = [freshFiness(), freshFiness()];
  // the extraction of today (the harness's): the OG has 3 ESSMS, tranche B
  const request = {
    editeurId: 'editeur-acme',
    reference: `PIN-${Date.now()}`,
    campaignId: 'test-ms1',
    solutionId: 'acme-dui-5',
    ogFiness: og,
    essms,
    orderDate: today,
  };
  await h.seed(request, 3);
  // a newer extraction: the OG has grown to 12 ESSMS, tranche D
  const newer = await h.finess.beginExtraction(addCalendarDays(today, 1), 'newer', 'utf-8');
  const more = Array.from({ length: 10 }, freshFiness);
  await h.finess.insertEstablishments(
    newer,
    [...essms, ...more].map((nofinesset) => ({
      nofinesset,
      nofinessej: og,
      rs: 'EHPAD',
      departement: '75',
      ...categories.ehpad,
    })),
  );
  await h.finess.completeExtraction(newer, { read: 12, kept: 12, rejected: 0 });

  const pinned = await h.intake(request, {
    seedReference: false,
    campaign: { finessExtraction: { date: today, label: 'l’extraction de référence de la campagne' } },
  });
  expect(await h.waitForStatus(pinned.bdcId, 'awaiting_va')).toMatchObject({
    campaign: { tranche: 'B', ogEssmsCount: 3 },
    amounts: { ceilingCents: 2 * 292_000 },
  });
  const latest = await h.intake(
    { ...request, reference: `${request.reference}-L`, essms: [more[0]!] },
    { seedReference: false },
  );
  expect(await h.waitForStatus(latest.bdcId, 'awaiting_va')).toMatchObject({
    campaign: { tranche: 'D', ogEssmsCount: 12 },
    amounts: { ceilingCents: 164_300 },
  });
  // a campaign pinning an extraction not imported refuses, naming it
  const missing = await h
    .intake(
      { ...request, reference: `${request.reference}-M`, essms: [more[1]!] },
      {
        seedReference: false,
        campaign: { finessExtraction: { date: '2022-01-03', label: 'DREES extraction of 3 January 2022' } },
      },
    )
    .catch((e: RefusedError) => e);
  expect((missing as RefusedError).refusals).toMatchObject([{ code: 'pinned_extraction_missing', path: 'campaignId' }]);
});
