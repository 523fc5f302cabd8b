import { centsSchema, basisPointsSchema, civilDateSchema, instantSchema } from './schemas';
import { z } from 'zod';
import { endOfParisDay } from './calendar';
import { say, text, type Said } from './messages';

/** A zod issue saying a message of the catalogue, with its parameters. */
const issue = (path: (string | number)[], said: Said) => ({
  code: 'custom' as const,
  path,
  message: said.message,
  params: { key: said.key, ...said.params },
});

/** A FINESS category rule: how the programme names eligible establishments (DOMAIN.md table). */
export const categoryRuleSchema = z.discriminatedUnion('field', [
  z.object({
    domain: z.string().max(16),
    field: z.literal('categagretab'),
    codes: z
      .array(z.string().regex(/^\d{4}$/))
      .min(1)
      .max(100),
  }),
  /** aggregate family: the first two digits of categagretab, written as 4100, 4300… */
  z.object({
    domain: z.string().max(16),
    field: z.literal('categagretab-family'),
    families: z
      .array(z.string().regex(/^\d{2}00$/))
      .min(1)
      .max(100),
  }),
  z.object({
    domain: z.string().max(16),
    field: z.literal('categetab'),
    codes: z
      .array(z.string().regex(/^\d{3}$/))
      .min(1)
      .max(100),
  }),
]);
export type CategoryRule = z.infer<typeof categoryRuleSchema>;

export const trancheSchema = z.object({
  tranche: z.string().min(1).max(8),
  minEssms: z.number().int().positive(),
  /** inclusive; absent for the last tranche */
  maxEssms: z.number().int().positive().optional(),
  perEssmsCents: centsSchema,
});

export const couloirSchema = z.enum(['MS1', 'MS2', 'MS3']);

export const campaignSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, text('campaign_id_rule')),
    // every text a campaign holds is bounded: it is read with every BDC of the campaign
    label: z.string().min(1).max(200),
    vague: z.number().int().positive(),
    couloir: couloirSchema,
    openingDate: civilDateSchema,
    orderDeadline: civilDateSchema,
    closingDate: civilDateSchema,
    /** a precise closing instant, when an amendment set one, instead of the end of closingDate */
    closingAt: instantSchema.optional(),
    bareme: z.array(trancheSchema).min(1).max(20),
    eligibleCategories: z.array(categoryRuleSchema).min(1).max(20),
    referencementDelayDays: z.number().int().positive(),
    advanceRateBasisPoints: basisPointsSchema,
    reimbursementDueDays: z.number().int().positive(),
    /** the FINESS extraction the OG's ESSMS are counted in for the tranche; absent: the latest import */
    finessExtraction: z.object({ date: civilDateSchema, label: z.string().max(200) }).optional(),
    /** days before each of an éditeur's deadlines it is reminded, at 09:00 Paris (DOMAIN.md: 30, 7, 1) */
    reminderOffsetsDays: z.array(z.number().int().min(1).max(365)).max(10).default([30, 7, 1]),
    /** minutes before a deadline, for campaigns whose deadlines fall minutes from now (the demo's) */
    reminderOffsetsMinutes: z.array(z.number().int().min(1).max(1440)).max(10).optional(),
    /** the TBB.1 indicators a VA must report, each non-zero (DOMAIN.md); absent: any identifier TBB.1.<n> */
    tbb1Indicators: z
      .array(z.string().regex(/^TBB\.1\.[1-9]\d{0,2}$/, text('tbb1_id_rule')))
      .max(100)
      .optional(),
    /** above this, two different ordonnateurs validate a sum (DOMAIN.md "Money decided by four eyes"; absent: 50 000 €) */
    fourEyesThresholdCents: z.number().int().min(0).max(100_000_000_00).optional(),
    sources: z.array(z.string().max(500)).max(20).default([]),
  })
  .superRefine((c, ctx) => {
    if (!(c.openingDate <= c.orderDeadline && c.orderDeadline <= c.closingDate)) {
      ctx.addIssue({ code: 'custom', path: ['closingDate'], message: text('campaign_dates_order') });
    }
    const sorted = [...c.bareme].sort((a, b) => a.minEssms - b.minEssms);
    sorted.forEach((t, i) => {
      const next = sorted[i + 1];
      if (next && t.maxEssms !== next.minEssms - 1)
        ctx.addIssue(issue(['bareme', i], say('tranche_gap', { tranche: t.tranche, next: next.tranche })));
      if (!next && t.maxEssms !== undefined)
        ctx.addIssue({ code: 'custom', path: ['bareme', i], message: text('tranche_last_max') });
    });
    if (sorted[0]?.minEssms !== 1) ctx.addIssue({ code: 'custom', path: ['bareme'], message: text('bareme_start') });
  });
export type Campaign = z.infer<typeof campaignSchema>;

/** The barème tranche of an OG, chosen by how many ESSMS it has in the FINESS extraction. */
export function trancheFor(campaign: Campaign, ogEssmsCount: number) {
  const tranche = campaign.bareme.find(
    (t) => ogEssmsCount >= t.minEssms && (t.maxEssms === undefined || ogEssmsCount <= t.maxEssms),
  );
  if (!tranche) throw new RangeError(`no tranche for ${ogEssmsCount} ESSMS`);
  return tranche;
}

/** The campaign's civil dates as the instants the workflow races its timers against. */
export function campaignDeadlines(campaign: Pick<Campaign, 'orderDeadline' | 'closingDate' | 'closingAt'>) {
  return {
    orderDeadline: endOfParisDay(campaign.orderDeadline).toISOString(),
    closing: campaign.closingAt
      ? new Date(campaign.closingAt).toISOString()
      : endOfParisDay(campaign.closingDate).toISOString(),
  };
}

/** An operator's amendment of a campaign's calendar, in civil dates (or a precise closing instant). */
export const calendarChangeRequestSchema = z
  .object({
    orderDeadline: civilDateSchema.optional(),
    closingDate: civilDateSchema.optional().describe('the closing day; it ends at 23:59:59.999 Paris'),
    closingAt: instantSchema.optional().describe('or a precise closing instant'),
  })
  .refine((c) => c.orderDeadline || c.closingDate || c.closingAt, text('amendment_empty'))
  .refine((c) => !(c.closingDate && c.closingAt), text('amendment_closing_twice'));
export type CalendarChangeRequest = z.infer<typeof calendarChangeRequestSchema>;
