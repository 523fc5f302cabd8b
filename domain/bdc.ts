import { actorRoles } from './roles';
import { z } from 'zod';
import { bdcStatuses, type Actor, type BdcRequest } from './bdc-view';
import { text } from './messages';
import { signatureMethods } from './va';
import {
  centsSchema,
  civilDateSchema,
  clientEventIdSchema,
  displayNameSchema,
  eventIdSchema,
  finessSchema,
  idSchema,
} from './schemas';

/** The zod schemas of a BDC's data at the edges (API, configuration): the same rules as domain/checks.ts. */

export type { Actor, BdcRequest, BdcStatus } from './bdc-view';
export { bdcStatuses } from './bdc-view';

export const actorSchema = z.object({
  role: z.enum(actorRoles),
  id: z.string().min(1).max(128),
}) satisfies z.ZodType<Actor>;

/** Every external event carries an id (its duplicate changes nothing) and who sent it. */
export const eventSchema = z.object({ eventId: eventIdSchema, actor: actorSchema });

/** The order as the éditeur and the OG signed it: what an operator registers. */
export const bdcRequestSchema = z.object({
  editeurId: idSchema,
  reference: idSchema.describe("the éditeur's own order number; with editeurId, the business key"),
  campaignId: z.string().min(1).max(64),
  solutionId: idSchema,
  ogFiness: finessSchema,
  ogName: displayNameSchema
    .optional()
    .describe("the OG's name as the order states it (its raison sociale): people read it beside its FINESS"),
  essms: z
    .array(finessSchema)
    .min(1, text('essms_none'))
    .max(500)
    .refine((list) => new Set(list).size === list.length, text('essms_twice')),
  orderDate: civilDateSchema,
  solutionReferenced: z
    .boolean()
    .optional()
    .describe('ignored: whether the solution is référencée is read from the registry of solutions'),
}) satisfies z.ZodType<BdcRequest>;

export const bdcStatusSchema = z.enum(bdcStatuses);

/**
 * The VA and invoice an éditeur submits, as documented in the OpenAPI document. The API does not
 * reject by this schema: the BDC's workflow checks the form and the business rules together
 * (domain/va.ts), so that one answer lists every reason.
 */
export const vaBodySchema = z.object({
  eventId: clientEventIdSchema,
  va: z.object({
    signedAt: z.string().describe('ISO-8601 instant'),
    signature: z.enum(signatureMethods),
    essms: z
      .array(
        z.object({
          finess: finessSchema,
          duiDeployed: z.boolean(),
          tbb1: z
            .record(z.string(), z.number())
            .describe('each TBB.1 indicator the campaign requires (TBB.1.1, TBB.1.2…), non-zero')
            .meta({ example: { 'TBB.1.1': 12, 'TBB.1.2': 4 } }),
          esmsNumerique: z.object({
            activeRecordsRate: z.number().min(0).max(100),
            activeRecordsWithProjectRate: z.number().min(0).max(100),
            activeRecordsWithEventRate: z.number().min(0).max(100),
          }),
        }),
      )
      .min(1),
  }),
  invoice: z.object({
    number: z.string().min(1).max(64),
    ogFiness: finessSchema,
    amountCents: centsSchema,
    issuedOn: civilDateSchema,
  }),
  documents: z
    .object({ signedVa: z.string().regex(/^[0-9a-f]{64}$/), invoice: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional()
    .describe('the SHA-256 of the signed VA and of the invoice, as POST /documents answered them'),
});
