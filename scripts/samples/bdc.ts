import { randomUUID } from 'node:crypto';
import type { BdcRequest } from '../../domain/bdc-view';
import type { VaDocument } from '../../domain/va';
import { withCheckDigit } from '../../domain/finess';

/** Sample orders and VAs for the tests, the benchmarks and the demo. */

let serial = 0;
/**
 * A fresh, valid FINESS number that nothing else in this process uses: a département from the
 * process id, then a counter (a million numbers per département).
 */
export function freshFiness(): string {
  serial += 1;
  const departement = 21 + ((process.pid + Math.floor(serial / 1_000_000)) % 60);
  return withCheckDigit(`${departement}${String(serial % 1_000_000).padStart(6, '0')}`);
}

/** A vague-1 MS1 order of two ESSMS, with whatever the caller overrides. */
export function sampleBdcRequest(overrides: Partial<BdcRequest> = {}): BdcRequest {
  const editeurId = overrides.editeurId ?? 'editeur-acme';
  return {
    editeurId,
    reference: `BDC-${randomUUID().slice(0, 8)}`,
    campaignId: 'vague1-ms1',
    // a solution is its éditeur's (the registry refuses another éditeur's)
    solutionId: `${editeurId.replace(/^editeur-/, '')}-dui-5`,
    ogFiness: freshFiness(),
    essms: [freshFiness(), freshFiness()],
    orderDate: '2023-10-02',
    solutionReferenced: true,
    ...overrides,
  };
}

/** A VA and invoice that satisfy every check for a BDC's ESSMS. */
export function vaDocument(
  request: Pick<BdcRequest, 'essms' | 'ogFiness'>,
  signedAt: string,
  invoiceCents: number,
): VaDocument {
  return {
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
    invoice: {
      number: `F-${randomUUID().slice(0, 6)}`,
      ogFiness: request.ogFiness,
      amountCents: invoiceCents,
      issuedOn: signedAt.slice(0, 10),
    },
  };
}

/** The body an éditeur POSTs to /bdcs/:id/va: the API adds the actor and the reception instant. */
export function vaRequestBody(request: Pick<BdcRequest, 'essms' | 'ogFiness'>, signedAt: string, invoiceCents: number) {
  return { eventId: randomUUID(), ...vaDocument(request, signedAt, invoiceCents) };
}
