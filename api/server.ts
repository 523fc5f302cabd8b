import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Principal, Role } from './auth';
import type { Api, ApiDeps } from './context';
import { errorHandler, forbidden, unauthenticated } from './errors';
import { bdcRoutes } from './routes/bdcs';
import { campaignRoutes } from './routes/campaigns';
import { finessRoutes } from './routes/finess';
import { reportRoutes } from './routes/reports';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** who may call the route; absent: public */
    roles?: readonly Role[];
  }
}

/**
 * The HTTP API of operators and éditeurs: zod schemas validate every request and document it
 * (OpenAPI at /openapi.json, a docs page at /docs); a bearer token gives the caller a role.
 */
export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: 256 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('principal', null as unknown as Principal);

  await app.register(swagger, {
    openapi: {
      info: { title: 'sons-engine API', version: '1', description: 'SONS bons de commande: registration, référencement, VA, money, calendar, reports.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));

  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const principal = deps.tokens.authenticate(request.headers.authorization);
    if (!principal) throw unauthenticated();
    if (!roles.includes(principal.role)) throw forbidden(principal.role);
    request.principal = principal;
  });

  for (const routes of [bdcRoutes, campaignRoutes, reportRoutes, finessRoutes]) routes(app, deps);
  return app;
}
