import { z } from 'zod';
import { batchProgress } from '../../client/batches';
import { addCampaign, amendCalendar, calendarDryRun, effectiveCampaigns } from '../../client/campaigns';
import { calendarChangeRequestSchema, campaignSchema } from '../../domain/campaign';
import { clientEventIdSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const campaignParams = z.object({ campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });
const batchParams = z.object({ batchId: z.string().min(1).max(400) });
const anObject = z.record(z.string(), z.unknown());

/** Campaigns, their calendars and the batches that apply them: each route parses, calls one engine service, answers. */
export function campaignRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/campaigns',
    { config: { roles: who.everyone }, schema: { summary: 'The campaigns, with their amended calendars' } },
    async () => effectiveCampaigns(engine),
  );

  app.post(
    '/campaigns',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Add a campaign (a new wave, or a demo whose deadlines fall minutes from now)',
        body: campaignSchema,
        response: { 201: anObject, 422: refusalsSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await addCampaign(engine, request.body)),
  );

  app.post(
    '/campaigns/:campaignId/calendar/dry-run',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          "What amending a campaign's calendar would do to each running BDC (from the record), and whether it needs confirming",
        params: campaignParams,
        body: calendarChangeRequestSchema,
        response: { 200: anObject, 404: refusalsSchema, 422: refusalsSchema },
      },
    },
    async (request) => calendarDryRun(engine, request.params.campaignId, request.body),
  );

  app.post(
    '/campaigns/:campaignId/calendar',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          "Amend a campaign's calendar: recorded for new BDCs, and applied to every running BDC by a durable batch. An amendment that would lapse BDCs at once needs confirmed: true (see the dry run)",
        params: campaignParams,
        body: z
          .object({
            eventId: clientEventIdSchema,
            reason: z.string().min(1).max(500),
            confirmed: z.boolean().optional(),
          })
          .and(calendarChangeRequestSchema),
        response: { 202: z.object({ batchId: z.string() }), 404: refusalsSchema, 422: refusalsSchema },
      },
    },
    async (request, reply) => {
      const { batchId } = await amendCalendar(
        engine,
        callerOf(request.principal),
        request.params.campaignId,
        request.body,
      );
      return reply
        .status(202)
        .header('location', `/batches/${encodeURIComponent(batchId)}`)
        .send({ batchId });
    },
  );

  for (const path of ['/batches/:batchId', '/calendar-batches/:batchId']) {
    app.get(
      path,
      {
        config: { roles: who.readers },
        schema: {
          summary:
            'Progress of a batch (calendar amendment, référencement decision), with the BDCs it skipped or could not reach',
          params: batchParams,
          response: { 200: anObject, 404: refusalsSchema },
        },
      },
      async (request) => batchProgress(engine, request.params.batchId),
    );
  }
}
