import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  bdcState,
  cancelBdc,
  fileDossier,
  recordReimbursement,
  resolveAttention,
  settleReimbursement,
  submitVa,
} from '../../client/bdc-events';
import { bdcFilterSchema, listBdcs, refusedEventsOf, refusedEventsQuerySchema } from '../../client/bdc-reads';
import { registerBdc } from '../../client/intake';
import { decideForBdc, decideSolution, listSolutions, nameSolution } from '../../client/solutions';
import { bdcRequestSchema, vaBodySchema } from '../../domain/bdc';
import { attentionDecisions, referencementDecisions, settlementDecisions } from '../../domain/events';
import type { VaDocument } from '../../domain/va';
import { centsSchema, civilDateSchema, clientEventIdSchema, idSchema } from '../../domain/schemas';
import { oversized } from '../../domain/input-bounds';
import { parseOrRefuse, RefusedError } from '../../domain/refusal';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const eventId = clientEventIdSchema;
const bdcParams = z.object({ bdcId: z.string().min(1).max(200) });
const stateSchema = z
  .record(z.string(), z.unknown())
  .describe('the BDC from its record: status, amounts, deadlines, audit trail');
const errors = {
  401: refusalsSchema,
  403: refusalsSchema,
  404: refusalsSchema,
  409: refusalsSchema,
  422: refusalsSchema,
};
const decision = z.object({ eventId, decision: z.enum(referencementDecisions), decidedOn: civilDateSchema });
const registered = z.object({
  bdcId: z.string(),
  started: z.boolean().describe('false: recorded, its workflow starts as soon as Temporal answers'),
});

/** Registration, reads and every event of a BDC: each route parses, calls one engine service, answers. */
export function bdcRoutes(app: Api, { engine }: ApiDeps) {
  app.post(
    '/bdcs',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          'Register a BDC (validated, priced, recorded with its ESSMS claims, workflow started); the same eventId again answers the same',
        body: bdcRequestSchema.extend({ eventId: eventId.optional() }),
        response: { 201: registered, 202: registered, ...errors },
      },
    },
    async (request, reply) => {
      const { eventId: id, ...bdc } = request.body;
      const result = await registerBdc(engine, callerOf(request.principal), bdc, id ?? randomUUID());
      // a repetition answers as the first time; a header tells it apart for those who care (sons import)
      if (!result.created) reply.header('x-sons-repeated', 'true');
      return reply
        .status(result.started ? 201 : 202)
        .header('location', `/bdcs/${encodeURIComponent(result.bdcId)}`)
        .send({ bdcId: result.bdcId, started: result.started });
    },
  );

  app.get(
    '/bdcs',
    {
      config: { roles: who.everyone },
      schema: {
        summary: 'List BDCs by status, campaign, éditeur, solution, OG, ESSMS, deadline window, overdue (keyset-paged)',
        querystring: bdcFilterSchema,
        response: {
          200: z.object({ bdcs: z.array(z.record(z.string(), z.unknown())), nextPageToken: z.string().optional() }),
          422: refusalsSchema,
        },
      },
    },
    async (request) => listBdcs(engine, callerOf(request.principal), request.query),
  );

  app.get(
    '/bdcs/:bdcId',
    {
      config: { roles: who.everyone },
      schema: {
        summary: "One BDC's full state and audit trail (refused events included)",
        params: bdcParams,
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => bdcState(engine, callerOf(request.principal), request.params.bdcId),
  );

  app.get(
    '/bdcs/:bdcId/refused-events',
    {
      config: { roles: who.everyone },
      schema: {
        summary:
          "A BDC's refused events, newest first, a page at a time (its read carries the latest few and refusedCount)",
        params: bdcParams,
        querystring: refusedEventsQuerySchema,
        response: {
          200: z.object({ refused: z.array(z.record(z.string(), z.unknown())), nextPageToken: z.string().optional() }),
          ...errors,
        },
      },
    },
    async (request) => refusedEventsOf(engine, callerOf(request.principal), request.params.bdcId, request.query),
  );

  app.post(
    '/bdcs/:bdcId/referencement/dossier',
    {
      config: { roles: who.editeursAndOperators },
      schema: {
        summary: 'Record the filing date of the référencement dossier',
        params: bdcParams,
        body: z.object({ eventId, filedOn: civilDateSchema }),
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => fileDossier(engine, callerOf(request.principal), request.params.bdcId, request.body),
  );

  app.post(
    '/bdcs/:bdcId/referencement/decision',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          "Record the ANS's référencement decision of this BDC's solution: this BDC gets it at once, the solution's other waiting BDCs by a batch",
        params: bdcParams,
        body: decision,
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => decideForBdc(engine, callerOf(request.principal), request.params.bdcId, request.body),
  );

  app.post(
    '/solutions/:solutionId/referencement/decision',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          "Record the ANS's référencement decision for a solution: BDCs registered from now on follow it, and a durable batch delivers it to every BDC waiting on it",
        params: z.object({ solutionId: idSchema }),
        body: decision.extend({
          editeurId: idSchema.optional().describe("the solution's éditeur, when no BDC of it is registered yet"),
        }),
        response: { 202: z.object({ solutionId: z.string(), state: z.string(), batchId: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const { editeurId, ...body } = request.body;
      const { solution, batchId } = await decideSolution(
        engine,
        callerOf(request.principal),
        request.params.solutionId,
        body,
        editeurId,
      );
      return reply
        .status(202)
        .header('location', `/batches/${encodeURIComponent(batchId)}`)
        .send({ solutionId: solution.solutionId, state: solution.state, batchId });
    },
  );

  const solutionSchema = z.object({
    solutionId: z.string(),
    editeurId: z.string(),
    state: z.enum(['pending', 'granted', 'refused']),
    decidedOn: z.string().optional(),
    name: z.string().optional().describe('what its éditeur calls it, once named'),
  });

  app.get(
    '/solutions',
    {
      config: { roles: who.editeursAndOperators },
      schema: {
        summary: "The solutions the caller sees (an éditeur's own, or every one), with their référencement and name",
        response: { 200: z.object({ solutions: z.array(solutionSchema) }), ...errors },
      },
    },
    async (request) => ({
      solutions: (await listSolutions(engine, callerOf(request.principal))).map(
        ({ solutionId, editeurId, state, decidedOn, name }) => ({ solutionId, editeurId, state, decidedOn, name }),
      ),
    }),
  );

  app.put(
    '/solutions/:solutionId/name',
    {
      config: { roles: who.editeurs },
      schema: {
        summary: 'An éditeur names one of its solutions (or renames it): people read the name wherever its id was',
        params: z.object({ solutionId: idSchema }),
        body: z.object({ name: z.string().max(400) }),
        response: { 200: solutionSchema, ...errors },
      },
    },
    async (request) => {
      const { solutionId, editeurId, state, decidedOn, name } = await nameSolution(
        engine,
        callerOf(request.principal),
        request.params.solutionId,
        request.body.name,
      );
      return { solutionId, editeurId, state, decidedOn, name };
    },
  );

  app.post(
    '/bdcs/:bdcId/cancellation',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Cancel a BDC (after the advance: the advance is demanded back)',
        params: bdcParams,
        body: z.object({ eventId, reason: z.string().min(1).max(500) }),
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => cancelBdc(engine, callerOf(request.principal), request.params.bdcId, request.body),
  );

  app.post(
    '/bdcs/:bdcId/reimbursements',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Record a reimbursement received (dated neither in the future nor before the demand)',
        params: bdcParams,
        body: z.object({ eventId, amountCents: centsSchema, receivedOn: civilDateSchema }),
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => recordReimbursement(engine, callerOf(request.principal), request.params.bdcId, request.body),
  );

  app.post(
    '/bdcs/:bdcId/reimbursement/settlement',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          'An overdue reimbursement: hand it over for recovery (escalate), or write off what remains (the BDC ends written_off), with a reason',
        params: bdcParams,
        body: z.object({ eventId, decision: z.enum(settlementDecisions), reason: z.string().min(1).max(500) }),
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => settleReimbursement(engine, callerOf(request.principal), request.params.bdcId, request.body),
  );

  app.post(
    '/bdcs/:bdcId/attention',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          'Decide for a BDC that needs attention (a money effect was refused): retry the step, or cancel the BDC (before any payment)',
        params: bdcParams,
        body: z.object({ eventId, decision: z.enum(attentionDecisions), reason: z.string().min(1).max(500) }),
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => resolveAttention(engine, callerOf(request.principal), request.params.bdcId, request.body),
  );

  app.post(
    '/bdcs/:bdcId/va',
    {
      config: { roles: who.editeurs },
      // the BDC's workflow checks the form and the business rules together: one 422 lists every reason
      validatorCompiler: () => (body: unknown) =>
        typeof body === 'object' && body !== null && !Array.isArray(body)
          ? { value: body }
          : { error: new Error('expected a JSON object') },
      schema: {
        summary:
          'Submit the signed VA and the invoice (every failing reason, of form and of substance, comes back as one 422)',
        params: bdcParams,
        body: vaBodySchema,
        response: { 200: stateSchema, ...errors },
      },
    },
    async (request) => {
      const body = request.body as VaDocument & { eventId: unknown };
      // without a valid id, no submission can be told from its repetition: refused before anything else
      const eventId = parseOrRefuse(clientEventIdSchema, body.eventId, 'eventId');
      // the workflow checks every rule, but what no field needs (120 KB for an invoice number) stops here:
      // it would travel to Temporal's history and into the BDC's refused events
      const tooLarge = oversized(body);
      if (tooLarge.length) throw new RefusedError(tooLarge);
      return submitVa(engine, callerOf(request.principal), request.params.bdcId, { ...body, eventId });
    },
  );
}
