import { say } from '../domain/messages';
import { isDeepStrictEqual } from 'node:util';
import { endOfParisDay, parisCivilDate } from '../domain/calendar';
import { campaignSchema, type Campaign, type CalendarChangeRequest } from '../domain/campaign';
import { refuse } from '../domain/refusal';
import { scopedEventId } from '../domain/ids';
import { planReminders } from '../domain/reminders';
import { startBatch } from './batches';
import { nowOf, type Caller, type EngineContext } from './context';
import { civilDateFr, parisDateTimeFr } from '../domain/french';

/**
 * The configured campaigns and those added at run time, with their recorded amendments applied in
 * order: what new BDCs use.
 */
export async function effectiveCampaigns(ctx: Pick<EngineContext, 'campaigns' | 'campaignStore'>): Promise<Campaign[]> {
  const { definitions, amendments } = await ctx.campaignStore.snapshot();
  const added = definitions.map((d) => campaignSchema.parse(d));
  return [...ctx.campaigns, ...added].map((c) =>
    amendments
      .filter((a) => a.campaignId === c.id)
      .reduce((acc, a): Campaign => {
        const closingDate = a.closingAt ? parisCivilDate(new Date(a.closingAt)) : a.closingDate;
        return {
          ...acc,
          orderDeadline: a.orderDeadline ?? acc.orderDeadline,
          ...(closingDate ? { closingDate, closingAt: a.closingAt } : {}),
        };
      }, c),
  );
}

export async function campaignById(ctx: EngineContext, id: string): Promise<Campaign> {
  const found = (await effectiveCampaigns(ctx)).find((c) => c.id === id);
  if (!found) throw refuse('not_found', say('campaign_unknown', { campaignId: id }), 'campaignId', id);
  return found;
}

/** Adds a campaign at run time; the same definition again is a no-op, another one under its id refused. */
export async function addCampaign(ctx: EngineContext, campaign: Campaign): Promise<Campaign> {
  if (ctx.campaigns.some((c) => c.id === campaign.id))
    throw refuse('campaign_exists', say('campaign_configured', { campaignId: campaign.id }), 'id', campaign.id);
  const stored = campaignSchema.parse(await ctx.campaignStore.addDefinition(campaign.id, campaign));
  // jsonb keeps no key order: compare the parsed definitions
  if (!isDeepStrictEqual(stored, campaignSchema.parse(JSON.parse(JSON.stringify(campaign))))) {
    throw refuse('campaign_exists', say('campaign_other_definition', { campaignId: campaign.id }), 'id', campaign.id);
  }
  return campaignById(ctx, campaign.id);
}

/** The closing instant an amendment sets, if it sets one. */
const closingOf = (c: CalendarChangeRequest) =>
  c.closingAt
    ? new Date(c.closingAt).toISOString()
    : c.closingDate
      ? endOfParisDay(c.closingDate).toISOString()
      : undefined;

export interface DryRunLine {
  bdcId: string;
  status: string;
  closing: string;
  newClosing: string;
  effect:
    'lapses at once' | 'closing moves earlier' | 'closing moves later' | 'unchanged' | 'milestone passed: unaffected';
}

/**
 * What amending a campaign's calendar would do to each of its running BDCs, from the record. An
 * amendment that would put a pending deadline in the past (the BDCs lapse at once) needs the
 * operator's explicit confirmation.
 */
export async function calendarDryRun(ctx: EngineContext, campaignId: string, change: CalendarChangeRequest) {
  const campaign = await campaignById(ctx, campaignId);
  const now = await nowOf(ctx);
  const newClosing = closingOf(change);
  const lines = (await ctx.queries.runningOfCampaign(campaign.id)).map(
    ({ bdcId, status, closingAt, closingState }): DryRunLine => {
      const target = newClosing ?? closingAt;
      const effect: DryRunLine['effect'] =
        closingState !== 'pending'
          ? 'milestone passed: unaffected'
          : Date.parse(target) < now
            ? 'lapses at once'
            : Date.parse(target) < Date.parse(closingAt)
              ? 'closing moves earlier'
              : Date.parse(target) > Date.parse(closingAt)
                ? 'closing moves later'
                : 'unchanged';
      return { bdcId, status, closing: closingAt, newClosing: target, effect };
    },
  );
  const outcomeChanges = lines.filter((l) => l.effect === 'lapses at once').length;
  const orderDeadlineInPast = change.orderDeadline !== undefined && endOfParisDay(change.orderDeadline).getTime() < now;
  return {
    campaignId: campaign.id,
    runningBdcs: lines.length,
    outcomeChanges,
    requiresConfirmation: outcomeChanges > 0 || orderDeadlineInPast,
    bdcs: lines,
  };
}

/**
 * Amends a campaign's calendar: recorded for new BDCs, and applied to every running BDC by a durable
 * batch. The same event id finds the batch it already started, running or done. A change that would
 * lapse running BDCs at once is refused unless `confirmed` (after its dry run).
 */
export async function amendCalendar(
  ctx: EngineContext,
  caller: Caller,
  campaignId: string,
  change: CalendarChangeRequest & { eventId: string; reason: string; confirmed?: boolean },
): Promise<{ batchId: string }> {
  const campaign = await campaignById(ctx, campaignId);
  const { reason, orderDeadline, closingDate, closingAt, confirmed } = change;
  const eventId = scopedEventId(caller.scope, change.eventId);
  const batchId = `calendar-${campaign.id}-${eventId}`;
  // the same event again finds the amendment recorded and its batch: no second dry run, no second check
  if (!(await ctx.campaignStore.hasAmendment(eventId))) {
    const plan = await calendarDryRun(ctx, campaign.id, change);
    if (plan.requiresConfirmation && !confirmed) {
      throw refuse(
        'confirmation_required',
        say('confirmation_required', { lapsing: plan.outcomeChanges }),
        'confirmed',
        confirmed ?? false,
      );
    }
    await ctx.campaignStore.recordAmendment(campaign.id, {
      eventId,
      reason,
      orderDeadline,
      closingDate,
      closingAt,
      actor: caller.actor.id,
    });
  }
  const closing = closingOf(change);
  // the new closing's reminders, the same for every BDC of the campaign: planned once, here
  const closingReminders = closing ? planReminders(closing, campaign, await nowOf(ctx)) : undefined;
  await startBatch(
    ctx,
    {
      batchId,
      kind: 'calendar',
      selector: { campaignId: campaign.id },
      event: {
        update: 'calendarAmended',
        payload: {
          actor: caller.actor,
          reason,
          ...(orderDeadline ? { orderDeadline: endOfParisDay(orderDeadline).toISOString() } : {}),
          ...(closing ? { closing, closingReminders } : {}),
        },
      },
      params: { campaignId: campaign.id, eventId, reason, orderDeadline, closing },
    },
    `Avenant au calendrier de ${campaign.label ?? campaign.id} : ${[orderDeadline && `fermeture des commandes le ${civilDateFr(orderDeadline)}`, closing && `clôture le ${parisDateTimeFr(closing)}`].filter(Boolean).join(', ')}`,
  );
  return { batchId };
}
