import { say } from '../domain/messages';
import { z } from 'zod';
import { bdcStatusSchema } from '../domain/bdc';
import { refuse } from '../domain/refusal';
import { finessSchema, idSchema } from '../domain/schemas';
import type { BdcSummary } from '../db/record-queries';
import { visibleBdc } from './bdc-events';
import type { Caller, EngineContext } from './context';

/** The filters operators list BDCs by, every one validated before it reaches the database. */
const asUtc = (instant: string) => new Date(instant).toISOString();

export const bdcFilterSchema = z.object({
  status: bdcStatusSchema.optional(),
  campaign: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
  editeur: idSchema.optional(),
  solution: idSchema.optional(),
  og: finessSchema.optional(),
  essms: finessSchema.optional(),
  // as UTC instants: an offset ISO 8601 allows (up to ±23:59) may be past what PostgreSQL takes (±15:59)
  deadlineFrom: z.iso.datetime({ offset: true }).transform(asUtc).optional(),
  deadlineTo: z.iso.datetime({ offset: true }).transform(asUtc).optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  pageToken: z.string().max(512).optional(),
});
export type BdcFilter = z.infer<typeof bdcFilterSchema>;

/** A page token: where the next page starts, opaque to callers. */
const encodeToken = (after: string) => Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
function decodeToken(token: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string' && after.length <= 300) return after;
  } catch {
    // refused below, like any other token that is not ours
  }
  throw refuse('invalid_page_token', say('invalid_page_token'), 'pageToken', token);
}

/** One page of BDCs from the record, keyset-paged; an éditeur lists its own only, whatever filter it sends. */
export async function listBdcs(
  ctx: EngineContext,
  caller: Caller,
  filter: BdcFilter,
): Promise<{ bdcs: BdcSummary[]; nextPageToken?: string }> {
  const { pageSize, pageToken, overdue, ...f } = filter;
  const page = await ctx.queries.list({
    ...f,
    ...(overdue === undefined ? {} : { reimbursementOverdue: overdue }),
    ...(caller.editeurId === undefined ? {} : { editeur: caller.editeurId }),
    ...(pageToken ? { after: decodeToken(pageToken) } : {}),
    limit: pageSize,
  });
  return { bdcs: page.bdcs, ...(page.last ? { nextPageToken: encodeToken(page.last) } : {}) };
}

export const refusedEventsQuerySchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(20).default(10),
  pageToken: z.string().max(64).optional(),
});

/**
 * A BDC's refused events, newest first, a page at a time (its read carries the latest few and their
 * count); the BDC must be visible to the caller, as for its read.
 */
export async function refusedEventsOf(
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  { pageSize, pageToken }: z.infer<typeof refusedEventsQuerySchema>,
) {
  await visibleBdc(ctx, caller, bdcId);
  let before: number | undefined;
  if (pageToken) {
    const after = decodeToken(pageToken);
    if (!/^\d{1,15}$/.test(after))
      throw refuse('invalid_page_token', say('invalid_page_token'), 'pageToken', pageToken);
    before = Number(after);
  }
  const rows = await ctx.queries.refusedEvents(bdcId, before, pageSize + 1);
  const page = rows.slice(0, pageSize);
  return {
    refused: page.map(({ id: _id, ...event }) => event),
    ...(rows.length > pageSize ? { nextPageToken: encodeToken(String(page.at(-1)!.id)) } : {}),
  };
}
