import { z } from 'zod';
import { CLIENT_EVENT_ID_PATTERN, CLIENT_EVENT_ID_RULE, EVENT_ID_PATTERN, ID_PATTERN, ID_RULE } from './ids';
import { isCivilDate, isInstant } from './calendar';
import { finessProblem, finessProblemMessage, normaliseFiness } from './finess';
import { MAX_CENTS } from './money';

/**
 * The zod schemas of the model's primitives, for the edges (API, configuration, database inputs).
 * Workflow code never imports this module: it checks the same rules with the plain functions these
 * schemas are built on (domain/checks.ts).
 */

export const idSchema = z.string().regex(ID_PATTERN, ID_RULE);
export const clientEventIdSchema = z.string().regex(CLIENT_EVENT_ID_PATTERN, CLIENT_EVENT_ID_RULE).describe('idempotency key of this event: a repeated id changes nothing');
export const eventIdSchema = z.string().regex(EVENT_ID_PATTERN, 'not an event id');

/** Money is integer euro cents everywhere; rates are basis points (3000 = 30 %). */
export const centsSchema = z.number().int('amount must be whole cents').positive('amount must be positive').max(MAX_CENTS);
export const basisPointsSchema = z.number().int().min(0).max(10_000);

export const civilDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').refine(isCivilDate, 'not a calendar date');
export const instantSchema = z.string().refine(isInstant, 'expected an ISO-8601 instant');

/** The one FINESS validator: every schema that takes a FINESS number uses it. */
export const finessSchema = z
  .string()
  .transform(normaliseFiness)
  .superRefine((value, ctx) => {
    const problem = finessProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: finessProblemMessage(problem, value), params: { finessProblem: problem } });
  });
