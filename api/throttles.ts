import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { say, type Said } from '../domain/messages';
import type { Principal } from './auth';
import { HttpRefusal } from './errors';
import { refusalOf } from '../domain/refusal';

/** How much each kind of caller may ask per minute (configuration: API_*_PER_MINUTE). */
export interface ThrottleLimits {
  /** requests without a valid token, per source address (guessing tokens, the public forms) */
  unauthenticatedPerMinute: number;
  /** writes per token, or per person signed in to the console */
  writesPerMinute: number;
  /** readiness checks per source address */
  readyPerMinute: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  unauthenticatedPerMinute: 30,
  writesPerMinute: 600,
  readyPerMinute: 120,
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const isWrite = (request: FastifyRequest) => WRITES.has(request.method);

/** The one key of a caller across the API and the console: a token's role and name (an éditeur's too). */
export const callerKey = (p: Principal) => `${p.role}:${p.editeurId ?? ''}:${p.name}`;

export interface Throttles {
  /** a request without a valid token, counted against its source address (the client behind a trusted proxy) */
  unauthenticated(request: FastifyRequest): Promise<void>;
  /** a write, counted against the caller it names (its token's, or the console session's principal) */
  write(request: FastifyRequest): Promise<void>;
  /** a readiness check, counted against its source address */
  ready(request: FastifyRequest): Promise<void>;
}

/**
 * The API's throttles, each a fixed window of @fastify/rate-limit with a store of its own: per source
 * address for what has no valid token (the address Fastify reads through the trusted proxies), per
 * caller for writes. Past a limit: 429 in the refusal format with Retry-After.
 */
export async function throttles(app: FastifyInstance, limits: ThrottleLimits): Promise<Throttles> {
  // global: false — no hook of its own: the API says which throttle a request counts against
  await app.register(rateLimit, { global: false });
  const limiter = (max: number, key: (request: FastifyRequest) => string, said: (seconds: number) => Said) => {
    const count = app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: key });
    return async (request: FastifyRequest) => {
      const outcome = await count(request);
      if (outcome.isAllowed || !outcome.isExceeded) return;
      const seconds = Math.max(1, outcome.ttlInSeconds);
      throw new HttpRefusal(429, [refusalOf('too_many_requests', said(seconds), 'headers')], {
        'retry-after': String(seconds),
        'x-ratelimit-limit': String(outcome.max),
        'x-ratelimit-remaining': '0',
      });
    };
  };
  const bySource = (request: FastifyRequest) => request.ip;
  const unauthenticated = limiter(limits.unauthenticatedPerMinute, bySource, (seconds) =>
    say('too_many_requests', { seconds }),
  );
  const ready = limiter(limits.readyPerMinute, bySource, (seconds) => say('too_many_requests', { seconds }));
  const write = limiter(
    limits.writesPerMinute,
    (request) => callerKey(request.authenticated ?? request.principal),
    (seconds) => say('too_many_writes', { seconds, max: limits.writesPerMinute }),
  );
  return { unauthenticated, ready, write };
}
