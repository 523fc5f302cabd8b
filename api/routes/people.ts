import { z } from 'zod';
import { grantRole, listPeople, revokeRole, setPersonStatus } from '../../client/people';
import { personRoles } from '../../domain/roles';
import { idSchema } from '../../domain/schemas';
import { callerOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { refusalsSchema } from '../errors';

const personParams = z.object({ personId: z.string().regex(/^p-[0-9a-f]{24}$/) });
const reason = z.string().trim().min(1).max(500);
const errors = { 403: refusalsSchema, 404: refusalsSchema, 409: refusalsSchema, 422: refusalsSchema };
const person = z.record(z.string(), z.unknown());

/**
 * People and their roles, managed by admins (issue 23): who signed in through the provider, the roles
 * granted to them (by whom, when), grants and revocations, a person disabled. Each takes effect at the
 * person's next request; each is journaled.
 */
export function peopleRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/people',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'The people known to SONS, with their live roles',
        querystring: z.object({
          role: z.enum(personRoles).optional(),
          search: z.string().trim().min(1).max(100).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
      },
    },
    async (request) => ({ people: await listPeople(engine, request.query) }),
  );

  app.post(
    '/people/:personId/roles',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'Grants a role (an éditeur’s names its éditeur); ordonnateur and comptable are never held together',
        params: personParams,
        body: z.object({ role: z.enum(personRoles), editeurId: idSchema.optional() }),
        response: { 200: person, ...errors },
      },
    },
    async (request) =>
      (await grantRole(
        engine,
        callerOf(request.principal),
        request.params.personId,
        request.body,
      )) as unknown as Record<string, unknown>,
  );

  app.post(
    '/people/:personId/roles/:role/revocation',
    {
      config: { roles: who.admins },
      schema: {
        summary: 'Revokes a role, with its reason: it counts from the person’s next request',
        params: personParams.extend({ role: z.enum(personRoles) }),
        body: z.object({ reason }),
        response: { 200: person, ...errors },
      },
    },
    async (request) =>
      (await revokeRole(engine, callerOf(request.principal), request.params.personId, {
        role: request.params.role,
        reason: request.body.reason,
      })) as unknown as Record<string, unknown>,
  );

  app.post(
    '/people/:personId/status',
    {
      config: { roles: who.admins },
      schema: {
        summary:
          'Disables (or enables again) a person: a disabled person’s sessions open nothing from its next request',
        params: personParams,
        body: z.object({ status: z.enum(['active', 'disabled']), reason }),
        response: { 200: person, ...errors },
      },
    },
    async (request) =>
      (await setPersonStatus(
        engine,
        callerOf(request.principal),
        request.params.personId,
        request.body,
      )) as unknown as Record<string, unknown>,
  );
}
