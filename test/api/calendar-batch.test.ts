import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { batchSettings } from '../../client/batches';
import { registerBdc } from '../../client/intake';
import { addCalendarDays, endOfParisDay, parisCivilDate } from '../../domain/calendar';
import { bdcRequest } from '../support/bdc-fixtures';
import { harnessOperator, harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// The calendar of a campaign with 200 running BDCs: a dry run from the record, then the batch —
// 20 BDCs a page, 3 pages a run, so it continues as new — interrupted by a worker restart and
// resumed, each BDC amended exactly once.
// each page takes 200 ms more, so that the restart surely lands in the middle of the batch
class SlowPages implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (Context.current().info.activityType === 'deliverBatch') await Context.current().sleep(200);
    return next(input);
  }
}
const h = harnessPerFile({
  server: 'dev',
  api: true,
  interceptors: { activity: [() => ({ inbound: new SlowPages() })] },
});
const BDCS = 200;
let bdcIds: string[];
const today = () => parisCivilDate(new Date());

beforeAll(async () => {
  Object.assign(batchSettings, { pageSize: 20, pagesPerRun: 3, attempts: 2 });
  bdcIds = [];
  for (let i = 0; i < BDCS; i += 10) {
    bdcIds.push(...(await Promise.all(Array.from({ length: 10 }, async () => (await h.register()).bdcId))));
  }
  // one poller at a time: 150 polling together starve the worker's writes on PGlite's one connection
  for (const id of bdcIds) await h.waitForStatus(id, 'awaiting_va');
}, 600_000);

const progress = (batchId: string) =>
  h.api.call('GET', `/batches/${encodeURIComponent(batchId)}`, { token: h.api.tokens.admin }).then((r) => r.body);
const finished = (batchId: string) =>
  eventually(
    async () => {
      const p = await progress(batchId);
      return p.done === true && p;
    },
    { budgetMs: 300_000 },
  );

test('the dry run lists, from the record, what each running BDC would do, and when it needs confirming', async () => {
  const yesterday = addCalendarDays(today(), -1);
  const earlier = await h.api.call('POST', '/campaigns/test-ms1/calendar/dry-run', {
    token: h.api.tokens.operator,
    body: { closingDate: yesterday },
  });
  expect(earlier.body).toMatchObject({
    campaignId: 'test-ms1',
    runningBdcs: BDCS,
    outcomeChanges: BDCS,
    requiresConfirmation: true,
  });
  expect(earlier.body.bdcs[0]).toMatchObject({
    status: 'awaiting_va',
    effect: 'lapses at once',
    newClosing: endOfParisDay(yesterday).toISOString(),
  });
  const later = await h.api.call('POST', '/campaigns/test-ms1/calendar/dry-run', {
    token: h.api.tokens.operator,
    body: { closingDate: addCalendarDays(today(), 400) },
  });
  expect(later.body).toMatchObject({ outcomeChanges: 0, requiresConfirmation: false });
  expect(new Set(later.body.bdcs.map((b: { effect: string }) => b.effect))).toEqual(new Set(['closing moves later']));
  // nothing was applied by a dry run
  expect((await h.state(bdcIds[0]!)).deadlines.find((d) => d.name === 'closing')!.source).toBe('campaign test-ms1');

  // an amendment that would lapse every running BDC at once is refused without the operator's confirmation
  const unconfirmed = await h.api.call('POST', '/campaigns/test-ms1/calendar', {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), closingDate: '1970-01-01', reason: 'erreur de saisie' },
  });
  expect([unconfirmed.status, unconfirmed.body.refusals[0].code]).toEqual([422, 'confirmation_required']);
  expect((await h.state(bdcIds[0]!)).status).toBe('awaiting_va');
});

test('the batch, continued as new and interrupted by a worker restart, amends every BDC once', async () => {
  const closingDate = addCalendarDays(today(), 400);
  const eventId = randomUUID();
  const started = await h.api.call('POST', '/campaigns/test-ms1/calendar', {
    token: h.api.tokens.operator,
    body: { eventId, closingDate, reason: 'arrêté modificatif' },
  });
  expect(started.status).toBe(202);
  const { batchId } = started.body;

  await eventually(async () => (await progress(batchId)).applied > 0, { everyMs: 10 });
  await h.restartWorker();
  const afterRestart = await progress(batchId);
  const done = await finished(batchId);
  expect(done).toMatchObject({ total: BDCS, applied: BDCS, skipped: 0, failed: 0, done: true, problems: [] });
  // the restart came in the middle: some BDCs were amended before it, the rest after
  expect(afterRestart.applied).toBeGreaterThan(0);
  expect(afterRestart.applied).toBeLessThan(BDCS);

  const closing = endOfParisDay(closingDate).toISOString();
  for (const id of bdcIds) {
    const view = await h.state(id);
    expect(view.deadlines.find((d) => d.name === 'closing')).toMatchObject({ at: closing, state: 'pending' });
    expect(view.audit.filter((a) => a.kind === 'calendar_amended')).toHaveLength(1);
  }
  // 200 BDCs of 20 a page, 3 pages a run: the batch continued as new, each run's history short
  const last = await h.env.client.workflow.getHandle(batchId).fetchHistory();
  expect(last.events!.length).toBeLessThan(100);
  // the same request again finds the same batch; new BDCs get the amended calendar
  expect(
    (
      await h.api.call('POST', '/campaigns/test-ms1/calendar', {
        token: h.api.tokens.operator,
        body: { eventId, closingDate, reason: 'arrêté modificatif' },
      })
    ).body,
  ).toEqual({ batchId });
  await h.keepHistory(batchId, 'calendar-batch-continued-as-new');
  const campaigns = await h.api.call('GET', '/campaigns', { token: h.api.tokens.acme });
  expect(campaigns.body.find((c: { id: string }) => c.id === 'test-ms1').closingDate).toBe(closingDate);
}, 600_000);

test('a BDC that never answers is tried a bounded number of times and reported; one that refuses is skipped; the batch goes on', async () => {
  const engine = await h.engine();
  // recorded while Temporal could not start its workflow: no workflow answers for it
  const unreachable = new Client({
    connection: h.env.connection,
    namespace: h.env.namespace,
    interceptors: { workflow: [{ start: () => Promise.reject(new Error('Temporal unreachable')) }] },
  });
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today() });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  const registration = await registerBdc({ ...engine, client: unreachable }, harnessOperator, request, randomUUID());
  expect(registration.started).toBe(false);
  // and one whose workflow an administrator terminated: it refuses the event
  const { bdcId: terminated } = await h.register();
  await h.waitForStatus(terminated, 'awaiting_va');
  await h.env.client.workflow.getHandle(terminated).terminate('an administrator stopped it');

  const { batchId } = (
    await h.api.call('POST', '/campaigns/test-ms1/calendar', {
      token: h.api.tokens.operator,
      body: { eventId: randomUUID(), closingDate: addCalendarDays(today(), 401), reason: 'second arrêté' },
    })
  ).body;
  const done = await finished(batchId);
  expect(done).toMatchObject({ total: BDCS + 2, applied: BDCS, skipped: 1, failed: 1, done: true });
  expect(done.problems).toEqual(
    expect.arrayContaining([
      { bdcId: registration.bdcId, outcome: 'failed', reason: expect.stringContaining('no answer after 2 attempts') },
      { bdcId: terminated, outcome: 'skipped', reason: expect.stringContaining('has ended (terminated)') },
    ]),
  );
}, 600_000);
