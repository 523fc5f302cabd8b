import { z } from 'zod';
import { finessSchema } from './finess';
import { centsSchema } from './money';
import { civilDateSchema, instantSchema } from './calendar';
import { couloirSchema } from './campaign';

const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64');

export const actorSchema = z.object({
  role: z.enum(['operator', 'editeur', 'admin', 'system']),
  id: z.string().min(1).max(128),
});
export type Actor = z.infer<typeof actorSchema>;

/** Every external event carries an id (its duplicate changes nothing) and who sent it. */
export const eventSchema = z.object({ eventId: z.string().min(1).max(128), actor: actorSchema });

/** The order as the éditeur and the OG signed it: what an operator registers. */
export const bdcRequestSchema = z.object({
  editeurId: idSchema,
  reference: idSchema.describe("the éditeur's own order number; with editeurId, the business key"),
  campaignId: z.string().min(1),
  solutionId: idSchema,
  ogFiness: finessSchema,
  essms: z
    .array(finessSchema)
    .min(1, 'a BDC covers at least one ESSMS')
    .refine((list) => new Set(list).size === list.length, 'an ESSMS appears twice'),
  orderDate: civilDateSchema,
  /** whether the solution was already référencée by the ANS when the order was signed */
  solutionReferenced: z.boolean(),
});
export type BdcRequest = z.infer<typeof bdcRequestSchema>;

export function bdcWorkflowId(editeurId: string, reference: string): string {
  return `bdc-${editeurId}-${reference}`;
}

export const bdcStatuses = [
  'received',
  'awaiting_referencement',
  'advance_issued',
  'awaiting_va',
  'balance_issued',
  'completed',
  'lapsed',
  'cancelled',
  'rejected',
  'reimbursement_due',
  'reimbursed',
] as const;
export const bdcStatusSchema = z.enum(bdcStatuses);
export type BdcStatus = z.infer<typeof bdcStatusSchema>;

/** Everything the workflow needs, every date already an instant (computed outside the workflow). */
export const bdcWorkflowInputSchema = z.object({
  bdcId: z.string().min(1),
  request: bdcRequestSchema,
  couloir: couloirSchema,
  tranche: z.string(),
  ogEssmsCount: z.number().int().positive(),
  finessExtraction: z.string(),
  ceilingCents: centsSchema,
  advanceRateBasisPoints: z.number().int().min(0).max(10_000),
  reimbursementDueDays: z.number().int().positive(),
  deadlines: z.object({
    /** present when ordered before référencement: end of the 120-day dossier delay */
    dossier: instantSchema.optional(),
    orderDeadline: instantSchema,
    closing: instantSchema,
  }),
  registeredBy: eventSchema,
});
export type BdcWorkflowInput = z.infer<typeof bdcWorkflowInputSchema>;

/** What the VA attests for one ESSMS (seed 003). */
export const vaEssmsSchema = z.object({
  finess: finessSchema,
  duiDeployed: z.boolean(),
  tbb1: z.record(z.string(), z.number()).refine((r) => Object.keys(r).length > 0, 'the TBB.1 indicators are missing'),
  esmsNumerique: z.object({
    activeRecordsRate: z.number().min(0).max(100),
    activeRecordsWithProjectRate: z.number().min(0).max(100),
    activeRecordsWithEventRate: z.number().min(0).max(100),
  }),
});

export const vaSubmissionSchema = eventSchema.extend({
  /** when the VA reached the ASP, stamped by the receiving boundary (API, client), not by the éditeur */
  receivedAt: instantSchema,
  va: z.object({
    signedAt: instantSchema,
    signature: z.enum(['cpx', 'pro-sante-connect', 'rgs-certificate', 'eidas-simple', 'eidas-advanced', 'eidas-qualified']),
    essms: z.array(vaEssmsSchema).min(1),
  }),
  invoice: z.object({
    number: z.string().min(1).max(64),
    ogFiness: finessSchema,
    amountCents: centsSchema,
    issuedOn: civilDateSchema,
  }),
});
export type VaSubmission = z.infer<typeof vaSubmissionSchema>;
