import fs from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../cli/api-client';
import { eurosFr } from '../domain/french';
import { sampleBankDetails, samplePdf, sampleSiret } from './samples/enrolment';

/** The demo's people over the API: each a token of `npm start`'s dev credentials. */
export interface DemoPeople {
  url: string;
  editeur: string;
  editeurToken: string;
  /** its actor's id, as the mandate names it (`<éditeur>/<token name>`) */
  editeurPerson: string;
  ordonnateur: ApiClient;
  comptable: ApiClient;
}

type BankDetails = { id: number; state: string; iban: string };
type Order = { id: number; bdcId: string; kind: string; amountCents: number; validatedBy: { id: string }[] };

/**
 * The demo's money from validated to released (DOMAIN.md "Paying"): the éditeur enrols (SIRET, legal
 * representative, mandate, VAT attestation) and proposes its bank details, an ordonnateur validates
 * them, then a comptable releases every validated order of the éditeur as one payment run and its
 * pain.001 file is written beside the engine's data. Answers the file's path and what it pays.
 */
export async function demoPaymentRun(people: DemoPeople, stamp: string, dataDir: string, say: (l: string) => void) {
  const editeur = new ApiClient(people.url, people.editeurToken);
  const attestation = samplePdf(`Attestation de TVA ${people.editeur}`);
  const uploaded = await fetch(`${people.url}/documents`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${people.editeurToken}`,
      'content-type': 'application/pdf',
      'x-file-name': 'attestation-tva.pdf',
    },
    body: new Uint8Array(attestation),
  });
  const { sha256 } = (await uploaded.json()) as { sha256: string };
  await editeur.request('PUT', `/editeurs/${people.editeur}/enrolment`, {
    eventId: `demo-enrolment-${stamp}`,
    siret: sampleSiret(people.editeur),
    name: 'Éditeur de la démonstration',
    legalRepresentative: { name: 'Camille Martin', role: 'Présidente' },
    mandate: [{ name: 'DSI', email: `dsi@${people.editeur}.example`, personId: people.editeurPerson }],
    vatAttestation: sha256,
  });
  say(`   ${people.editeur} enrolled (SIRET ${sampleSiret(people.editeur)}, VAT attestation ${sha256.slice(0, 12)}…)`);

  const { bankDetails } = await editeur.request<{ bankDetails: BankDetails[] }>('GET', `/editeurs/${people.editeur}`);
  if (!bankDetails.some((d) => d.state === 'valid')) {
    const proposed = await editeur.request<{ bankDetails: BankDetails }>(
      'POST',
      `/editeurs/${people.editeur}/bank-details`,
      {
        eventId: `demo-bank-details-${stamp}`,
        ...sampleBankDetails,
        holder: 'Éditeur de la démonstration',
      },
    );
    await people.ordonnateur.request(
      'POST',
      `/editeurs/${people.editeur}/bank-details/${proposed.bankDetails.id}/validation`,
      { eventId: `demo-bank-details-validated-${stamp}` },
    );
    say(`   bank details ${sampleBankDetails.iban} proposed by the éditeur, validated by an ordonnateur (four eyes)`);
  } else say('   bank details already in force');

  const { orders } = await people.comptable.request<{ orders: Order[] }>(
    'GET',
    `/payment-orders?state=validated&editeurId=${encodeURIComponent(people.editeur)}`,
  );
  if (!orders.length) {
    say('   no validated order to release');
    return undefined;
  }
  const runId = `demo-run-${stamp}`;
  const { run } = await people.comptable.request<{
    run: { runId: string; controlSumCents: number; transfers: number };
  }>('POST', '/payment-runs', { runId, orderIds: orders.map((o) => o.id) });
  const file = path.join(dataDir, 'payment-runs', `${runId}.xml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await people.comptable.download(`/payment-runs/${encodeURIComponent(runId)}/file`, file);
  for (const o of orders)
    say(
      `   ${o.bdcId.padEnd(40)} ${o.kind.padEnd(8)} ${eurosFr(o.amountCents).padStart(12)}  validated by ${o.validatedBy.map((v) => v.id).join(' and ')}`,
    );
  say(
    `   run ${run.runId} released by the comptable: ${run.transfers} transfer(s), ${eurosFr(run.controlSumCents)} — its pain.001.001.09 file: ${file}`,
  );
  return file;
}
