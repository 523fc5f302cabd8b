import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFinessExtraction } from '../../client/finess-import';
import { RefusedError, type Refusal } from '../../domain/refusal';
import { fixtureOgs, writeExtraction, type GeneratedOg } from '../../scripts/samples/finess-extraction';
import { bdcRequest, campaign } from '../support/bdc-fixtures';
import { startHarness, type Harness } from '../support/harness';
import { parisCivilDate } from '../../domain/calendar';
import { bdcIdOf } from '../../domain/ids';

// Intake on real reference data: the shipped FINESS fixture, imported as an operator would.
const fixture = path.resolve(__dirname, '..', 'fixtures', 'finess-extraction.csv');
let h: Harness;
let ogs: GeneratedOg[];
beforeAll(async () => {
  h = await startHarness({ seedReference: false });
  await importFinessExtraction(h.finess, fixture);
  ogs = writeExtraction(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-')), 'same.csv'), {
    date: '2023-01-17',
    ogs: fixtureOgs,
  });
});
afterAll(() => h?.close());

const og = (name: string) => ogs.find((o) => o.name === name)!;
const ms2 = campaign('vague1-ms2');
const request = async (ogFiness: string, essms: string[]) =>
  bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date(await h.now())), ogFiness, essms });
const refusals = (p: Promise<unknown>): Promise<Refusal[]> =>
  p.then(
    () => [],
    (e: RefusedError) => e.refusals,
  );

test('every MS1 category is eligible; the tranche counts the OG eligible ESSMS', async () => {
  const group = og('Groupe Handicap Avenir'); // 15 ESSMS cycling through the 9 MS1 categories
  const { bdcId: workflowId } = await h.intake(await request(group.og, group.essms.slice(0, 9)));
  const view = await h.waitForStatus(workflowId, 'awaiting_va');
  expect(view.campaign).toMatchObject({
    tranche: 'D',
    ogEssmsCount: 15,
    finessExtraction: expect.stringContaining('2023-01-17'),
  });
  expect(view.amounts.ceilingCents).toBe(9 * 164_300);
});

test('establishments the programme does not finance are refused and do not count for the tranche', async () => {
  const asso = og('Association Âge et Vie'); // 3 eligible + 1 pharmacy
  const found = await refusals(h.intake(await request(asso.og, [asso.essms[0]!, asso.notEligible[0]!])));
  expect(found).toMatchObject([
    {
      code: 'essms_not_eligible',
      message: `ESSMS ${asso.notEligible[0]} (620 Pharmacie d'officine, aggregate 3201) is not eligible in couloir MS1`,
      path: 'essms.1',
      value: asso.notEligible[0],
    },
  ]);
  const { bdcId: workflowId } = await h.intake(await request(asso.og, [asso.essms[0]!]));
  expect((await h.waitForStatus(workflowId, 'awaiting_va')).campaign).toMatchObject({ tranche: 'B', ogEssmsCount: 3 });
});

test('a day centre for older people is refused: aggregate 4403 is eligible only through the DOM categories', async () => {
  const fondation = og('Fondation Solidarités'); // its second ineligible establishment is a centre de jour
  const ssiad = fondation.essms[6]!; // the 7th MS1 category: SSIAD, aggregate 4403 too
  const found = await refusals(h.intake(await request(fondation.og, [ssiad, fondation.notEligible[1]!])));
  expect(found).toMatchObject([
    expect.objectContaining({
      code: 'essms_not_eligible',
      path: 'essms.1',
      message: expect.stringContaining('207 Centre de jour pour personnes âgées, aggregate 4403'),
    }),
  ]);
});

test('child protection and specific difficulties are MS2, not MS1', async () => {
  const sauvegarde = og("Sauvegarde de l'Enfance");
  const inMs1 = await refusals(h.intake(await request(sauvegarde.og, sauvegarde.essms.slice(0, 2))));
  expect(inMs1.map((r) => r.code)).toEqual(['essms_not_eligible', 'essms_not_eligible']);
  const { bdcId: workflowId } = await h.intake(await request(sauvegarde.og, sauvegarde.essms.slice(0, 2)), {
    campaign: { couloir: 'MS2', eligibleCategories: ms2.eligibleCategories },
  });
  const view = await h.waitForStatus(workflowId, 'awaiting_va');
  expect(view.campaign).toMatchObject({ couloir: 'MS2', tranche: 'B', ogEssmsCount: 4 });
  expect(view.amounts.ceilingCents).toBe(2 * 292_000);
});

test('an ESSMS of another OG, one unknown to the extraction, and one excluded are each refused', async () => {
  const a = og('Fondation Solidarités');
  const b = og('Union Mutualiste Médico-sociale');
  await h.finess.importExclusions([
    { finess: a.essms[2]!, reason: 'financed by ESMS numérique (acquisition of a référencé DUI)' },
  ]);
  const found = await refusals(h.intake(await request(a.og, [a.essms[1]!, b.essms[0]!, '010003820', a.essms[2]!])));
  expect(found).toMatchObject([
    {
      code: 'essms_other_og',
      message: `ESSMS ${b.essms[0]} belongs to OG ${b.og}, not to ${a.og}`,
      path: 'essms.1',
      value: b.essms[0],
    },
    {
      code: 'essms_unknown',
      message: 'ESSMS 010003820 is not in the FINESS extraction of 2023-01-17',
      path: 'essms.2',
      value: '010003820',
    },
    {
      code: 'essms_excluded',
      message: `ESSMS ${a.essms[2]} is excluded: financed by ESMS numérique (acquisition of a référencé DUI)`,
      path: 'essms.3',
      value: a.essms[2],
    },
  ]);
  expect(await h.ledger.sql.query('SELECT 1 FROM essms_claims WHERE essms_finess = $1', [a.essms[1]])).toHaveLength(0);
});

test('50 parallel overlapping intakes: one BDC wins, the others are refused naming it; one workflow', async () => {
  const network = og('Réseau National Autonomie');
  const requests = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      request(network.og, [network.essms[10]!, network.essms[11]!, network.essms[20 + i]!]),
    ),
  );
  const outcomes = await Promise.all(
    requests.map((r) =>
      h.intake(r).then(
        (ok) => ok.bdcId,
        (e: RefusedError) => e.refusals[0]!,
      ),
    ),
  );
  const winners = outcomes.filter((o): o is string => typeof o === 'string');
  expect(winners).toHaveLength(1);
  for (const lost of outcomes.filter((o): o is Refusal => typeof o !== 'string')) {
    expect(lost).toMatchObject({
      code: 'essms_already_financed',
      message: `ESSMS ${network.essms[10]} is already financed by BDC ${winners[0]}`,
    });
  }
  const claims = await h.ledger.sql.query<{ essms_finess: string; bdc_id: string }>(
    'SELECT essms_finess, bdc_id FROM essms_claims WHERE essms_finess = ANY($1::text[])',
    [network.essms.slice(10, 70)],
  );
  expect(new Set(claims.map((c) => c.bdc_id))).toEqual(new Set(winners));
  expect(claims).toHaveLength(3);
  const started = await Promise.all(
    requests.map((r) =>
      h.env.client.workflow
        .getHandle(bdcIdOf(r.editeurId, r.reference))
        .describe()
        .then(
          () => 1,
          () => 0,
        ),
    ),
  );
  expect(started.reduce((a: number, b: number) => a + b, 0)).toBe(1);
});

describe('a newer extraction', () => {
  const sizes = [1, 2, 4, 5, 10, 11, 19, 20, 99, 100];
  const cents = [400_000, 292_000, 292_000, 219_000, 219_000, 164_300, 164_300, 123_200, 123_200, 113_300];
  let before: string;
  let boundaryOgs: GeneratedOg[];
  beforeAll(async () => {
    const asso = og('Association Âge et Vie');
    before = (await h.intake(await request(asso.og, [asso.essms[1]!]))).bdcId;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sons-')), 'boundaries.csv');
    boundaryOgs = writeExtraction(file, {
      date: '2024-01-16',
      seed: 7,
      ogs: sizes.map((n) => ({ eligible: n, notEligible: 1 })),
    });
    await importFinessExtraction(h.finess, file);
  });

  test.each(sizes.map((n, i) => [n, cents[i]!, i]))(
    'an OG with %i ESSMS: %i cents per ESSMS',
    async (n, perEssms, i) => {
      const { bdcId: workflowId } = await h.intake(await request(boundaryOgs[i]!.og, [boundaryOgs[i]!.essms[0]!]));
      const view = await h.waitForStatus(workflowId, 'awaiting_va');
      expect(view.campaign).toMatchObject({ ogEssmsCount: n, finessExtraction: expect.stringContaining('2024-01-16') });
      expect(view.amounts).toMatchObject({
        ceilingCents: perEssms,
        advanceCents: Math.floor((perEssms * 3_000 + 5_000) / 10_000),
      });
    },
  );

  test('leaves the BDCs registered before it on the extraction they were checked against', async () => {
    const [row] = await h.ledger.sql.query<{ extraction_date: string }>(
      "SELECT to_char(e.extraction_date, 'YYYY-MM-DD') AS extraction_date FROM bdcs b JOIN finess_extractions e ON e.id = b.finess_extraction_id WHERE b.bdc_id = $1",
      [before],
    );
    expect(row!.extraction_date).toBe('2023-01-17');
    expect((await h.state(before)).campaign.finessExtraction).toContain('2023-01-17');
    // an OG of the old extraction only is now unknown to intake
    const asso = og('Association Âge et Vie');
    expect((await refusals(h.intake(await request(asso.og, [asso.essms[2]!]))))[0]).toMatchObject({
      code: 'essms_unknown',
    });
  });
});
