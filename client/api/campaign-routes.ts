import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { civilDateSchema, endOfParisDay, instantSchema } from '../../domain/calendar';
import { campaignSchema } from '../../domain/campaign';
import { bdcMessages } from '../../workflows/messages';
import { CALENDAR_BATCH_WORKFLOW_TYPE, calendarBatchProgress, type calendarAmendmentBatch } from '../../workflows/calendar-batch';
import { allBdcs } from '../bdc-directory';
import { addCampaign, effectiveCampaigns, recordAmendment } from '../campaign-calendar';
import { actorOf } from './auth';
import { notFound } from './errors';
import { who, type Api, type ApiDeps } from './server';

const campaignParams = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });
const calendarChange = z
  .object({
    orderDeadline: civilDateSchema.optional(),
    closingDate: civilDateSchema.optional().describe('the closing day; it ends at 23:59:59.999 Paris'),
    closingAt: instantSchema.optional().describe('or a precise closing instant'),
  })
  .refine((c) => c.orderDeadline || c.closingDate || c.closingAt, 'an amendment changes at least one date')
  .refine((c) => !(c.closingDate && c.closingAt), 'closingDate or closingAt, not both');

/** The closing instant an amendment sets, if it sets one. */
const closingOf = (c: z.infer<typeof calendarChange>) => c.closingAt ? new Date(c.closingAt).toISOString() : c.closingDate ? endOfParisDay(c.closingDate).toISOString() : undefined;

export interface DryRunLine {
  bdcId: string;
  status: string;
  closing: string;
  newClosing: string;
  effect: 'lapses at once' | 'closing moves earlier' | 'closing moves later' | 'unchanged' | 'milestone passed: unaffected';
}

export function campaignRoutes(app: Api, deps: ApiDeps) {
  const { client } = deps;
  const campaignOf = async (id: string) => {
    const found = (await effectiveCampaigns(deps.ledger.sql, deps.campaigns)).find((c) => c.id === id);
    if (!found) throw notFound(`campaign ${id}`, 'campaignId');
    return found;
  };

  app.get('/campaigns', { config: { roles: who.everyone }, schema: { summary: 'The campaigns, with their amended calendars' } }, async () => effectiveCampaigns(deps.ledger.sql, deps.campaigns));

  app.post('/campaigns', {
    config: { roles: who.operators },
    schema: { summary: 'Add a campaign (a new wave, or a demo whose deadlines fall minutes from now)', body: campaignSchema },
  }, async (request, reply) => {
    await addCampaign(deps.ledger.sql, deps.campaigns, request.body);
    return reply.status(201).send(await campaignOf(request.body.id));
  });

  app.post('/campaigns/:campaignId/calendar/dry-run', {
    config: { roles: who.operators },
    schema: { summary: "What amending a campaign's calendar would do to each running BDC", params: campaignParams, body: calendarChange },
  }, async (request) => {
    const campaign = await campaignOf(request.params.campaignId);
    const now = (await deps.now?.()) ?? Date.now();
    const newClosing = closingOf(request.body);
    const lines: DryRunLine[] = [];
    for await (const bdc of allBdcs(client, { campaign: campaign.id })) {
      if (!bdc.running) continue;
      const view = await client.workflow.getHandle(bdc.bdcId).query(bdcMessages.state);
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
  });

  app.post('/campaigns/:campaignId/calendar', {
    config: { roles: who.operators },
    schema: {
      summary: "Amend a campaign's calendar: recorded for new BDCs, and applied to every running BDC by a resumable batch",
      params: campaignParams,
      body: z.object({ eventId: z.string().min(1).max(100), reason: z.string().min(1).max(500) }).and(calendarChange),
    },
  }, async (request, reply) => {
    const campaign = await campaignOf(request.params.campaignId);
    const { eventId, reason, orderDeadline, closingDate, closingAt } = request.body;
    const actor = actorOf(request.principal);
    await recordAmendment(deps.ledger.sql, campaign.id, { eventId, reason, orderDeadline, closingDate, closingAt, actor: actor.id });
    const closing = closingOf(request.body);
    const batchId = `calendar-${campaign.id}-${eventId}`;
    // the same event id finds the batch it already started, running or done
    await client.workflow.start<typeof calendarAmendmentBatch>(CALENDAR_BATCH_WORKFLOW_TYPE, {
      workflowId: batchId,
      taskQueue: deps.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ campaignId: campaign.id, amendment: { eventId, actor, reason, ...(orderDeadline ? { orderDeadline: endOfParisDay(orderDeadline).toISOString() } : {}), ...(closing ? { closing } : {}) } }],
      staticSummary: `Calendar amendment of ${campaign.id}: ${[orderDeadline && `order deadline ${orderDeadline}`, closing && `closing ${closing}`].filter(Boolean).join(', ')}`,
    }).catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
    return reply.status(202).header('location', `/calendar-batches/${batchId}`).send({ batchId });
  });

  app.get('/calendar-batches/:batchId', {
    config: { roles: who.readers },
    schema: { summary: 'Progress of a calendar amendment batch', params: z.object({ batchId: z.string().min(1).max(300) }) },
  }, async (request) => {
    try {
      const handle = client.workflow.getHandle(request.params.batchId);
      const description = await handle.describe();
      if (description.type !== CALENDAR_BATCH_WORKFLOW_TYPE) throw notFound(`batch ${request.params.batchId}`, 'batchId');
      return await handle.query(calendarBatchProgress);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`batch ${request.params.batchId}`, 'batchId');
      throw err;
    }
  });
}
