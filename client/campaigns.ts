import { isDeepStrictEqual } from 'node:util';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { endOfParisDay, parisCivilDate } from '../domain/calendar';
import { campaignSchema, type Campaign, type CalendarChangeRequest } from '../domain/campaign';
import { refuse } from '../domain/refusal';
import { CALENDAR_BATCH_WORKFLOW_TYPE, calendarBatchProgress, type calendarAmendmentBatch, type CalendarBatchProgress } from '../workflows/calendar-batch';
import { bdcMessages } from '../workflows/messages';
import { allBdcs } from '../temporal/bdc-visibility';
import { nowOf, type Caller, type EngineContext } from './context';

/**
 * The configured campaigns and those added at run time, with their recorded amendments applied in
 * order: what new BDCs use.
 */
export async function effectiveCampaigns(ctx: Pick<EngineContext, 'campaigns' | 'campaignStore'>): Promise<Campaign[]> {
  const added = (await ctx.campaignStore.definitions()).map((d) => campaignSchema.parse(d));
  const amendments = await ctx.campaignStore.amendments();
  return [...ctx.campaigns, ...added].map((c) =>
    amendments
      .filter((a) => a.campaignId === c.id)
      .reduce((acc, a): Campaign => {
        const closingDate = a.closingAt ? parisCivilDate(new Date(a.closingAt)) : a.closingDate;
        return { ...acc, orderDeadline: a.orderDeadline ?? acc.orderDeadline, ...(closingDate ? { closingDate, closingAt: a.closingAt } : {}) };
      }, c),
  );
}

export async function campaignById(ctx: EngineContext, id: string): Promise<Campaign> {
  const found = (await effectiveCampaigns(ctx)).find((c) => c.id === id);
  if (!found) throw refuse('not_found', `no campaign ${id}`, 'campaignId', id);
  return found;
}

/** Adds a campaign at run time; the same definition again is a no-op, another one under its id refused. */
export async function addCampaign(ctx: EngineContext, campaign: Campaign): Promise<Campaign> {
  if (ctx.campaigns.some((c) => c.id === campaign.id)) throw refuse('campaign_exists', `campaign ${campaign.id} is configured already`, 'id', campaign.id);
  const stored = campaignSchema.parse(await ctx.campaignStore.addDefinition(campaign.id, campaign));
  // jsonb keeps no key order: compare the parsed definitions
  if (!isDeepStrictEqual(stored, campaignSchema.parse(JSON.parse(JSON.stringify(campaign))))) {
    throw refuse('campaign_exists', `campaign ${campaign.id} exists with another definition`, 'id', campaign.id);
  }
  return campaignById(ctx, campaign.id);
}

/** The closing instant an amendment sets, if it sets one. */
const closingOf = (c: CalendarChangeRequest) => (c.closingAt ? new Date(c.closingAt).toISOString() : c.closingDate ? endOfParisDay(c.closingDate).toISOString() : undefined);

export interface DryRunLine {
  bdcId: string;
  status: string;
  closing: string;
  newClosing: string;
  effect: 'lapses at once' | 'closing moves earlier' | 'closing moves later' | 'unchanged' | 'milestone passed: unaffected';
}

/** What amending a campaign's calendar would do to each of its running BDCs. */
export async function calendarDryRun(ctx: EngineContext, campaignId: string, change: CalendarChangeRequest) {
  const campaign = await campaignById(ctx, campaignId);
  const now = await nowOf(ctx);
  const newClosing = closingOf(change);
  const lines: DryRunLine[] = [];
  for await (const bdc of allBdcs(ctx.client, { campaign: campaign.id })) {
    if (!bdc.running) continue;
    const view = await ctx.client.workflow.getHandle(bdc.bdcId).query(bdcMessages.state);
    const closing = view.deadlines.find((d) => d.name === 'closing')!;
    const target = newClosing ?? closing.at;
    const effect: DryRunLine['effect'] =
      closing.state !== 'pending' ? 'milestone passed: unaffected'
      : Date.parse(target) < now ? 'lapses at once'
      : target < closing.at ? 'closing moves earlier'
      : target > closing.at ? 'closing moves later'
      : 'unchanged';
    lines.push({ bdcId: bdc.bdcId, status: view.status, closing: closing.at, newClosing: target, effect });
  }
  return { campaignId: campaign.id, runningBdcs: lines.length, outcomeChanges: lines.filter((l) => l.effect === 'lapses at once').length, bdcs: lines.sort((a, b) => a.bdcId.localeCompare(b.bdcId)) };
}

/**
 * Amends a campaign's calendar: recorded for new BDCs, and applied to every running BDC by a durable
 * batch. The same event id finds the batch it already started, running or done.
 */
export async function amendCalendar(ctx: EngineContext, caller: Caller, campaignId: string, change: CalendarChangeRequest & { eventId: string; reason: string }): Promise<{ batchId: string }> {
  const campaign = await campaignById(ctx, campaignId);
  const { eventId, reason, orderDeadline, closingDate, closingAt } = change;
  await ctx.campaignStore.recordAmendment(campaign.id, { eventId, reason, orderDeadline, closingDate, closingAt, actor: caller.actor.id });
  const closing = closingOf(change);
  const batchId = `calendar-${campaign.id}-${eventId}`;
  await ctx.client.workflow.start<typeof calendarAmendmentBatch>(CALENDAR_BATCH_WORKFLOW_TYPE, {
    workflowId: batchId,
    taskQueue: ctx.taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [{ campaignId: campaign.id, amendment: { eventId, actor: caller.actor, reason, ...(orderDeadline ? { orderDeadline: endOfParisDay(orderDeadline).toISOString() } : {}), ...(closing ? { closing } : {}) } }],
    staticSummary: `Calendar amendment of ${campaign.id}: ${[orderDeadline && `order deadline ${orderDeadline}`, closing && `closing ${closing}`].filter(Boolean).join(', ')}`,
  }).catch((err: unknown) => {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  });
  return { batchId };
}

export async function calendarBatch(ctx: EngineContext, batchId: string): Promise<CalendarBatchProgress> {
  try {
    const handle = ctx.client.workflow.getHandle(batchId);
    if ((await handle.describe()).type !== CALENDAR_BATCH_WORKFLOW_TYPE) throw refuse('not_found', `no batch ${batchId}`, 'batchId', batchId);
    return await handle.query(calendarBatchProgress);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw refuse('not_found', `no batch ${batchId}`, 'batchId', batchId);
    throw err;
  }
}
