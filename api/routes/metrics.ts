import { z } from 'zod';
import type { Api } from '../context';
import type { ApiMetrics } from '../metrics';

/** Prometheus text for admins' scraper (a bearer token of the admin role, as Prometheus sends it). */
export function metricsRoutes(app: Api, metrics: ApiMetrics) {
  app.get(
    '/metrics',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Prometheus metrics: API requests and latency, the Node process, BDCs per status, the ledger in cents',
        response: { 200: z.string() },
      },
    },
    async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text()),
  );
}
