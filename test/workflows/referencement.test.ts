import { bdcMessages } from '../../contract/bdc';
import { event, validVa } from '../support/bdc-fixtures';
import { harnessOperator, harnessPerFile, iso } from '../support/harness';
import { randomUUID } from 'node:crypto';
import { decideForBdc } from '../../client/solutions';
import { parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';

const DAY = 86_400_000;
const h = harnessPerFile();

test('ordered before référencement, dossier filed and granted within 120 days: paid in full', async () => {
  const { bdcId, request } = await h.register({ request: { solutionReferenced: false } });
  const waiting = await h.waitForStatus(bdcId, 'awaiting_referencement');
  expect(waiting.deadlines.find((d) => d.name === 'dossier')).toMatchObject({
    state: 'pending',
    source: 'order date + 120 days',
  });
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });

  await h.env.sleep(30 * DAY);
  const filed = await h.send(bdcId, bdcMessages.referencementDossierFiled, { ...event(), filedAt: iso(await h.now()) });
  expect(filed.deadlines.find((d) => d.name === 'dossier')!.state).toBe('met');

  // the 120-day delay no longer applies once the dossier is filed
  await h.env.sleep(100 * DAY);
  expect((await h.state(bdcId)).status).toBe('awaiting_referencement');
  await h.send(bdcId, bdcMessages.referencementDecided, {
    ...event(),
    decision: 'granted',
    decidedAt: iso(await h.now()),
  });
  await h.waitForStatus(bdcId, 'awaiting_va');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });

  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000));
  expect((await h.result(bdcId)).status).toBe('completed');
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
  await h.keepHistory(bdcId, 'referencement-granted-within-120-days');
});

test('no dossier filed within 120 days: lapsed, nothing paid, ESSMS freed', async () => {
  const { bdcId, request } = await h.register({ request: { solutionReferenced: false } });
  const dossier = (await h.waitForStatus(bdcId, 'awaiting_referencement')).deadlines.find((d) => d.name === 'dossier')!;
  await h.sleepPast(dossier.at);
  const final = await h.result(bdcId);
  expect(final).toMatchObject({
    status: 'lapsed',
    outcome: 'no référencement dossier filed within 120 days of the order',
  });
  expect(final.deadlines.find((d) => d.name === 'dossier')!.state).toBe('missed');
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  expect(request.essms).toHaveLength(2);
  await h.keepHistory(bdcId, 'dossier-not-filed-within-120-days');
});

test('a dossier filed after the 120-day deadline is refused with the reason', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  const dossier = (await h.waitForStatus(bdcId, 'awaiting_referencement')).deadlines.find((d) => d.name === 'dossier')!;
  const late = iso(Date.parse(dossier.at) + 1);
  const err = await h
    .send(bdcId, bdcMessages.referencementDossierFiled, { ...event(), filedAt: late })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RefusedError);
  expect((err as RefusedError).refusals).toMatchObject([
    {
      code: 'dossier_late',
      message: `dossier filed after the 120-day deadline (${dossier.at})`,
      path: 'filedAt',
      value: late,
    },
  ]);
  await h.send(bdcId, bdcMessages.cancellationRequested, { ...event(), reason: 'test cleanup' });
  expect((await h.result(bdcId)).status).toBe('cancelled');
  await h.keepHistory(bdcId, 'dossier-filed-late-refused');
});

test('référencement refused: rejected, nothing paid, ESSMS freed', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false } });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  await h.send(bdcId, bdcMessages.referencementDecided, {
    ...event(),
    decision: 'refused',
    decidedAt: iso(await h.now()),
  });
  const final = await h.result(bdcId);
  expect(final).toMatchObject({ status: 'rejected', referencement: { state: 'refused' } });
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect(await h.ledger.claimsOf(bdcId)).toEqual([]);
  await h.keepHistory(bdcId, 'referencement-refused');
});

test('issue 21: a référencement decision dated after today is refused, for the BDC and for its solution; nothing is paid', async () => {
  const { bdcId, request } = await h.register({ request: { solutionReferenced: false } });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  const tomorrow = iso((await h.now()) + DAY);
  const refused = await h
    .send(bdcId, bdcMessages.referencementDecided, { ...event(), decision: 'granted', decidedAt: tomorrow })
    .catch((e: RefusedError) => e);
  expect((refused as RefusedError).refusals).toMatchObject([{ code: 'in_future', path: 'decidedAt' }]);
  // the operator's way in: the solution's decision, checked before anything is recorded or sent
  const engine = await h.engine();
  const decidedOn = parisCivilDate(new Date((await h.now()) + 2 * DAY));
  await expect(
    decideForBdc(engine, harnessOperator, bdcId, { eventId: randomUUID(), decision: 'granted', decidedOn }),
  ).rejects.toMatchObject({ refusals: [{ code: 'in_future', path: 'decidedOn' }] });
  expect(await engine.solutions.get(request.solutionId)).toMatchObject({ state: 'pending' });
  expect((await h.state(bdcId)).status).toBe('awaiting_referencement');
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
});
