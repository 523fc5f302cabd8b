import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicRefusal } from '../domain/localize';
import { say, type Said } from '../domain/messages';
import { refusalFromIssue, refusalOf, RefusedError, valueAt, type Refusal } from '../domain/refusal';
import { Unavailable, unavailableDependency } from '../client/unavailable';
import { languageOf } from './language';

/** The body of every error the API answers. */
export const refusalsSchema = z.object({
  refusals: z.array(
    z.object({ code: z.string(), message: z.string(), path: z.string(), value: z.unknown().optional() }),
  ),
});

/** Every error the API answers is `{ refusals: [{ code, message, path, value? }] }`. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly refusals: Refusal[],
    /** what the answer says besides its body: Retry-After of a 429, Connection: close of a body refused unread */
    readonly headers?: Record<string, string>,
  ) {
    super(refusals.map((r) => r.message).join('; '));
  }
}

/** An HTTP refusal of one message. */
export const httpRefusal = (status: number, code: string, said: Said, path = '', value?: unknown) =>
  new HttpRefusal(status, [refusalOf(code, said, path, value)]);

export const unauthenticated = () =>
  httpRefusal(401, 'unauthenticated', say('unauthenticated'), 'headers.authorization');
export const forbidden = (role: string) => httpRefusal(403, 'forbidden', say('forbidden', { role }));

/** Refusals that are not about the request's content get their own HTTP status. */
const statusOfCode: Record<string, number> = {
  not_found: 404,
  unknown_bdc: 404,
  already_registered: 409,
  bdc_ended: 409,
  event_id_reused: 409,
  solution_already_decided: 409,
  bank_details_pending: 409,
  order_wrong_state: 409,
  // a person signed in without a second factor: who it is is known, what it asks is not allowed yet
  second_factor_required: 403,
};

/**
 * Any error as the HTTP status and the refusals it answers (catalogue messages, not yet in the
 * reader's language): the API's JSON answers and the console's pages share it.
 */
export function refusalsOfError(
  error: FastifyError | Error,
  request: FastifyRequest,
): { status: number; refusals: Refusal[]; headers?: Record<string, string> } {
  if (error instanceof HttpRefusal) return { status: error.status, refusals: error.refusals, headers: error.headers };
  if (error instanceof RefusedError) {
    const status = error.refusals.map((r) => statusOfCode[r.code]).find((s) => s !== undefined) ?? 422;
    return { status, refusals: error.refusals };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const input = (request as unknown as Record<string, unknown>)[where];
    return {
      status: 422,
      refusals: error.validation.map((v) => {
        const fields = v.instancePath.split('/').filter(Boolean);
        return refusalFromIssue(
          { ...(v.params as Record<string, unknown>), code: v.keyword, message: v.message ?? 'invalid' },
          [where, ...fields].join('.'),
          valueAt(input, fields),
        );
      }),
    };
  }
  // a failure that passes: 503 naming what is away or busy, to be sent again (the same eventId) shortly
  const unavailable = unavailableDependency(error);
  if (unavailable) {
    const cause = error instanceof Unavailable ? error.cause : error;
    request.log.warn(
      { err: (cause as Error | undefined)?.message, dependency: unavailable },
      'a dependency is unavailable',
    );
    return {
      status: 503,
      headers: { 'retry-after': '5' },
      refusals: [
        refusalOf(
          `${unavailable}_unavailable`,
          unavailable === 'worker' ? say('unavailable_worker') : say('unavailable', { dependency: unavailable }),
        ),
      ],
    };
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode && statusCode < 500)
    return {
      status: statusCode,
      refusals: [
        refusalOf((error as FastifyError).code ?? 'bad_request', say('http_error', { problem: error.message })),
      ],
    };
  request.log.error({ err: error }, 'request failed');
  return { status: 500, refusals: [refusalOf('internal', say('internal'))] };
}

/** The refusals in the request's language (Accept-Language; French by default). */
export const inLanguageOf = (request: Pick<FastifyRequest, 'headers'>, refusals: Refusal[]) =>
  refusals.map((r) => publicRefusal(r, languageOf(request.headers['accept-language'])));

export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const { status, refusals, headers } = refusalsOfError(error, request);
  return reply
    .status(status)
    .headers(headers ?? {})
    .send({ refusals: inLanguageOf(request, refusals) });
}
