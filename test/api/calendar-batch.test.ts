import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { addCalendarDays, endOfParisDay, parisCivilDate } from '../../domain/calendar';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// The calendar of a campaign with 200 running BDCs: a dry run, then the batch, interrupted by a
// worker restart and resumed, each BDC amended exactly once.
// each amendment takes 50 ms more, so that the restart surely lands in the middle of the batch
class SlowAmendments implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (Context.current().info.activityType === 'amendBdcCalendar') await Context.current().sleep(50);
    return next(input);
  }
}
const h = harnessPerFile({ server: 'dev', api: true, interceptors: { activity: [() => ({ inbound: new SlowAmendments() })] } });
const BDCS = Number(process.env.BATCH_BDCS ?? 200);
let bdcIds: string[];

beforeAll(async () => {
  bdcIds = [];
  for (let i = 0; i < BDCS; i += 10) {
    bdcIds.push(...(await Promise.all(Array.from({ length: 10 }, async () => (await h.register()).bdcId))));
  }
  await Promise.all(bdcIds.map((id) => h.waitForStatus(id, 'awaiting_va')));
  // visibility is eventually consistent: wait until the campaign lists them all
  await eventually(async () => {
    const { body } = await h.api.call('POST', '/campaigns/test-ms1/calendar/dry-run', { token: h.api.tokens.operator, body: { closingDate: parisCivilDate(new Date()) } });
    return body.runningBdcs === BDCS;
  });
}, 300_000);

test('the dry run lists what each running BDC would do', async () => {
  const yesterday = addCalendarDays(parisCivilDate(new Date()), -1);
  const earlier = await h.api.call('POST', '/campaigns/test-ms1/calendar/dry-run', { token: h.api.tokens.operator, body: { closingDate: yesterday } });
  expect(earlier.body).toMatchObject({ campaignId: 'test-ms1', runningBdcs: BDCS, outcomeChanges: BDCS });
  expect(earlier.body.bdcs[0]).toMatchObject({ status: 'awaiting_va', effect: 'lapses at once', newClosing: endOfParisDay(yesterday).toISOString() });
  const later = await h.api.call('POST', '/campaigns/test-ms1/calendar/dry-run', { token: h.api.tokens.operator, body: { closingDate: addCalendarDays(parisCivilDate(new Date()), 400) } });
  expect(later.body.outcomeChanges).toBe(0);
  expect(new Set(later.body.bdcs.map((b: { effect: string }) => b.effect))).toEqual(new Set(['closing moves later']));
  // nothing was applied by a dry run
  expect((await h.state(bdcIds[0]!)).deadlines.find((d) => d.name === 'closing')!.source).toBe('campaign test-ms1');
});

test('the batch, interrupted by a worker restart, resumes and amends every BDC once', async () => {
  const closingDate = addCalendarDays(parisCivilDate(new Date()), 400);
  const eventId = randomUUID();
  const started = await h.api.call('POST', '/campaigns/test-ms1/calendar', { token: h.api.tokens.operator, body: { eventId, closingDate, reason: 'arrêté modificatif' } });
  expect(started.status).toBe(202);
  const { batchId } = started.body;
  const progress = () => h.api.call('GET', `/calendar-batches/${batchId}`, { token: h.api.tokens.admin }).then((r) => r.body);

  await eventually(async () => (await progress()).applied > 0, { everyMs: 10 });
  await h.restartWorker();
  const afterRestart = await progress();
  const seen = await eventually(async () => {
    const p = await progress();
    return p.done && p;
  }, { budgetMs: 300_000 });
  expect(seen).toMatchObject({ campaignId: 'test-ms1', total: BDCS, applied: BDCS, skipped: [], done: true });
  // the restart came in the middle: some BDCs were amended before it, the rest after
  expect(afterRestart.applied).toBeGreaterThan(0);
  expect(afterRestart.applied).toBeLessThan(BDCS);

  const closing = endOfParisDay(closingDate).toISOString();
  for (const id of bdcIds) {
    const view = await h.state(id);
    expect(view.deadlines.find((d) => d.name === 'closing')).toMatchObject({ at: closing, source: `amendment ${eventId}:${id}`, state: 'pending' });
    expect(view.audit.filter((a) => a.what.startsWith('calendar amended'))).toHaveLength(1);
  }
  // the same request again finds the same batch; new BDCs get the amended calendar
  expect((await h.api.call('POST', '/campaigns/test-ms1/calendar', { token: h.api.tokens.operator, body: { eventId, closingDate, reason: 'arrêté modificatif' } })).body).toEqual({ batchId });
  await h.keepHistory(batchId, 'calendar-batch-interrupted');
  const campaigns = await h.api.call('GET', '/campaigns', { token: h.api.tokens.acme });
  expect(campaigns.body.find((c: { id: string }) => c.id === 'test-ms1').closingDate).toBe(closingDate);
}, 600_000);
