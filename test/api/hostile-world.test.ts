import { randomUUID } from 'node:crypto';
import { parisCivilDate } from '../../domain/calendar';
import { bdcRequest } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

// Issue 19, "Hostile world, round 2", through real HTTP: bad input is a structured 4xx, never a 500;
// what the API answers the moment it answers is readable at once.
const h = harnessPerFile({ server: 'dev', api: true });
const today = () => parisCivilDate(new Date());

test('an id outside the grammar in a contact’s URL is a 422 naming the parameter, not a 500', async () => {
  const { status, body } = await h.api.call('PUT', '/contacts/editeur/bad!id', {
    token: h.api.tokens.operator,
    body: { emails: ['dsi@acme.example'] },
  });
  expect([status, body.refusals[0]]).toEqual([422, expect.objectContaining({ path: 'params.partyId' })]);
});

test('a batch is readable the moment its id is answered', async () => {
  const request = bdcRequest({
    campaignId: 'test-ms1',
    orderDate: today(),
    solutionId: `sol-${randomUUID().slice(0, 8)}`,
    solutionReferenced: false,
  });
  await h.intake(request);
  // no worker meanwhile: the batch's workflow cannot write anything before the read
  const [decided, read] = await h.withWorkerPaused(async () => {
    const answer = await h.api.call('POST', `/solutions/${request.solutionId}/referencement/decision`, {
      token: h.api.tokens.operator,
      body: { eventId: randomUUID(), decision: 'granted', decidedOn: today() },
    });
    return [answer, await h.api.call('GET', `/batches/${answer.body.batchId}`, { token: h.api.tokens.operator })];
  });
  expect(decided.status).toBe(202);
  expect([read.status, read.body]).toEqual([
    200,
    expect.objectContaining({ batchId: decided.body.batchId, kind: 'referencement', done: false }),
  ]);
});
