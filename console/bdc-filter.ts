import { bdcFilterSchema, listSorts, type ListSort } from '../client/bdc-reads';
import { endOfParisDay, isCivilDate, startOfParisDay } from '../domain/calendar';

/**
 * The BDC list's filters as the console's query carries them (the list's form, its column headers,
 * its pages and its export share them). People type a part of what they look for: the reference,
 * the éditeur (its name or id) and the solution are contains-matches; dates are Paris days; the list
 * reads in the natural order of references unless a column says otherwise.
 */
export type FilterForm = Partial<
  Record<
    | 'status'
    | 'campaign'
    | 'reference'
    | 'editeur'
    | 'solution'
    | 'og'
    | 'essms'
    | 'deadlineFrom'
    | 'deadlineTo'
    | 'overdue'
    | 'tri'
    | 'pageToken',
    string
  >
>;

export const DEFAULT_SORT: ListSort = 'reference';

/** The order a query asks for: one of the list's, else the default. */
export const sortOf = (query: FilterForm): ListSort =>
  (listSorts as readonly string[]).includes(query.tri ?? '') ? (query.tri as ListSort) : DEFAULT_SORT;

/** A query's value as one string: a name sent twice (`?reference=a&reference=b`) keeps its first. */
const one = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

export function filterOf(raw: FilterForm, pageSize: number) {
  const query = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, one(v)])) as FilterForm;
  const day = (v: string | undefined, edge: (d: string) => Date) =>
    v && isCivilDate(v) ? edge(v).toISOString() : v || undefined;
  return bdcFilterSchema.safeParse({
    status: query.status || undefined,
    campaign: query.campaign || undefined,
    reference: query.reference?.trim() || undefined,
    editeurMatch: query.editeur?.trim() || undefined,
    solutionMatch: query.solution?.trim() || undefined,
    og: query.og || undefined,
    essms: query.essms || undefined,
    deadlineFrom: day(query.deadlineFrom, startOfParisDay),
    deadlineTo: day(query.deadlineTo, endOfParisDay),
    overdue: query.overdue === 'oui' ? 'true' : undefined,
    sort: sortOf(query),
    pageToken: query.pageToken || undefined,
    pageSize,
  });
}

/** Refusals name the API's fields; the form's fields are named as the console's query. */
export const formFieldOf: Record<string, string> = { editeurMatch: 'editeur', solutionMatch: 'solution' };
