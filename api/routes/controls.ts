import { attentionDecisions } from '../../domain/events';
import { z } from 'zod';
import {
  controlState,
  decideControl,
  drawControls,
  drawOf,
  drawRequestSchema,
  listControls,
  recordDocumentsReceived,
  recordRecoveryReceived,
  redraw,
  settleRecovery,
  resolveControlAttention,
} from '../../client/controls';
import { controlStatuses } from '../../domain/control-view';
import { centsSchema, civilDateSchema, clientEventIdSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const eventId = clientEventIdSchema;
const controlParams = z.object({ controlId: z.string().min(1).max(400) });
const drawParams = z.object({ drawId: z.string().min(1).max(300) });
const anObject = z.record(z.string(), z.unknown());
const errors = { 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };

/** A posteriori controls: reproducible draws, each sampled BDC's durable control, its recovery. */
export function controlRoutes(app: Api, { engine }: ApiDeps) {
  app.post(
    '/controls/draws',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          'Draw a reproducible, stratified sample of completed BDCs and open a durable control of each (the same eventId again answers the same draw)',
        body: drawRequestSchema,
        response: { 201: anObject, ...errors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await drawControls(engine, callerOf(request.principal), request.body)),
  );

  app.get(
    '/controls/draws/:drawId',
    {
      config: { roles: who.readers },
      schema: {
        summary: 'A draw: its parameters, population digest and sample',
        params: drawParams,
        response: { 200: anObject, 404: refusalsSchema },
      },
    },
    async (request) => drawOf(engine, request.params.drawId),
  );

  app.get(
    '/controls/draws/:drawId/redraw',
    {
      config: { roles: who.readers },
      schema: {
        summary:
          'Draw a recorded draw again from its seed and population: whether the population and the sample are the same',
        params: drawParams,
        response: { 200: anObject, 404: refusalsSchema },
      },
    },
    async (request) => redraw(engine, request.params.drawId),
  );

  app.get(
    '/controls',
    {
      config: { roles: who.readers },
      schema: {
        summary: 'Controls by status, overdue, BDC or draw',
        querystring: z.object({
          status: z.enum(controlStatuses).optional(),
          overdue: z.enum(['true', 'false']).optional(),
          bdcId: z.string().max(200).optional(),
          drawId: z.string().max(300).optional(),
        }),
      },
    },
    async (request) => ({
      controls: await listControls(engine, {
        ...request.query,
        overdue: request.query.overdue === undefined ? undefined : request.query.overdue === 'true',
      }),
    }),
  );

  app.get(
    '/controls/:controlId',
    {
      config: { roles: who.readers },
      schema: {
        summary: 'A control: its state and audit trail',
        params: controlParams,
        response: { 200: anObject, 404: refusalsSchema },
      },
    },
    async (request) => controlState(engine, request.params.controlId),
  );

  app.post(
    '/controls/:controlId/documents',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Record that the documents asked of the éditeur were received',
        params: controlParams,
        body: z.object({ eventId, receivedOn: civilDateSchema }),
        response: { 200: anObject, ...errors },
      },
    },
    async (request) =>
      recordDocumentsReceived(engine, callerOf(request.principal), request.params.controlId, request.body),
  );

  app.post(
    '/controls/:controlId/decision',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          'Decide a control: passed, or failed with its reasons and the sums demanded back (at most what was paid)',
        params: controlParams,
        body: z.object({
          eventId,
          outcome: z.enum(['passed', 'failed']),
          findings: z.string().min(1).max(2_000),
          reasons: z.array(z.string().min(1).max(500)).max(20).default([]),
          recoveryCents: centsSchema.optional(),
        }),
        response: { 200: anObject, ...errors },
      },
    },
    async (request) => decideControl(engine, callerOf(request.principal), request.params.controlId, request.body),
  );

  app.post(
    '/controls/:controlId/recoveries',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'Record money received against a control’s recovery',
        params: controlParams,
        body: z.object({ eventId, amountCents: centsSchema, receivedOn: civilDateSchema }),
        response: { 200: anObject, ...errors },
      },
    },
    async (request) =>
      recordRecoveryReceived(engine, callerOf(request.principal), request.params.controlId, request.body),
  );

  app.post(
    '/controls/:controlId/settlement',
    {
      config: { roles: who.operators },
      schema: {
        summary: 'An overdue recovery: escalate it, or write off what remains (with a reason)',
        params: controlParams,
        body: z.object({ eventId, decision: z.enum(['escalate', 'write_off']), reason: z.string().min(1).max(500) }),
        response: { 200: anObject, ...errors },
      },
    },
    async (request) => settleRecovery(engine, callerOf(request.principal), request.params.controlId, request.body),
  );

  app.post(
    '/controls/:controlId/attention',
    {
      config: { roles: who.operators },
      schema: {
        summary:
          'A control that needs attention (an effect was refused): try the step again (a control is never cancelled)',
        params: controlParams,
        body: z.object({ eventId, decision: z.enum(attentionDecisions), reason: z.string().min(1).max(500) }),
        response: { 200: anObject, ...errors },
      },
    },
    async (request) =>
      resolveControlAttention(engine, callerOf(request.principal), request.params.controlId, request.body),
  );
}
