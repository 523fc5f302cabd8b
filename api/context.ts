import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pino from 'pino';
import type { EngineContext } from '../client/context';
import type { Role, TokenRegistry } from './auth';
import type { ThrottleLimits } from './throttles';

/** What the routes are given: the engine's services' context, the tokens, a logger. */
export interface ApiDeps {
  engine: EngineContext;
  tokens: TokenRegistry;
  logger: pino.Logger;
  /** the throttles' allowances (API_UNAUTHENTICATED_PER_MINUTE, API_WRITES_PER_MINUTE, API_READY_PER_MINUTE) */
  limits?: Partial<ThrottleLimits>;
  /** the reverse proxies whose X-Forwarded-For is believed (API_TRUSTED_PROXIES); none by default */
  trustedProxies?: string[];
  /**
   * what only the process knows of itself: whether its own worker polls (ready only then), and why it
   * cannot recover by itself, if it cannot (its /health fails)
   */
  process?: { workerPolls?: () => Promise<unknown>; failure(): string | undefined };
  /** the payload codec of the engine's keys, for admins' /codec/decode */
  payloadCodec?: PayloadCodec;
  /** the OpenID provider's origin: signing out is a form whose answer sends the browser there */
  identityProviderOrigin?: string;
}

export type Api = FastifyInstance<any, any, any, any, ZodTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The roles of the API, per route family. */
/** Every call a request makes to Temporal has this deadline: past it the caller gets 503, never a hang. */
export const REQUEST_DEADLINE_MS = 10_000;

export const who = {
  /** the gestionnaires of DOMAIN.md: they register, record the ANS's decisions, amend the calendar */
  operators: ['operator'],
  /** they validate or reject money (four eyes) */
  ordonnateurs: ['ordonnateur'],
  comptables: ['comptable'],
  /** the a posteriori controls: their controleurs, and the gestionnaires who draw them */
  controllers: ['controleur', 'operator'],
  readers: ['operator', 'ordonnateur', 'comptable', 'controleur', 'admin'],
  /** the payments: who orders, who pays, who controls, who audits */
  moneyReaders: ['ordonnateur', 'comptable', 'controleur', 'admin'],
  everyone: ['operator', 'ordonnateur', 'comptable', 'controleur', 'admin', 'editeur'],
  editeursAndOperators: ['operator', 'editeur'],
  editeurs: ['editeur'],
  admins: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
