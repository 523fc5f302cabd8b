import { addCalendarDays, parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { bdcRequest, freshFiness } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

const h = harnessPerFile();

const refusalsOf = (p: Promise<unknown>) =>
  p.then(
    () => [],
    (e: RefusedError) => {
      expect(e).toBeInstanceOf(RefusedError);
      return e.refusals;
    },
  );
const workflowExists = (id: string) =>
  h.env.client.workflow
    .getHandle(id)
    .describe()
    .then(
      () => true,
      () => false,
    );
const today = async () => parisCivilDate(new Date(await h.now()));

test('a second registration of the same BDC is refused with a clear error', async () => {
  const { bdcId, request } = await h.register();
  expect(await refusalsOf(h.intake(request))).toMatchObject([
    {
      code: 'already_registered',
      message: `BDC ${request.reference} of ${request.editeurId} is already registered (${bdcId})`,
      path: 'reference',
      value: request.reference,
    },
  ]);
  expect(await h.ledger.claimsOf(bdcId)).toEqual([...request.essms].sort());
});

test('bad input: every problem with its field, no workflow, no claim', async () => {
  const request = {
    ...bdcRequest({ campaignId: 'test-ms1', orderDate: await today() }),
    essms: ['010003821', '250003530', '250003530'],
    ogFiness: '12345',
    orderDate: '2024-02-30',
  };
  const refusals = await refusalsOf(h.intake(request));
  expect(refusals).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        path: 'ogFiness',
        message: 'a FINESS number has 9 characters (12345)',
        value: '12345',
      }),
      expect.objectContaining({
        path: 'essms.0',
        message: 'the check digit is wrong (Luhn) (010003821)',
        value: '010003821',
      }),
      expect.objectContaining({ path: 'essms', message: 'an ESSMS appears twice' }),
      expect.objectContaining({ path: 'orderDate', message: 'not a calendar date', value: '2024-02-30' }),
    ]),
  );
  expect(await workflowExists(`bdc:${request.editeurId}:${request.reference}`)).toBe(false);
  expect(await h.ledger.sql.query('SELECT 1 FROM essms_claims WHERE essms_finess = $1', ['250003530'])).toHaveLength(0);
});

test('an order outside the campaign window or an unknown campaign is refused before anything starts', async () => {
  const late = bdcRequest({
    campaignId: 'test-ms1',
    orderDate: addCalendarDays(await today(), 31),
    essms: [freshFiness()],
  });
  expect((await refusalsOf(h.intake(late)))[0]).toMatchObject({ code: 'ordered_after_deadline', path: 'orderDate' });
  const early = bdcRequest({ campaignId: 'test-ms1', orderDate: addCalendarDays(await today(), -31) });
  expect((await refusalsOf(h.intake(early)))[0]).toMatchObject({ code: 'ordered_before_opening', path: 'orderDate' });
  const afterDeadline = bdcRequest({ campaignId: 'test-ms1', orderDate: addCalendarDays(await today(), -1) });
  expect(
    (await refusalsOf(h.intake(afterDeadline, { campaign: { orderDeadline: addCalendarDays(await today(), -1) } })))[0],
  ).toMatchObject({ code: 'registered_after_deadline' });
  const unknown = bdcRequest({ campaignId: 'vague9', orderDate: await today() });
  expect((await refusalsOf(h.intake(unknown)))[0]).toMatchObject({
    code: 'unknown_campaign',
    path: 'campaignId',
    value: 'vague9',
  });
  for (const r of [late, early, afterDeadline, unknown]) {
    expect(await workflowExists(`bdc:${r.editeurId}:${r.reference}`)).toBe(false);
    expect(await h.ledger.claimsOf(`bdc:${r.editeurId}:${r.reference}`)).toEqual([]);
  }
});

test('an ESSMS already financed refuses the new BDC, naming the holder; nothing started', async () => {
  const holder = await h.register();
  // the same OG may order again, from another éditeur, for other ESSMS only
  const rival = bdcRequest({
    campaignId: 'test-ms1',
    orderDate: await today(),
    editeurId: 'editeur-rival',
    ogFiness: holder.request.ogFiness,
    essms: [freshFiness(), holder.request.essms[0]!],
  });
  expect(await refusalsOf(h.intake(rival))).toMatchObject([
    {
      code: 'essms_already_financed',
      message: `ESSMS ${holder.request.essms[0]} is already financed by BDC ${holder.bdcId}`,
      path: 'essms.1',
      value: holder.request.essms[0],
    },
  ]);
  expect(await workflowExists(`bdc:editeur-rival:${rival.reference}`)).toBe(false);
});

test('the BDC is priced from the barème and its deadlines are Paris end-of-day instants', async () => {
  const { bdcId } = await h.register({
    ogEssmsCount: 12,
    request: { solutionReferenced: false, essms: [freshFiness(), freshFiness(), freshFiness()] },
  });
  const view = await h.waitForStatus(bdcId, 'awaiting_referencement');
  expect(view.campaign).toMatchObject({ tranche: 'D', ogEssmsCount: 12 });
  expect(view.amounts).toMatchObject({ ceilingCents: 3 * 164_300, advanceCents: 147_870 });
  const dossier = view.deadlines.find((d) => d.name === 'dossier')!;
  expect(parisCivilDate(new Date(dossier.at))).toBe(addCalendarDays(view.request.orderDate, 120));
  expect(new Date(dossier.at).toISOString()).toMatch(/T2[12]:59:59\.999Z$/);
});
