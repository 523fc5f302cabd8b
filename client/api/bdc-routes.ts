import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bdcRequestSchema, vaSubmissionSchema } from '../../domain/bdc';
import { civilDateSchema, startOfParisDay } from '../../domain/calendar';
import { cancellationSchema, referencementDecisionSchema } from '../../domain/events';
import { centsSchema } from '../../domain/money';
import { BDC_WORKFLOW_TYPE, bdcMessages } from '../../workflows/messages';
import { bdcSearchAttributes } from '../../workflows/search-attributes';
import { allBdcs, bdcFilterSchema, listBdcs } from '../bdc-directory';
import { sendBdcEvent } from '../bdc-events';
import { registerBdc } from '../intake';
import { effectiveCampaigns } from '../campaign-calendar';
import { actorOf } from './auth';
import { notFound } from './errors';
import { who, type Api, type ApiDeps } from './server';

const eventId = z.string().min(1).max(128).describe('idempotency key of this event: a repeated id changes nothing');
const bdcParams = z.object({ bdcId: z.string().min(1).max(200) });
const refusalsSchema = z.object({ refusals: z.array(z.object({ code: z.string(), message: z.string(), path: z.string(), value: z.unknown().optional() })) });
const stateSchema = z.record(z.string(), z.unknown()).describe('the BDC state: status, amounts, deadlines, audit trail');
const errors = { 401: refusalsSchema, 403: refusalsSchema, 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };

/** A civil date of the request, as the instant its Paris day starts (an event dated that day). */
const onDay = (date: string) => startOfParisDay(date).toISOString();

export function bdcRoutes(app: Api, deps: ApiDeps) {
  const { client } = deps;

  /** The BDC exists and the caller may see it; another éditeur's BDC is "not found", like a missing one. */
  async function visibleBdc(request: FastifyRequest, bdcId: string): Promise<void> {
    try {
      const description = await client.workflow.getHandle(bdcId).describe();
      if (description.type !== BDC_WORKFLOW_TYPE) throw notFound(`BDC ${bdcId}`, 'bdcId');
      const owner = description.typedSearchAttributes.get(bdcSearchAttributes.editeur);
      if (request.principal.role === 'editeur' && owner !== request.principal.editeurId) throw notFound(`BDC ${bdcId}`, 'bdcId');
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`BDC ${bdcId}`, 'bdcId');
      throw err;
    }
  }

  app.post('/bdcs', {
    config: { roles: who.operators },
    schema: { summary: 'Register a BDC (validated, priced, ESSMS claimed, workflow started)', body: bdcRequestSchema.extend({ eventId: eventId.optional() }), response: { 201: z.object({ bdcId: z.string() }), ...errors } },
  }, async (request, reply) => {
    const { eventId: id, ...bdc } = request.body;
    const campaigns = await effectiveCampaigns(deps.ledger.sql, deps.campaigns);
    const { workflowId } = await registerBdc({ ...deps, campaigns, now: deps.now }, bdc, { eventId: id ?? randomUUID(), actor: actorOf(request.principal) });
    return reply.status(201).header('location', `/bdcs/${workflowId}`).send({ bdcId: workflowId });
  });

  app.get('/bdcs', {
    config: { roles: who.everyone },
    schema: { summary: 'List BDCs by status, campaign, éditeur, solution, OG, ESSMS, deadline window (paged)', querystring: bdcFilterSchema },
  }, async (request) => {
    const filter = request.principal.role === 'editeur' ? { ...request.query, editeur: request.principal.editeurId } : request.query;
    return listBdcs(client, filter);
  });

  app.get('/bdcs/:bdcId', {
    config: { roles: who.everyone },
    schema: { summary: "One BDC's full state and audit trail", params: bdcParams, response: { 200: stateSchema, ...errors } },
  }, async (request) => {
    await visibleBdc(request, request.params.bdcId);
    return client.workflow.getHandle(request.params.bdcId).query(bdcMessages.state);
  });

  app.post('/bdcs/:bdcId/referencement/dossier', {
    config: { roles: who.editeursAndOperators },
    schema: { summary: 'Record the filing date of the référencement dossier', params: bdcParams, body: z.object({ eventId, filedOn: civilDateSchema }), response: { 200: stateSchema, ...errors } },
  }, async (request) => {
    await visibleBdc(request, request.params.bdcId);
    const { eventId: id, filedOn } = request.body;
    return sendBdcEvent(client, request.params.bdcId, bdcMessages.referencementDossierFiled, { eventId: id, actor: actorOf(request.principal), filedAt: onDay(filedOn) });
  });

  const decision = z.object({ eventId, decision: referencementDecisionSchema.shape.decision, decidedOn: civilDateSchema });

  app.post('/bdcs/:bdcId/referencement/decision', {
    config: { roles: who.operators },
    schema: { summary: "Record the ANS's référencement decision for one BDC", params: bdcParams, body: decision, response: { 200: stateSchema, ...errors } },
  }, async (request) => {
    await visibleBdc(request, request.params.bdcId);
    const { eventId: id, decision: d, decidedOn } = request.body;
    return sendBdcEvent(client, request.params.bdcId, bdcMessages.referencementDecided, { eventId: id, actor: actorOf(request.principal), decision: d, decidedAt: onDay(decidedOn) });
  });

  app.post('/solutions/:solutionId/referencement/decision', {
    config: { roles: who.operators },
    schema: {
      summary: 'Record a référencement decision for a solution: every BDC waiting on it proceeds (or is rejected)',
      params: z.object({ solutionId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }),
      body: decision,
      response: { 200: z.object({ applied: z.array(z.string()), refused: z.array(z.object({ bdcId: z.string(), reason: z.string() })) }), ...errors },
    },
  }, async (request) => {
    const { eventId: id, decision: d, decidedOn } = request.body;
    const applied: string[] = [];
    const refused: { bdcId: string; reason: string }[] = [];
    for await (const bdc of allBdcs(client, { solution: request.params.solutionId, status: 'awaiting_referencement' })) {
      // one event per BDC, derived from the operator's, so a repeated request changes nothing
      await sendBdcEvent(client, bdc.bdcId, bdcMessages.referencementDecided, { eventId: `${id}:${bdc.bdcId}`, actor: actorOf(request.principal), decision: d, decidedAt: onDay(decidedOn) }).then(
        () => applied.push(bdc.bdcId),
        (err: Error) => refused.push({ bdcId: bdc.bdcId, reason: err.message }),
      );
    }
    return { applied, refused };
  });

  app.post('/bdcs/:bdcId/cancellation', {
    config: { roles: who.operators },
    schema: { summary: 'Cancel a BDC (after the advance: the advance is demanded back)', params: bdcParams, body: cancellationSchema.pick({ eventId: true, reason: true }), response: { 200: stateSchema, ...errors } },
  }, async (request) => {
    await visibleBdc(request, request.params.bdcId);
    return sendBdcEvent(client, request.params.bdcId, bdcMessages.cancellationRequested, { ...request.body, actor: actorOf(request.principal) });
  });

  app.post('/bdcs/:bdcId/reimbursements', {
    config: { roles: who.operators },
    schema: { summary: 'Record a reimbursement received', params: bdcParams, body: z.object({ eventId, amountCents: centsSchema, receivedOn: civilDateSchema }), response: { 200: stateSchema, ...errors } },
  }, async (request) => {
    await visibleBdc(request, request.params.bdcId);
    const { eventId: id, amountCents, receivedOn } = request.body;
    return sendBdcEvent(client, request.params.bdcId, bdcMessages.reimbursementReceived, { eventId: id, actor: actorOf(request.principal), amountCents, receivedAt: onDay(receivedOn) });
  });

  app.post('/bdcs/:bdcId/va', {
    config: { roles: who.editeurs },
    schema: { summary: 'Submit the signed VA and the invoice (every failing reason comes back as 422)', params: bdcParams, body: vaSubmissionSchema.omit({ actor: true, receivedAt: true }), response: { 200: stateSchema, ...errors } },
  }, async (request) => {
    await visibleBdc(request, request.params.bdcId);
    // the reception instant is ours, not the éditeur's
    return sendBdcEvent(client, request.params.bdcId, bdcMessages.vaSubmitted, { ...request.body, actor: actorOf(request.principal), receivedAt: new Date((await deps.now?.()) ?? Date.now()).toISOString() });
  });
}
