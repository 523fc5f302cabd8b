import { z } from 'zod';
import {
  importStatusReport,
  ordersOfBdc,
  paymentOrders,
  paymentRun,
  paymentRunFile,
  paymentRuns,
  recordBankAnswers,
  releaseRun,
  revalidateOrder,
} from '../../client/payments';
import { orderStates } from '../../domain/payments';
import { clientEventIdSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const runParams = z.object({ runId: clientEventIdSchema });
const errors = { 403: refusalsSchema, 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };
const any = z.record(z.string(), z.unknown());

/**
 * Paying (DOMAIN.md "Paying"): the comptables' payment runs — validated orders released as one
 * pain.001.001.09 file, the bank's answer per order (a pain.002 status report or by hand) — and the
 * ordonnateurs' new validation of an order the bank rejected.
 */
export function paymentRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/payment-orders',
    {
      config: { roles: who.moneyReaders },
      schema: {
        summary:
          'Payment orders by state (validated, released, paid, rejected), with their last transfer and bank details',
        querystring: z.object({
          state: z.enum(orderStates).optional(),
          bdcId: z.string().min(1).max(200).optional(),
          editeurId: z.string().min(1).max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
    },
    async (request) => ({ orders: await paymentOrders(engine, request.query) }),
  );

  app.post(
    '/payment-runs',
    {
      config: { roles: who.comptables },
      schema: {
        summary:
          'A comptable releases validated orders as one payment run (its id the key: a retry is the same run); answered with the run, its file at …/file',
        body: z.object({
          runId: clientEventIdSchema,
          orderIds: z.array(z.number().int().positive()).min(1).max(5000),
          executionDate: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional(),
        }),
        response: { 201: any, ...errors },
      },
    },
    async (request, reply) => {
      const run = await releaseRun(engine, callerOf(request.principal), request.body);
      return reply.status(201).header('location', `/payment-runs/${run.runId}`).send({ run });
    },
  );

  app.get(
    '/payment-runs',
    {
      config: { roles: who.moneyReaders },
      schema: { summary: 'Payment runs, newest first, with their answers counted' },
    },
    async () => ({ runs: await paymentRuns(engine) }),
  );

  app.get(
    '/payment-runs/:runId',
    {
      config: { roles: who.moneyReaders },
      schema: { summary: 'A payment run and its orders, each as the run sent it', params: runParams },
    },
    async (request) => ({ run: await paymentRun(engine, request.params.runId) }),
  );

  app.get(
    '/payment-runs/:runId/file',
    {
      config: { roles: who.moneyReaders },
      schema: { summary: 'The run’s pain.001.001.09 file as released', params: runParams },
    },
    async (request, reply) => {
      const { messageId, file } = await paymentRunFile(engine, request.params.runId);
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${messageId.replace(/[^\w.-]/g, '_')}.xml"`)
        .send(file);
    },
  );

  app.post(
    '/payment-runs/:runId/answers',
    {
      config: { roles: who.comptables },
      schema: {
        summary:
          'A comptable records the bank’s answers by hand: each order paid, or rejected with its ISO 20022 reason code',
        params: runParams,
        body: z.object({
          eventId: clientEventIdSchema,
          answers: z
            .array(
              z.object({
                orderId: z.number().int().positive().optional(),
                endToEndId: z.string().min(1).max(35).optional(),
                outcome: z.enum(['paid', 'rejected']),
                reasonCode: z.string().max(4).optional(),
              }),
            )
            .min(1)
            .max(5000),
        }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({
      ...(await recordBankAnswers(engine, callerOf(request.principal), request.params.runId, request.body)),
    }),
  );

  app.post(
    '/payment-runs/:runId/status-report',
    {
      config: { roles: who.comptables },
      schema: {
        summary:
          'A comptable records the bank’s status report (pain.002, its XML text in `file`): each transfer paid or rejected',
        params: runParams,
        body: z.object({
          file: z
            .string()
            .min(1)
            .max(5 * 2 ** 20),
        }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({
      ...(await importStatusReport(engine, callerOf(request.principal), request.params.runId, request.body.file)),
    }),
  );

  app.get(
    '/bdcs/:bdcId/payment-orders',
    {
      config: { roles: who.everyone },
      schema: {
        summary:
          "A BDC's payment orders: who proposed and validated each, its state, and each step after its validation (released, paid or rejected by the bank, validated again) with who and when",
        params: z.object({ bdcId: z.string().min(1).max(400) }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({ orders: await ordersOfBdc(engine, callerOf(request.principal), request.params.bdcId) }),
  );

  app.post(
    '/payment-orders/:orderId/revalidation',
    {
      config: { roles: who.ordonnateurs },
      schema: {
        summary: 'An ordonnateur validates again an order the bank rejected: it awaits a later run',
        params: z.object({ orderId: z.coerce.number().int().positive() }),
        body: z.object({ eventId: clientEventIdSchema }),
        response: { 200: any, ...errors },
      },
    },
    async (request) => ({
      order: await revalidateOrder(engine, callerOf(request.principal), request.params.orderId, request.body.eventId),
    }),
  );
}
