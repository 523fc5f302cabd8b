import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type pino from 'pino';
import type { Campaign } from '../../domain/campaign';
import type { FinessReference } from '../../db/finess';
import type { Ledger } from '../../db/ledger';
import { forbidden, errorHandler, unauthenticated } from './errors';
import type { Principal, Role, TokenRegistry } from './auth';
import { bdcRoutes } from './bdc-routes';
import { campaignRoutes } from './campaign-routes';
import { reportRoutes } from './report-routes';
import { finessRoutes } from './finess-routes';

export interface ApiDeps {
  client: Client;
  ledger: Ledger;
  finess: FinessReference;
  /** the campaigns as configured; their calendar amendments come from the database */
  campaigns: Campaign[];
  taskQueue: string;
  tokens: TokenRegistry;
  logger: pino.Logger;
  /** the registration instant (tests pass the test server's clock) */
  now?: () => Promise<number>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** who may call the route; absent: public */
    roles?: readonly Role[];
  }
}

export type Api = FastifyInstance<any, any, any, any, ZodTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The roles of the API, per route family. */
export const who = {
  operators: ['operator'] as const,
  readers: ['operator', 'admin'] as const,
  everyone: ['operator', 'admin', 'editeur'] as const,
  editeursAndOperators: ['operator', 'editeur'] as const,
  editeurs: ['editeur'] as const,
};

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

