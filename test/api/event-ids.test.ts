import { randomUUID } from 'node:crypto';
import { addCalendarDays, endOfParisDay, parisCivilDate } from '../../domain/calendar';
import { batchEventId } from '../../domain/ids';
import { bdcRequest } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// Event ids through the API (issue 10, defects 2, 3 and 8): scoped by caller, one grammar, and a
// registration repeated answers as the first time.
const h = harnessPerFile({ server: 'dev', api: true });
const today = () => parisCivilDate(new Date());

async function registered(overrides = {}) {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today(), ...overrides });
  await h.seed(request, 3);
  const body = { ...request, eventId: randomUUID() };
  const answer = await h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, body });
  expect(answer.status).toBe(201);
  return { bdcId: answer.body.bdcId as string, body };
}

test("an éditeur sending the id a batch will use cannot pre-empt the operator's amendment", async () => {
  const { bdcId } = await registered({ solutionId: `sol-${randomUUID().slice(0, 8)}` });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  const amendmentId = randomUUID();
  const batchId = `calendar-test-ms1-operator.ops-1:${amendmentId}`;
  // the very id the batch will send this BDC, sent first by the éditeur: it is the éditeur's own id
  const forged = await h.api.call('POST', `/bdcs/${encodeURIComponent(bdcId)}/referencement/dossier`, {
    token: h.api.tokens.acme,
    body: { eventId: batchEventId(batchId, bdcId), filedOn: today() },
  });
  expect(forged.status).toBe(200);
  const closingDate = addCalendarDays(today(), 300);
  const amended = await h.api.call('POST', '/campaigns/test-ms1/calendar', {
    token: h.api.tokens.operator,
    body: { eventId: amendmentId, closingDate, reason: 'arrêté' },
  });
  expect(amended.body.batchId).toBe(batchId);
  const done = await eventually(async () => {
    const { body } = await h.api.call('GET', `/batches/${encodeURIComponent(batchId)}`, { token: h.api.tokens.admin });
    return body.done && body;
  });
  expect(done.problems).toEqual([]);
  const view = await h.state(bdcId);
  expect(view.deadlines.find((d) => d.name === 'closing')).toMatchObject({
    at: endOfParisDay(closingDate).toISOString(),
  });
  expect(view.audit.filter((a) => ['dossier_filed', 'calendar_amended'].includes(a.kind)).map((a) => a.kind)).toEqual([
    'dossier_filed',
    'calendar_amended',
  ]);
});

test('a registration repeated answers as the first; its id with other content, or reused for another event, is refused', async () => {
  const { bdcId, body } = await registered({ solutionId: `sol-${randomUUID().slice(0, 8)}` });
  const again = await fetch(`${h.api.url}/bdcs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.api.tokens.operator}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect([again.status, await again.json(), again.headers.get('x-sons-repeated')]).toEqual([
    201,
    { bdcId, started: true },
    'true',
  ]);
  const other = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...body, essms: body.essms.slice(0, 1) },
  });
  expect([other.status, other.body.refusals[0].code]).toEqual([409, 'event_id_reused']);
  // the registration's id sent with a cancellation by the same operator: refused, nothing cancelled
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  const cancel = await h.api.call('POST', `/bdcs/${encodeURIComponent(bdcId)}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: body.eventId, reason: 'x' },
  });
  expect([cancel.status, cancel.body.refusals[0].code]).toEqual([409, 'event_id_reused']);
  expect((await h.state(bdcId)).status).toBe('awaiting_referencement');
  // and the refusal is in the BDC's record
  const shown = await h.api.call('GET', `/bdcs/${encodeURIComponent(bdcId)}`, { token: h.api.tokens.operator });
  expect(shown.body.refused).toEqual([
    expect.objectContaining({
      kind: 'cancellationRequested',
      refusals: [expect.objectContaining({ code: 'event_id_reused' })],
    }),
  ]);
});

test('an event id outside the one grammar of ids is refused at the edge, never reaching the ledger', async () => {
  const { bdcId } = await registered();
  const receipt = await h.api.call('POST', `/bdcs/${encodeURIComponent(bdcId)}/reimbursements`, {
    token: h.api.tokens.operator,
    body: { eventId: '2024/03 virement', amountCents: 100, receivedOn: today() },
  });
  expect([receipt.status, receipt.body.refusals[0].path]).toEqual([422, 'body.eventId']);
});

test('issue 21: an event id names one event across every BDC — first used for a dossier on one BDC, it is refused for a cancellation of another, and for another kind on the same', async () => {
  const solution = `sol-${randomUUID().slice(0, 8)}`;
  const first = await registered({ solutionId: solution, solutionReferenced: false });
  const second = await registered({ solutionId: solution, solutionReferenced: false });
  await h.waitForStatus(first.bdcId, 'awaiting_referencement');
  await h.waitForStatus(second.bdcId, 'awaiting_referencement');
  const eventId = randomUUID();
  const call = (bdcId: string, path: string, body: object) =>
    h.api.call('POST', `/bdcs/${encodeURIComponent(bdcId)}${path}`, {
      token: h.api.tokens.operator,
      body: { eventId, ...body },
    });
  expect((await call(first.bdcId, '/referencement/dossier', { filedOn: today() })).status).toBe(200);
  // the same event again: answered as the first time
  expect((await call(first.bdcId, '/referencement/dossier', { filedOn: today() })).status).toBe(200);
  const elsewhere = await call(second.bdcId, '/cancellation', { reason: 'OG dissoute' });
  expect(elsewhere.status).toBe(409);
  expect(elsewhere.body.refusals).toMatchObject([{ code: 'event_id_reused', path: 'eventId' }]);
  const otherKind = await call(first.bdcId, '/cancellation', { reason: 'OG dissoute' });
  expect(otherKind.body.refusals).toMatchObject([{ code: 'event_id_reused', path: 'eventId' }]);
  // nothing happened to either BDC
  expect((await h.state(second.bdcId)).status).toBe('awaiting_referencement');
  expect((await h.state(first.bdcId)).cancellation).toBeUndefined();
});
