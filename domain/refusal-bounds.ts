import { render, say } from './messages';
import type { Refusal } from './refusal';

/**
 * What a refusal may carry once it is kept or shown: a caller chooses the values it sends, so what
 * the engine writes back about them is bounded. Codes and the catalogue's keys are ours and kept as
 * they are; what came from the caller — a refusal's value, its path (an object's keys are the
 * caller's), the parameters a message embeds — is cut to a bound, with an ellipsis.
 */

/** Characters of a value, a path or a parameter kept (a FINESS, an invoice number, a date fit whole). */
export const MAX_TEXT = 100;
/** Bytes of JSON one refused event's reasons may take once kept; the rest are counted, not kept. */
export const MAX_EVENT_BYTES = 4_096;

/** Refused events a BDC's read carries, the latest; the others are paged, so a read stays small whatever was sent. */
export const REFUSED_IN_READ = 5;

/**
 * A text cut to `max` characters with an ellipsis; also cut where its JSON would be longer than twice
 * that (control characters are written \u0001: six bytes each).
 */
export function clipText(text: string, max = MAX_TEXT): string {
  let cut = Array.from(text);
  if (cut.length <= max && JSON.stringify(text).length <= 2 * max + 2) return text;
  cut = cut.slice(0, max);
  while (cut.length && JSON.stringify(cut.join('')).length > 2 * max + 2)
    cut = cut.slice(0, Math.floor(cut.length / 2));
  return `${cut.join('')}…`;
}

/**
 * A value as it may be kept: a text cut; a number, a boolean as they are; an object or an array as it
 * is when its JSON is short, else as its cut JSON.
 */
export function clipValue(value: unknown): unknown {
  if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return clipText(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length <= MAX_TEXT ? value : clipText(json);
}

const clipParams = (params: Refusal['params']) =>
  params && Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? clipText(v) : v]));

/** One refusal bounded: its value, path and parameters cut; its message said again from the cut parameters. */
export function boundedRefusal(r: Refusal): Refusal {
  const params = clipParams(r.params);
  const message = (r.key && render(r.key, params, 'en')) ?? clipText(r.message, 4 * MAX_TEXT);
  const issue = r.issue && JSON.stringify(r.issue).length <= 4 * MAX_TEXT ? r.issue : undefined;
  return {
    code: r.code,
    message,
    path: clipText(r.path),
    ...(r.value === undefined ? {} : { value: clipValue(r.value) }),
    ...(r.key ? { key: r.key } : {}),
    ...(params ? { params } : {}),
    ...(issue ? { issue } : {}),
  };
}

/**
 * The reasons of one refused event as they are kept: each bounded, in order, as many as fit in
 * MAX_EVENT_BYTES; those left out are counted in a last reason (code `refusals_omitted`).
 */
export function boundedRefusals(refusals: Refusal[], maxBytes = MAX_EVENT_BYTES): Refusal[] {
  const kept: Refusal[] = [];
  // room is kept for the last reason that counts those left out
  let bytes = 2 + 256;
  for (const r of refusals.map(boundedRefusal)) {
    const size = JSON.stringify(r).length + 1;
    if (bytes + size > maxBytes) break;
    kept.push(r);
    bytes += size;
  }
  const omitted = refusals.length - kept.length;
  if (!omitted) return kept;
  const said = say('refusals_omitted', { count: omitted });
  return [...kept, { code: 'refusals_omitted', message: said.message, path: '', key: said.key, params: said.params! }];
}
