import type { Socket } from 'node:net';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Principal, Role } from './auth';
import { REQUEST_DEADLINE_MS, type Api, type ApiDeps } from './context';
import { publicRefusal } from '../domain/localize';
import { say } from '../domain/messages';
import { refusalOf } from '../domain/refusal';
import { explainUnanswered } from '../client/unavailable';
import { errorHandler, forbidden, httpRefusal, inLanguageOf, refusalsSchema, unauthenticated } from './errors';
import { parseJsonBounded } from './json-body';
import { DEFAULT_LIMITS, isWrite, throttles, type Throttles } from './throttles';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { codecRoutes } from './routes/codec';
import { ApiMetrics } from './metrics';
import { bdcRoutes } from './routes/bdcs';
import { campaignRoutes } from './routes/campaigns';
import { finessRoutes } from './routes/finess';
import { reportRoutes } from './routes/reports';
import { documentRoutes } from './routes/documents';
import { controlRoutes } from './routes/controls';
import { noticeRoutes } from './routes/notices';
import { tokenRoutes } from './routes/tokens';
import { journalRoutes } from './routes/journal';
import { proposalRoutes } from './routes/proposals';
import { editeurRoutes } from './routes/editeurs';
import { paymentRoutes } from './routes/payments';
import { peopleRoutes } from './routes/people';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** the caller its token names, if it names one: read once per request, for the throttle and the roles */
    authenticated: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** who may call the route: every route says so — its roles, or that it is public */
    roles?: readonly Role[];
    public?: true;
    /** a console page: who may open it once signed in (the console checks its session cookie) */
    sessionRoles?: readonly Role[];
    /** a public route that is not counted by the throttle of unauthenticated requests (the console's assets and login page) */
    unthrottled?: true;
    /** the readiness check: counted by a throttle of its own, per source */
    readiness?: true;
  }
  interface FastifyInstance {
    /** the API's throttles: the console counts its signed-in people's writes with them */
    throttles: Throttles;
  }
}

/** The answers every route may give besides its own, in the refusal format (documented in OpenAPI). */
const commonRefusals = {
  400: refusalsSchema,
  401: refusalsSchema,
  403: refusalsSchema,
  413: refusalsSchema,
  414: refusalsSchema,
  415: refusalsSchema,
  422: refusalsSchema,
  429: refusalsSchema,
  503: refusalsSchema,
};
const MAX_URL = 8_192;
/** swagger-ui's own routes: its page and assets, public */
const DOCS = '/docs';

/**
 * A request Node's HTTP parser refuses before the API sees it (headers too large, malformed): answered
 * in the refusal format all the same.
 */
function refuseMalformedRequest(err: Error & { code?: string }, socket: Socket): void {
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const refusal = tooLarge
    ? refusalOf('request_too_large', say('request_too_large'))
    : refusalOf('bad_request', say('bad_request'));
  // the request was not parsed: its Accept-Language is unknown, the answer is French (the default)
  const body = JSON.stringify({ refusals: [publicRefusal(refusal, 'fr')] });
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
}

/**
 * The HTTP API of operators and éditeurs: zod schemas validate every request and document it
 * (OpenAPI at /openapi.json, a docs page at /docs); a bearer token gives the caller a role. Roles fail
 * closed (a route without roles or an explicit `public` does not start), bodies are bounded in size
 * and depth, failed authentication is throttled and logged, and Temporal's or the database's absence
 * is a 503 with Retry-After within a deadline.
 */
/** Whether parsed text (strings in plain objects and arrays) holds a NUL; files, buffers and streams are not text. */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => holdsNul(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
  return Object.entries(value).some(([k, v]) => holdsNul(k) || holdsNul(v, depth + 1));
}

export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: 2 * MAX_URL },
    // behind the proxies configured (API_TRUSTED_PROXIES) a request's source is the client their
    // X-Forwarded-For names; from anywhere else, the header is ignored
    trustProxy: deps.trustedProxies?.length ? deps.trustedProxies : false,
    clientErrorHandler: refuseMalformedRequest,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // an update left unanswered at the request's deadline is said as what held it (client/unavailable.ts)
  app.setErrorHandler(async (error, request, reply) =>
    errorHandler((await explainUnanswered(deps.engine, error)) as Error, request, reply),
  );
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      refusals: inLanguageOf(request, [
        refusalOf('not_found', say('no_route', { method: request.method, url: request.url.slice(0, 200) }), 'url'),
      ]),
    }),
  );
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('authenticated', undefined);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
    parseJsonBounded(body as string, done),
  );

  app.addHook('onRequest', async (request) => {
    if (request.raw.url && request.raw.url.length > MAX_URL)
      throw httpRefusal(414, 'uri_too_long', say('uri_too_long', { max: MAX_URL }), 'url');
    // no text of ours holds a NUL, and PostgreSQL refuses one (a 500, found by the drill's fuzzer)
    if (request.raw.url && /%00/i.test(request.raw.url))
      throw httpRefusal(400, 'nul_character', say('nul_character'), 'url');
  });
  app.addHook('preValidation', async (request) => {
    if (holdsNul(request.body)) throw httpRefusal(400, 'nul_character', say('nul_character'), 'body');
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { roles?: readonly Role[]; public?: true; sessionRoles?: readonly Role[] };
    if (!config.roles && !config.public && !config.sessionRoles && !route.url.startsWith(DOCS))
      throw new Error(`route ${route.method} ${route.url} declares neither its roles nor that it is public`);
    if (route.schema && !route.schema.hide)
      route.schema = {
        ...route.schema,
        response: { ...commonRefusals, ...(route.schema.response as object | undefined) },
      };
    // every call to Temporal a request makes has a deadline
    const handler = route.handler;
    route.handler = function (request, reply) {
      return deps.engine.client.connection.withDeadline(Date.now() + REQUEST_DEADLINE_MS, async () =>
        handler.call(this, request, reply),
      );
    };
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // no page has a script of its own (the console only the DSFR's files, /docs swagger-ui's): no inline script runs
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // a sign-out form's answer sends the browser to the provider's end of session
        formAction: ["'self'", ...(deps.identityProviderOrigin ? [deps.identityProviderOrigin] : [])],
        frameAncestors: ["'none'"],
      },
    },
  });
  const throttle = await throttles(app as unknown as FastifyInstance, { ...DEFAULT_LIMITS, ...deps.limits });
  app.decorate('throttles', throttle);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'sons-engine API',
        version: '1',
        description: 'SONS bons de commande: registration, référencement, VA, money, calendar, reports.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: DOCS });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  app.addHook('onRequest', async (request) => {
    try {
      request.authenticated = await deps.tokens.authenticate(request.headers.authorization);
    } catch (err) {
      // the revocations could not be read: a route that needs a caller answers 503; a public one goes on
      // without one (a readiness check still says what it sees)
      if (request.routeOptions.config.roles) throw err;
    }
  });
  // what a request counts against: a readiness check its source's own allowance; a caller with a valid
  // token its writes (reads are not counted); anything else, its source's allowance of requests
  // without a token (the console's sign-in and public form among them). The console counts the writes
  // of the people signed in to it once it knows them.
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.readiness) return throttle.ready(request);
    if (request.authenticated) return isWrite(request) ? throttle.write(request) : undefined;
    if (config.unthrottled || config.sessionRoles) return;
    return throttle.unauthenticated(request);
  });
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const principal = request.authenticated;
    if (!principal) {
      request.log.warn(
        { source: request.ip, route: request.routeOptions.url, hadToken: Boolean(request.headers.authorization) },
        'authentication failed',
      );
      throw unauthenticated();
    }
    if (!roles.includes(principal.role)) throw forbidden(principal.role);
    request.principal = principal;
  });

  const metrics = new ApiMetrics(deps.engine);
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000);
  });
  metricsRoutes(app, metrics);
  codecRoutes(app, deps.payloadCodec);
  for (const routes of [
    healthRoutes,
    bdcRoutes,
    campaignRoutes,
    reportRoutes,
    finessRoutes,
    documentRoutes,
    controlRoutes,
    noticeRoutes,
    tokenRoutes,
    journalRoutes,
    proposalRoutes,
    editeurRoutes,
    paymentRoutes,
    peopleRoutes,
  ])
    routes(app, deps);
  return app;
}
