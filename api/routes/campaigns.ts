import { z } from 'zod';
import { addCampaign, amendCalendar, calendarBatch, calendarDryRun, effectiveCampaigns } from '../../client/campaigns';
import { calendarChangeRequestSchema, campaignSchema } from '../../domain/campaign';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';

const campaignParams = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });

/** Campaigns and their calendars: each route parses, calls one engine service, answers. */
export function campaignRoutes(app: Api, { engine }: ApiDeps) {
  app.get('/campaigns', { config: { roles: who.everyone }, schema: { summary: 'The campaigns, with their amended calendars' } }, async () => effectiveCampaigns(engine));

  app.post('/campaigns', {
    config: { roles: who.operators },
    schema: { summary: 'Add a campaign (a new wave, or a demo whose deadlines fall minutes from now)', body: campaignSchema },
  }, async (request, reply) => reply.status(201).send(await addCampaign(engine, request.body)));

  app.post('/campaigns/:campaignId/calendar/dry-run', {
    config: { roles: who.operators },
    schema: { summary: "What amending a campaign's calendar would do to each running BDC", params: campaignParams, body: calendarChangeRequestSchema },
  }, async (request) => calendarDryRun(engine, request.params.campaignId, request.body));

  app.post('/campaigns/:campaignId/calendar', {
    config: { roles: who.operators },
    schema: {
      summary: "Amend a campaign's calendar: recorded for new BDCs, and applied to every running BDC by a resumable batch",
      params: campaignParams,
      body: z.object({ eventId: z.string().min(1).max(100), reason: z.string().min(1).max(500) }).and(calendarChangeRequestSchema),
    },
  }, async (request, reply) => {
    const { batchId } = await amendCalendar(engine, callerOf(request.principal), request.params.campaignId, request.body);
    return reply.status(202).header('location', `/calendar-batches/${batchId}`).send({ batchId });
  });

  app.get('/calendar-batches/:batchId', {
    config: { roles: who.readers },
    schema: { summary: 'Progress of a calendar amendment batch', params: z.object({ batchId: z.string().min(1).max(300) }) },
  }, async (request) => calendarBatch(engine, request.params.batchId));
}
