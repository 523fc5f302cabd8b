import { z } from 'zod';
import { timedCheck } from '../../client/readiness';
import type { Api, ApiDeps } from '../context';

const check = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });
const readiness = z.object({
  ready: z.boolean(),
  temporal: check.optional().describe('admins only'),
  database: check.optional().describe('admins only'),
  worker: check.optional().describe("admins only; the process's own worker, where it runs one"),
});

/**
 * Liveness and readiness, public: what docker-compose's healthchecks and load balancers ask. Anyone
 * learns whether the engine lives and is ready; what each dependency answered (its latency, its error)
 * is for admins only, and readiness checks are throttled per source.
 */
export function healthRoutes(app: Api, { engine, process: supervised }: ApiDeps) {
  app.get(
    '/health',
    {
      config: { public: true, unthrottled: true },
      schema: {
        summary:
          'The process lives and can recover by itself (a dependency away is not a failure: /ready says it); 503 when it cannot',
        security: [],
        response: { 200: z.object({ ok: z.literal(true) }), 503: z.object({ ok: z.literal(false) }) },
      },
    },
    async (request, reply) => {
      const failure = supervised?.failure();
      if (!failure) return { ok: true as const };
      request.log.error({ failure }, 'the engine cannot recover by itself');
      return reply.status(503).send({ ok: false as const });
    },
  );

  app.get(
    '/ready',
    {
      config: { public: true, readiness: true },
      schema: {
        summary:
          "Temporal and the database answer, and the process's worker polls (where it runs one): 200, else 503 with Retry-After; each check's detail for admins",
        security: [],
        response: { 200: readiness, 503: readiness },
      },
    },
    async (request, reply) => {
      const [temporal, database, worker] = await Promise.all([
        timedCheck(() => engine.client.workflowService.getSystemInfo({})),
        timedCheck(() => engine.sql.query('SELECT 1')),
        supervised?.workerPolls ? timedCheck(supervised.workerPolls) : undefined,
      ]);
      const ready = temporal.ok && database.ok && (worker?.ok ?? true);
      if (!ready) reply.header('retry-after', '5');
      const details =
        request.authenticated?.role === 'admin' ? { temporal, database, ...(worker ? { worker } : {}) } : {};
      return reply.status(ready ? 200 : 503).send({ ready, ...details });
    },
  );
}
