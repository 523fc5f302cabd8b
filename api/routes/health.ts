import { z } from 'zod';
import { timedCheck } from '../../client/readiness';
import type { Api, ApiDeps } from '../context';

const check = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() });

/** Liveness and readiness, public: what docker-compose's healthchecks and load balancers ask. */
export function healthRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/health',
    {
      config: { public: true, unthrottled: true },
      schema: {
        summary: 'The process lives (nothing else is checked)',
        security: [],
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async () => ({ ok: true as const }),
  );

  app.get(
    '/ready',
    {
      config: { public: true, readiness: true },
      schema: {
        summary: 'Temporal and the database answer, with their latency: 200, else 503',
        security: [],
        response: {
          200: z.object({ temporal: check, database: check }),
          503: z.object({ temporal: check, database: check }),
        },
      },
    },
    async (_request, reply) => {
      const [temporal, database] = await Promise.all([
        timedCheck(() => engine.client.workflowService.getSystemInfo({})),
        timedCheck(() => engine.sql.query('SELECT 1')),
      ]);
      if (!temporal.ok || !database.ok) reply.header('retry-after', '5');
      return reply.status(temporal.ok && database.ok ? 200 : 503).send({ temporal, database });
    },
  );
}
