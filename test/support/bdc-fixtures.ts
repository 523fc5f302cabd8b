import { randomUUID } from 'node:crypto';
import type { Actor, BdcRequest } from '../../domain/bdc-view';
import type { VaSubmission } from '../../domain/va';
import { shippedCampaigns } from '../../domain/campaigns';
import { sampleBdcRequest, vaDocument } from '../../scripts/samples/bdc';
import type { Campaign } from '../../domain/campaign';
import { bdcLabelOf } from '../../domain/ids';
import { sampleEditeurName } from '../../scripts/samples/enrolment';
import { importCells } from '../../domain/bdc-import';

export const operator: Actor = { role: 'operator', id: 'asp-operator-1' };
export const editeurActor = (id: string): Actor => ({ role: 'editeur', id });

export { freshFiness, vaRequestBody } from '../../scripts/samples/bdc';

export const event = (actor: Actor = operator) => ({ eventId: randomUUID(), actor });

/** A vague-1 MS1 order, with dates moved as each test needs. */
export const bdcRequest = sampleBdcRequest;

export function campaign(id = 'vague1-ms1', overrides: Partial<Campaign> = {}): Campaign {
  const found = shippedCampaigns.find((c) => c.id === id);
  if (!found) throw new Error(id);
  return { ...found, ...overrides };
}

/** A VA that satisfies every check for the BDC's ESSMS, signed (and received) at `signedAt`. */
export function validVa(
  request: BdcRequest,
  signedAt: string,
  invoiceCents: number,
  actor = editeurActor(request.editeurId),
): VaSubmission {
  return { eventId: randomUUID(), actor, receivedAt: signedAt, ...vaDocument(request, signedAt, invoiceCents) };
}

/** A BDC as the console's pages name it: its reference and its éditeur's name, as the harness enrols it. */
export const shownLabel = (bdcId: string) =>
  bdcLabelOf(bdcId, new Map(['editeur-acme', 'editeur-rival'].map((e) => [e, sampleEditeurName(e)])));

/** A registration as a bulk file's row (the columns of domain/bdc-import.ts, then the optional ones given). */
export const importRow = (r: BdcRequest, ...optional: string[]) => [...importCells(r), ...optional].join(';');
