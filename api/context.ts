import type { PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type pino from 'pino';
import type { EngineContext } from '../client/context';
import type { Role, TokenRegistry } from './auth';

/** What the routes are given: the engine's services' context, the tokens, a logger. */
export interface ApiDeps {
  engine: EngineContext;
  tokens: TokenRegistry;
  logger: pino.Logger;
  /** requests without a valid token allowed per source and minute (API_UNAUTHENTICATED_PER_MINUTE) */
  unauthenticatedPerMinute?: number;
  /** the payload codec of the engine's keys, for admins' /codec/decode */
  payloadCodec?: PayloadCodec;
}

export type Api = FastifyInstance<any, any, any, any, ZodTypeProvider>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The roles of the API, per route family. */
export const who = {
  operators: ['operator'],
  readers: ['operator', 'admin'],
  everyone: ['operator', 'admin', 'editeur'],
  editeursAndOperators: ['operator', 'editeur'],
  editeurs: ['editeur'],
  admins: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
