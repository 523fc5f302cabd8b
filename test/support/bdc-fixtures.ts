import { randomUUID } from 'node:crypto';
import type { Actor, BdcRequest, VaSubmission } from '../../domain/bdc';
import { withCheckDigit } from '../../domain/finess';
import { shippedCampaigns } from '../../domain/campaigns';
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

/** A VA that satisfies every check for the BDC's ESSMS, signed at `signedAt`. */
export function validVa(request: BdcRequest, signedAt: string, invoiceCents: number, actor = editeurActor(request.editeurId)): VaSubmission {
  return {
    eventId: randomUUID(),
    actor,
    receivedAt: signedAt,
    va: {
      signedAt,
      signature: 'pro-sante-connect',
      essms: request.essms.map((finess) => ({
        finess,
        duiDeployed: true,
        tbb1: { 'TBB.1.1': 12, 'TBB.1.2': 3 },
        esmsNumerique: { activeRecordsRate: 92.5, activeRecordsWithProjectRate: 61, activeRecordsWithEventRate: 88 },
      })),
    },
    invoice: { number: `F-${randomUUID().slice(0, 6)}`, ogFiness: request.ogFiness, amountCents: invoiceCents, issuedOn: signedAt.slice(0, 10) },
  };
}

/** The body an éditeur POSTs to /bdcs/:id/va: the API adds the actor and the reception instant. */
export function vaRequestBody(request: BdcRequest, signedAt: string, invoiceCents: number) {
  const { actor, receivedAt, ...body } = validVa(request, signedAt, invoiceCents);
  return body;
}
