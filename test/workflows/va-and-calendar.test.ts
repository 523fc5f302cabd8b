import { randomUUID } from 'node:crypto';
import { addCalendarDays, endOfParisDay, parisCivilDate } from '../../domain/calendar';
import { RefusedError } from '../../domain/refusal';
import { publicRefusal } from '../../domain/localize';
import type { BdcEvent } from '../../domain/events';
import { bdcMessages } from '../../contract/bdc';
import { event, freshFiness, validVa } from '../support/bdc-fixtures';
import { harnessPerFile, iso, type Harness } from '../support/harness';

const DAY = 86_400_000;
const h = harnessPerFile();

const refusalsOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RefusedError);
  return (err as RefusedError).refusals;
};

test('an invalid VA is refused with every reason, nothing changes; a valid one is then accepted', async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const now = iso(await h.now());
  const bad = validVa(request, now, 584_000);
  const [first, second] = request.essms as [string, string];
  const stranger = freshFiness();
  bad.va.essms = [
    { ...bad.va.essms[0]!, tbb1: { 'TBB.1.1': 4, 'TBB.1.2': 0 } },
    { ...bad.va.essms[1]!, finess: stranger, duiDeployed: false },
  ];
  bad.invoice.ogFiness = freshFiness();
  const refusals = await refusalsOf(h.send(bdcId, bdcMessages.vaSubmitted, bad));
  expect(refusals.map((r) => r.message)).toEqual([
    `VA does not cover ESSMS ${second}`,
    `TBB.1 indicator TBB.1.2 is 0 for ESSMS ${first}`,
    `VA names ESSMS ${stranger}, which this BDC does not cover`,
    `VA does not attest that the DUI is deployed for ESSMS ${stranger}`,
    `invoice is addressed to another OG (${bad.invoice.ogFiness}, this BDC's OG is ${request.ogFiness})`,
  ]);
  expect(refusals[1]).toMatchObject({ code: 'va_tbb1_zero', path: 'va.essms.0.tbb1.TBB.1.2', value: 0 });

  // a malformed VA is refused by the schema, with the field path
  const malformed = { ...validVa(request, now, 584_000), invoice: { ...bad.invoice, amountCents: 12.5 } };
  expect((await refusalsOf(h.send(bdcId, bdcMessages.vaSubmitted, malformed)))[0]).toMatchObject({
    path: 'invoice.amountCents',
    value: 12.5,
  });

  expect((await h.state(bdcId)).status).toBe('awaiting_va');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });

  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, now, 584_000));
  expect((await h.result(bdcId)).status).toBe('completed');
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
  await h.keepHistory(bdcId, 'invalid-va-then-valid');
});

test('every event delivered twice changes nothing the second time', async () => {
  const { bdcId, request } = await h.register({ request: { solutionReferenced: false } });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  const twice = async <E extends BdcEvent>(update: Parameters<Harness['send']>[1], e: E) => {
    const a = await h.send(bdcId, update as never, e);
    const b = await h.send(bdcId, update as never, e);
    // a fresh id for the same content is a new event (and is refused where it makes no sense)
    return { a, b };
  };
  await twice(bdcMessages.referencementDossierFiled, { ...event(), filedAt: iso(await h.now()) });
  await twice(bdcMessages.referencementDecided, { ...event(), decision: 'granted', decidedAt: iso(await h.now()) });
  await h.waitForStatus(bdcId, 'awaiting_va');
  const amend = {
    ...event(),
    closing: endOfParisDay(addCalendarDays(parisCivilDate(new Date(await h.now())), 300)).toISOString(),
    reason: 'arrêté modificatif',
  };
  await twice(bdcMessages.calendarAmended, amend);
  await twice(bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000));
  const final = await h.result(bdcId);
  expect(final.status).toBe('completed');
  // the registration and the four events, once each (and the ordonnateur's validation of each sum)
  expect(final.audit.filter((a) => a.eventId).map((a) => a.kind)).toEqual([
    'registered',
    'dossier_filed',
    'referencement_granted',
    'validated',
    'calendar_amended',
    'va_accepted',
    'validated',
  ]);
  expect(await h.money(bdcId)).toEqual({
    orders: [
      ['advance', 175_200],
      ['balance', 408_800],
    ],
    demands: [],
    receipts: [],
  });
  await h.keepHistory(bdcId, 'every-event-duplicated');
});

test('duplicated cancellation and receipts: one demand, one receipt per event', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const cancel = { ...event(), reason: 'doublon' };
  await h.send(bdcId, bdcMessages.cancellationRequested, cancel);
  await h.send(bdcId, bdcMessages.cancellationRequested, cancel);
  await h.waitForStatus(bdcId, 'reimbursement_due');
  const receipt = { ...event(), amountCents: 175_200, receivedAt: iso(await h.now()) };
  await h.send(bdcId, bdcMessages.reimbursementReceived, receipt);
  await h
    .send(bdcId, bdcMessages.reimbursementReceived, receipt)
    .catch((e: unknown) => expect(e).toMatchObject({ refusals: [{ code: 'bdc_ended' }] }));
  expect((await h.result(bdcId)).status).toBe('reimbursed');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [175_200] });
  await h.keepHistory(bdcId, 'duplicated-cancellation-and-receipts');
  // an event after the end is refused in the BDC's words, not Temporal's ("completed")
  const [ended] = await refusalsOf(h.send(bdcId, bdcMessages.reimbursementReceived, { ...receipt, ...event() }));
  expect(ended).toMatchObject({ code: 'bdc_ended', message: expect.stringContaining('has ended (reimbursed)') });
  expect(publicRefusal(ended!, 'fr').message).toContain('est terminé (« Avance remboursée »)');
});

test('calendar amended forward while awaiting the VA: the old closing date no longer lapses it', async () => {
  const { bdcId, request } = await h.register();
  const original = (await h.waitForStatus(bdcId, 'awaiting_va')).deadlines.find((d) => d.name === 'closing')!;
  const later = endOfParisDay(addCalendarDays(parisCivilDate(new Date(original.at)), 60)).toISOString();
  const eventId = randomUUID();
  const amended = await h.send(bdcId, bdcMessages.calendarAmended, {
    ...event(),
    eventId,
    closing: later,
    reason: 'arrêté du 2 avril',
  });
  expect(amended.deadlines.find((d) => d.name === 'closing')).toEqual({
    name: 'closing',
    at: later,
    source: `amendment ${eventId}`,
    state: 'pending',
  });
  await h.sleepPast(original.at, DAY);
  expect((await h.state(bdcId)).status).toBe('awaiting_va');
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000));
  expect((await h.result(bdcId)).status).toBe('completed');
  await h.keepHistory(bdcId, 'calendar-amended-forward');
});

test('calendar amended backward while awaiting the VA: it lapses at the new date', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const sooner = endOfParisDay(addCalendarDays(parisCivilDate(new Date(await h.now())), 10)).toISOString();
  await h.send(bdcId, bdcMessages.calendarAmended, { ...event(), closing: sooner, reason: 'fin anticipée' });
  await h.sleepPast(sooner, -1_000);
  expect((await h.state(bdcId)).status).toBe('awaiting_va');
  await h.sleepPast(sooner, 1_000);
  const due = await h.waitForStatus(bdcId, 'reimbursement_due');
  expect(due.deadlines.find((d) => d.name === 'closing')).toMatchObject({ at: sooner, state: 'missed' });
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [175_200], receipts: [] });
  expect((await h.reimburseInFull(bdcId)).status).toBe('reimbursed');
  await h.keepHistory(bdcId, 'calendar-amended-backward');
});

test('an ended BDC refuses a calendar amendment: a passed milestone is not reopened', async () => {
  const { bdcId, request } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, iso(await h.now()), 584_000));
  await h.result(bdcId);
  const refusals = await refusalsOf(
    h.send(bdcId, bdcMessages.calendarAmended, { ...event(), closing: iso((await h.now()) + 100 * DAY), reason: 'x' }),
  );
  expect(refusals[0]!.code).toBe('bdc_ended');
});
