import { z } from 'zod';
import { listProposals, proposalAfter, rejectProposal, validateProposal } from '../../client/proposals';
import { proposalKinds } from '../../domain/proposals';
import { clientEventIdSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const proposalParams = z.object({
  process: z.enum(['bdc', 'control']),
  processId: z.string().min(1).max(400),
  proposalId: z.string().min(1).max(100),
});
const errors = { 403: refusalsSchema, 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };

/**
 * Money decided by four eyes (DOMAIN.md): the ordonnateurs' list of proposals — from the record —
 * and their decisions, one proposal each (a list validated is a batch of individual validations, each
 * in its process's audit trail).
 */
export function proposalRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/proposals',
    {
      config: { roles: who.readers },
      schema: {
        summary: 'Money proposals — advances, balances, demands, recoveries, write-offs — oldest first',
        querystring: z.object({
          state: z.enum(['proposed', 'validated', 'rejected', 'withdrawn']).optional(),
          kind: z.enum(proposalKinds).optional(),
          bdcId: z.string().min(1).max(200).optional(),
          editeurId: z.string().min(1).max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
    },
    async (request) => ({ proposals: await listProposals(engine, request.query) }),
  );

  app.post(
    '/proposals/:process/:processId/:proposalId/validation',
    {
      config: { roles: who.ordonnateurs },
      schema: {
        summary:
          'An ordonnateur validates a proposal (neither its proposer nor who caused it; two different ones above the threshold): the last validation writes the money',
        params: proposalParams,
        body: z.object({ eventId: clientEventIdSchema }),
        response: { 200: z.record(z.string(), z.unknown()), ...errors },
      },
    },
    async (request) => {
      const decision = { ...request.params, eventId: request.body.eventId };
      await validateProposal(engine, callerOf(request.principal), decision);
      return { proposal: await proposalAfter(engine, decision) } as Record<string, unknown>;
    },
  );

  app.post(
    '/proposals/:process/:processId/:proposalId/rejection',
    {
      config: { roles: who.ordonnateurs },
      schema: {
        summary: 'An ordonnateur rejects a proposal, with a reason: the process needs attention',
        params: proposalParams,
        body: z.object({ eventId: clientEventIdSchema, reason: z.string().min(1).max(500) }),
        response: { 200: z.record(z.string(), z.unknown()), ...errors },
      },
    },
    async (request) => {
      const decision = { ...request.params, eventId: request.body.eventId };
      await rejectProposal(engine, callerOf(request.principal), { ...decision, reason: request.body.reason });
      return { proposal: await proposalAfter(engine, decision) } as Record<string, unknown>;
    },
  );
}
