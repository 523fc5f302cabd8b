import { z } from 'zod';
import { eventSchema } from './bdc';
import { centsSchema } from './money';
import { instantSchema } from './calendar';

/** The external events a running BDC accepts, each carrying an event id and an actor. */
export const dossierFiledSchema = eventSchema.extend({ filedAt: instantSchema });
export type DossierFiled = z.infer<typeof dossierFiledSchema>;

export const referencementDecisionSchema = eventSchema.extend({
  decision: z.enum(['granted', 'refused']),
  decidedAt: instantSchema,
});
export type ReferencementDecision = z.infer<typeof referencementDecisionSchema>;

export const cancellationSchema = eventSchema.extend({ reason: z.string().min(1).max(500) });
export type Cancellation = z.infer<typeof cancellationSchema>;

export const reimbursementReceiptSchema = eventSchema.extend({ amountCents: centsSchema, receivedAt: instantSchema });
export type ReimbursementReceipt = z.infer<typeof reimbursementReceiptSchema>;

export const calendarAmendmentSchema = eventSchema
  .extend({
    orderDeadline: instantSchema.optional(),
    closing: instantSchema.optional(),
    reason: z.string().min(1).max(500),
  })
  .refine((a) => a.orderDeadline !== undefined || a.closing !== undefined, 'an amendment changes at least one date');
export type CalendarAmendment = z.infer<typeof calendarAmendmentSchema>;
