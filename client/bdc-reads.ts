import { say, text } from '../domain/messages';
import { z } from 'zod';
import { bdcStatusSchema } from '../domain/bdc';
import { refuse } from '../domain/refusal';
import { finessSchema, idSchema } from '../domain/schemas';
import { listSorts, type BdcSummary, type ListSort } from '../db/record-queries';

export { listSorts, type ListSort };
import { visibleBdc } from './bdc-events';
import type { Caller, EngineContext } from './context';

/** The filters operators list BDCs by, every one validated before it reaches the database. */
const asUtc = (instant: string) => new Date(instant).toISOString();

const searchText = z.string().trim().min(1, text('search_text_empty')).max(100, text('search_text_long'));

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
  // contains-matches, case-insensitive (a part is enough: nobody types a whole reference or id)
  reference: searchText.describe('a part of the reference, e.g. DEMO-1 finds DEMO-1, DEMO-10, XDEMO-12').optional(),
  editeurMatch: searchText.describe("a part of the éditeur's name (as enrolled) or of its id").optional(),
  solutionMatch: searchText.describe("a part of the solution's id").optional(),
  sort: z
    .enum(listSorts)
    .describe(
      'reference (natural order: -1, -2, -10), deadline (the next one; none last) or ceiling; a leading - descends. By BDC id when absent',
    )
    .optional(),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  pageToken: z.string().max(512).optional(),
});
export type BdcFilter = z.infer<typeof bdcFilterSchema>;

/**
 * A page token: where the next page starts, opaque to callers — the last BDC's id and, in a sorted
 * list, its sort key and the order it was read in (a token of another order is refused: it would
 * skip or repeat BDCs).
 */
interface Cursor {
  after: string;
  key?: string;
  sort?: ListSort;
}
const encodeToken = (cursor: string | Cursor) =>
  Buffer.from(JSON.stringify(typeof cursor === 'string' ? { after: cursor } : cursor), 'utf8').toString('base64url');
/**
 * Whether a key read back from a page token has the form its order's column casts (a bigint, an
 * instant as PostgreSQL writes it, or any text): a token forged with another would reach the
 * database and fail there.
 */
function keyFits(sort: ListSort | undefined, key: string): boolean {
  const column = sort?.replace(/^-/, '');
  if (column === 'ceiling') return /^-?\d{1,18}$/.test(key);
  if (column === 'deadline')
    return (
      key === 'infinity' ||
      (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(key) &&
        !Number.isNaN(Date.parse(key.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))))
    );
  return true;
}

function decodeCursor(token: string, sort?: ListSort): Cursor {
  try {
    const {
      after,
      key,
      sort: read,
    } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
    const sameOrder = read === sort && (sort === undefined) === (key === undefined);
    if (
      typeof after === 'string' &&
      after.length <= 300 &&
      sameOrder &&
      (key === undefined || (typeof key === 'string' && key.length <= 600 && keyFits(sort, key)))
    )
      return { after, ...(typeof key === 'string' ? { key } : {}) };
  } catch {
    // refused below, like any other token that is not ours
  }
  throw refuse('invalid_page_token', say('invalid_page_token'), 'pageToken', token);
}
const decodeToken = (token: string) => decodeCursor(token).after;

/** One page of BDCs from the record, keyset-paged; an éditeur lists its own only, whatever filter it sends. */
export async function listBdcs(
  ctx: EngineContext,
  caller: Caller,
  filter: BdcFilter,
): Promise<{ bdcs: BdcSummary[]; nextPageToken?: string }> {
  const { pageSize, pageToken, overdue, ...f } = filter;
  const cursor = pageToken ? decodeCursor(pageToken, f.sort) : undefined;
  const page = await ctx.queries.list({
    ...f,
    ...(overdue === undefined ? {} : { reimbursementOverdue: overdue }),
    ...(caller.editeurId === undefined ? {} : { editeur: caller.editeurId }),
    ...(cursor ? { after: cursor.after, ...(cursor.key === undefined ? {} : { afterKey: cursor.key }) } : {}),
    limit: pageSize,
  });
  const next = page.last
    ? encodeToken(f.sort ? { after: page.last, key: page.lastKey!, sort: f.sort } : page.last)
    : undefined;
  return { bdcs: page.bdcs, ...(next ? { nextPageToken: next } : {}) };
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
