/**
 * Identifiers, one grammar each, shared by every boundary: the API's schemas, the workflow's
 * validators, the ledger's idempotency keys and the token file.
 */

/** éditeur, solution, order reference, token name: letters, digits, ".", "_" or "-", at most 64 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** an event id as a caller sends it: the id characters and ":", at most 128 */
export const CLIENT_EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** an event id as a BDC receives it: `<scope>:<the caller's id>` (see scopedEventId) */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$/;

/**
 * A BDC's id, from its business key. ":" appears in neither part, so two different orders never
 * share an id (`bdc-<editeur>-<reference>` did: a-b + c and a + b-c).
 */
export function bdcIdOf(editeurId: string, reference: string): string {
  return `bdc:${editeurId}:${reference}`;
}

/**
 * What people call a BDC: its order reference, and whose order it is (`bdc:<éditeur>:<reference>` read
 * back) — by the éditeur's name where it is known (its enrolment), else by its id.
 */
export function bdcLabelOf(bdcId: string, editeurNames?: ReadonlyMap<string, string>): string {
  const [, editeurId, reference] = bdcId.split(':');
  return reference && editeurId ? `${reference} (${editeurNames?.get(editeurId) ?? editeurId})` : bdcId;
}

/**
 * The event id a BDC receives for a caller's event: scoped by who sent it, so that no caller can
 * send an id another caller (or a batch) will use — an id is only ever a duplicate of its own
 * sender's. The scope holds no ":", so the first ":" ends it.
 */
export function scopedEventId(scope: string, clientEventId: string): string {
  return `${scope}:${clientEventId}`;
}

/** The event id a batch sends a BDC: scoped by the batch (batches are workflows: their ids are ours). */
export const batchEventId = (batchId: string, bdcId: string) =>
  scopedEventId(`batch.${batchId.replace(/[^A-Za-z0-9_.-]/g, '_')}`, bdcId);
