import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalidCode, RefusedError, valueAt, type Refusal } from '../domain/refusal';
import { isConnectionError } from '../db/postgres';

/** The body of every error the API answers. */
export const refusalsSchema = z.object({ refusals: z.array(z.object({ code: z.string(), message: z.string(), path: z.string(), value: z.unknown().optional() })) });

/** Every error the API answers is `{ refusals: [{ code, message, path, value? }] }`. */
export class HttpRefusal extends Error {
  constructor(readonly status: number, readonly refusals: Refusal[]) {
    super(refusals.map((r) => r.message).join('; '));
  }
}

export const unauthenticated = () => new HttpRefusal(401, [{ code: 'unauthenticated', message: 'a valid bearer token is required', path: 'headers.authorization' }]);
export const forbidden = (role: string) => new HttpRefusal(403, [{ code: 'forbidden', message: `the ${role} role may not do this`, path: '' }]);

/** Refusals that are not about the request's content get their own HTTP status. */
const statusOfCode: Record<string, number> = { not_found: 404, unknown_bdc: 404, already_registered: 409, bdc_ended: 409, event_id_reused: 409, solution_already_decided: 409 };

/** gRPC: UNAVAILABLE, DEADLINE_EXCEEDED; a connection refused or reset on the way to Temporal. */
const GRPC_UNAVAILABLE = new Set([14, 4]);

/** Which dependency an error says is unavailable, if it says so: Temporal or the database. */
function unavailableDependency(error: unknown): 'temporal' | 'database' | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; name?: string; message?: string } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if ((e.name === 'ServiceError' || e.name === 'GrpcError') && GRPC_UNAVAILABLE.has(e.code as number)) return 'temporal';
    if (typeof e.code === 'number' && GRPC_UNAVAILABLE.has(e.code) && /UNAVAILABLE|DEADLINE_EXCEEDED|Deadline/i.test(e.message ?? '')) return 'temporal';
    if (isConnectionError(e) || /database|pglite/i.test(e.name ?? '') && /closed/i.test(e.message ?? '')) return 'database';
  }
  return undefined;
}

export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpRefusal) return reply.status(error.status).send({ refusals: error.refusals });
  if (error instanceof RefusedError) {
    const status = error.refusals.map((r) => statusOfCode[r.code]).find((s) => s !== undefined) ?? 422;
    return reply.status(status).send({ refusals: error.refusals });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const input = (request as unknown as Record<string, unknown>)[where];
    return reply.status(422).send({
      refusals: error.validation.map((v) => {
        const fields = v.instancePath.split('/').filter(Boolean);
        return { code: invalidCode(v.keyword), message: v.message ?? 'invalid', path: [where, ...fields].join('.'), ...valueAt(input, fields) };
      }),
    });
  }
  const unavailable = unavailableDependency(error);
  if (unavailable) {
    request.log.warn({ err: error.message, dependency: unavailable }, 'a dependency is unavailable');
    return reply
      .status(503)
      .header('retry-after', '5')
      .send({ refusals: [{ code: `${unavailable}_unavailable`, message: `${unavailable === 'temporal' ? 'Temporal' : 'the database'} does not answer now: send the same request again (with the same eventId) in a few seconds`, path: '' }] });
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode && statusCode < 500) {
    return reply.status(statusCode).send({ refusals: [{ code: (error as FastifyError).code ?? 'bad_request', message: error.message, path: '' }] });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({ refusals: [{ code: 'internal', message: 'the engine could not complete the request; it was logged', path: '' }] });
}
