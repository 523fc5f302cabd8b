import { z } from 'zod';
import { revokeToken } from '../../client/tokens';
import { say } from '../../domain/messages';
import { idSchema } from '../../domain/schemas';
import { actorOf } from '../auth';
import { who, type Api, type ApiDeps } from '../context';
import { httpRefusal, refusalsSchema } from '../errors';

/** The API's tokens: revoked without a restart, by an admin (`sons token revoke`). */
export function tokenRoutes(app: Api, { engine, tokens }: ApiDeps) {
  app.post(
    '/tokens/:name/revocation',
    {
      config: { roles: who.admins },
      schema: {
        summary:
          'Revoke the token of a name: from the next request on, in every API process, it is refused and the console sessions it opened are over',
        params: z.object({ name: idSchema }),
        body: z.object({ reason: z.string().trim().min(1).max(500) }),
        response: {
          200: z.object({ name: z.string(), secrets: z.number(), sessionsEnded: z.number() }),
          404: refusalsSchema,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const secrets = tokens.named(name);
      if (!secrets.length) throw httpRefusal(404, 'not_found', say('unknown_token', { name }), 'params.name', name);
      const { sessionsEnded } = await revokeToken(engine, secrets, actorOf(request.principal).id, request.body.reason);
      request.log.warn({ token: name, by: request.principal.name, sessionsEnded }, 'API token revoked');
      return { name, secrets: secrets.length, sessionsEnded };
    },
  );
}
