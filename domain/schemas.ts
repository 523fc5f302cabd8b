import { z } from 'zod';
import { CLIENT_EVENT_ID_PATTERN, EVENT_ID_PATTERN, ID_PATTERN } from './ids';
import { isCivilDate, isInstant } from './calendar';
import { finessProblem, finessSaid, normaliseFiness } from './finess';
import { text } from './messages';
import { MAX_CENTS } from './money';

/**
 * The zod schemas of the model's primitives, for the edges (API, configuration, database inputs).
 * Workflow code never imports this module: it checks the same rules with the plain functions these
 * schemas are built on (domain/checks.ts).
 */

export const idSchema = z.string().regex(ID_PATTERN, text('id_rule'));
export const clientEventIdSchema = z
  .string()
  .regex(CLIENT_EVENT_ID_PATTERN, text('client_event_id_rule'))
  .describe('idempotency key of this event: a repeated id changes nothing');
export const eventIdSchema = z.string().regex(EVENT_ID_PATTERN, text('event_id_expected'));

/**
 * A name people read on one line beside an id (a solution's, an OG's): spaces collapsed; at least a
 * letter or a digit; no control or format character — an invisible name, or one that turns the id
 * after it around (U+202E), would make the reader take one thing for another.
 */
export const displayNameSchema = z
  .string()
  .max(400, text('name_rule'))
  .transform((s) => s.replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .max(120, text('name_rule'))
      .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]*$/u, text('name_rule'))
      .regex(/[\p{L}\p{N}]/u, text('name_rule')),
  );

/** Money is integer euro cents everywhere; rates are basis points (3000 = 30 %). */
export const centsSchema = z.number().int(text('whole_cents')).positive(text('positive_amount')).max(MAX_CENTS);
export const basisPointsSchema = z.number().int().min(0).max(10_000);

export const civilDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, text('civil_date_expected'))
  .refine(isCivilDate, text('not_a_calendar_date'))
  // a date people type for the programme: before 1900, Paris's hour was its local mean time and the
  // engine's day arithmetic does not hold (the drill's « 0526-07-16 » amended a calendar into a 500)
  .refine((d) => !isCivilDate(d) || (d >= '1900-01-01' && d <= '2999-12-31'), text('date_out_of_range'));
export const instantSchema = z.string().refine(isInstant, text('instant_expected'));

/** The one FINESS validator: every schema that takes a FINESS number uses it. */
export const finessSchema = z
  .string()
  .transform(normaliseFiness)
  .superRefine((value, ctx) => {
    const problem = finessProblem(value);
    if (!problem) return;
    const said = finessSaid(problem, value);
    ctx.addIssue({ code: 'custom', message: said.message, params: { key: said.key, ...said.params } });
  });

/** Who is told, as its owner sets it: addresses, and a signed webhook (checked further in client/notices.ts). */
export const contactSchema = z.object({
  emails: z.array(z.string().email().max(254)).max(20),
  // https, a public address: checked with its name resolved (client/notices.ts); http only for the
  // hosts an operator allows (WEBHOOK_ALLOW_HTTP_HOSTS)
  webhookUrl: z
    .url({ protocol: /^https?$/ })
    .max(2_000)
    .optional(),
  webhookSecret: z
    .string()
    .min(16)
    .max(200)
    .optional()
    .describe('required with a webhook unless one is kept: omitted, the kept secret stays'),
});
