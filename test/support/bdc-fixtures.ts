import { randomUUID } from 'node:crypto';
import type { Actor, BdcRequest, VaSubmission } from '../../domain/bdc';
import { withCheckDigit } from '../../domain/finess';
import { shippedCampaigns } from '../../domain/campaigns';
import { vaDocument } from '../../scripts/va-document';
import type { Campaign } from '../../domain/campaign';

export const operator: Actor = { role: 'operator', id: 'asp-operator-1' };
export const editeurActor = (id: string): Actor => ({ role: 'editeur', id });

let serial = 0;
/** A fresh, valid FINESS number (département 75) that no other test uses. */
export function freshFiness(): string {
  serial += 1;
  const unique = (process.pid % 1000) * 10_000 + serial;
  return withCheckDigit(`75${String(unique).padStart(6, '0').slice(-6)}`);
}

export const event = (actor: Actor = operator) => ({ eventId: randomUUID(), actor });

/** A vague-1 MS1 order, with dates moved as each test needs. */
export function bdcRequest(overrides: Partial<BdcRequest> = {}): BdcRequest {
  return {
    editeurId: 'editeur-acme',
    reference: `BDC-${randomUUID().slice(0, 8)}`,
    campaignId: 'vague1-ms1',
    solutionId: 'acme-dui-5',
    ogFiness: freshFiness(),
    essms: [freshFiness(), freshFiness()],
    orderDate: '2023-10-02',
    solutionReferenced: true,
    ...overrides,
  };
}

export function campaign(id = 'vague1-ms1', overrides: Partial<Campaign> = {}): Campaign {
  const found = shippedCampaigns.find((c) => c.id === id);
  if (!found) throw new Error(id);
  return { ...found, ...overrides };
}

/** A VA that satisfies every check for the BDC's ESSMS, signed (and received) at `signedAt`. */
export function validVa(request: BdcRequest, signedAt: string, invoiceCents: number, actor = editeurActor(request.editeurId)): VaSubmission {
  return { eventId: randomUUID(), actor, receivedAt: signedAt, ...vaDocument(request, signedAt, invoiceCents) };
}

/** The body an éditeur POSTs to /bdcs/:id/va: the API adds the actor and the reception instant. */
export function vaRequestBody(request: BdcRequest, signedAt: string, invoiceCents: number) {
  return { eventId: randomUUID(), ...vaDocument(request, signedAt, invoiceCents) };
}
