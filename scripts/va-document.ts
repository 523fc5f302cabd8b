import { randomUUID } from 'node:crypto';
import type { BdcRequest, VaSubmission } from '../domain/bdc';

/** A VA and invoice that satisfy every check for a BDC's ESSMS (tests and the demo). */
export function vaDocument(request: Pick<BdcRequest, 'essms' | 'ogFiness'>, signedAt: string, invoiceCents: number): Pick<VaSubmission, 'va' | 'invoice'> {
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
    invoice: { number: `F-${randomUUID().slice(0, 6)}`, ogFiness: request.ogFiness, amountCents: invoiceCents, issuedOn: signedAt.slice(0, 10) },
  };
}
