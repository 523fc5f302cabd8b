import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { bdcState, cancelBdc, decideReferencement, decideSolution, fileDossier, recordReimbursement, submitVa } from '../../client/bdc-events';
import { listBdcs } from '../../client/bdc-reads';
import { registerBdc } from '../../client/intake';
import { bdcRequestSchema, vaSubmissionSchema } from '../../domain/bdc';
import { civilDateSchema } from '../../domain/calendar';
import { cancellationSchema, referencementDecisionSchema } from '../../domain/events';
import { centsSchema } from '../../domain/money';
import { bdcFilterSchema } from '../../temporal/bdc-visibility';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const eventId = z.string().min(1).max(128).describe('idempotency key of this event: a repeated id changes nothing');
const bdcParams = z.object({ bdcId: z.string().min(1).max(200) });
const stateSchema = z.record(z.string(), z.unknown()).describe('the BDC state: status, amounts, deadlines, audit trail');
const errors = { 401: refusalsSchema, 403: refusalsSchema, 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };
const decision = z.object({ eventId, decision: referencementDecisionSchema.shape.decision, decidedOn: civilDateSchema });

/** Registration, reads and every event of a BDC: each route parses, calls one engine service, answers. */
export function bdcRoutes(app: Api, { engine }: ApiDeps) {
  app.post('/bdcs', {
    config: { roles: who.operators },
    schema: { summary: 'Register a BDC (validated, priced, ESSMS claimed, workflow started)', body: bdcRequestSchema.extend({ eventId: eventId.optional() }), response: { 201: z.object({ bdcId: z.string() }), ...errors } },
  }, async (request, reply) => {
    const { eventId: id, ...bdc } = request.body;
    const { workflowId } = await registerBdc(engine, bdc, { eventId: id ?? randomUUID(), actor: callerOf(request.principal).actor });
    return reply.status(201).header('location', `/bdcs/${workflowId}`).send({ bdcId: workflowId });
  });

  app.get('/bdcs', {
    config: { roles: who.everyone },
    schema: { summary: 'List BDCs by status, campaign, éditeur, solution, OG, ESSMS, deadline window (paged)', querystring: bdcFilterSchema },
  }, async (request) => listBdcs(engine, callerOf(request.principal), request.query));

  app.get('/bdcs/:bdcId', {
    config: { roles: who.everyone },
    schema: { summary: "One BDC's full state and audit trail", params: bdcParams, response: { 200: stateSchema, ...errors } },
  }, async (request) => bdcState(engine, callerOf(request.principal), request.params.bdcId));

  app.post('/bdcs/:bdcId/referencement/dossier', {
    config: { roles: who.editeursAndOperators },
    schema: { summary: 'Record the filing date of the référencement dossier', params: bdcParams, body: z.object({ eventId, filedOn: civilDateSchema }), response: { 200: stateSchema, ...errors } },
  }, async (request) => fileDossier(engine, callerOf(request.principal), request.params.bdcId, request.body));

  app.post('/bdcs/:bdcId/referencement/decision', {
    config: { roles: who.operators },
    schema: { summary: "Record the ANS's référencement decision for one BDC", params: bdcParams, body: decision, response: { 200: stateSchema, ...errors } },
  }, async (request) => decideReferencement(engine, callerOf(request.principal), request.params.bdcId, request.body));

  app.post('/solutions/:solutionId/referencement/decision', {
    config: { roles: who.operators },
    schema: {
      summary: 'Record a référencement decision for a solution: every BDC waiting on it proceeds (or is rejected)',
      params: z.object({ solutionId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }),
      body: decision,
      response: { 200: z.object({ applied: z.array(z.string()), refused: z.array(z.object({ bdcId: z.string(), reason: z.string() })) }), ...errors },
    },
  }, async (request) => decideSolution(engine, callerOf(request.principal), request.params.solutionId, request.body));

  app.post('/bdcs/:bdcId/cancellation', {
    config: { roles: who.operators },
    schema: { summary: 'Cancel a BDC (after the advance: the advance is demanded back)', params: bdcParams, body: cancellationSchema.pick({ eventId: true, reason: true }), response: { 200: stateSchema, ...errors } },
  }, async (request) => cancelBdc(engine, callerOf(request.principal), request.params.bdcId, request.body));

  app.post('/bdcs/:bdcId/reimbursements', {
    config: { roles: who.operators },
    schema: { summary: 'Record a reimbursement received', params: bdcParams, body: z.object({ eventId, amountCents: centsSchema, receivedOn: civilDateSchema }), response: { 200: stateSchema, ...errors } },
  }, async (request) => recordReimbursement(engine, callerOf(request.principal), request.params.bdcId, request.body));

  app.post('/bdcs/:bdcId/va', {
    config: { roles: who.editeurs },
    schema: { summary: 'Submit the signed VA and the invoice (every failing reason comes back as 422)', params: bdcParams, body: vaSubmissionSchema.omit({ actor: true, receivedAt: true }), response: { 200: stateSchema, ...errors } },
  }, async (request) => submitVa(engine, callerOf(request.principal), request.params.bdcId, request.body));
}
