import { ApiClient } from '../../cli/api-client';
import { sampleBankDetails, sampleEditeurName, samplePdf, sampleSiret } from './enrolment';

/** Who enrols an éditeur over the API: its person (a token of the éditeur), and an ordonnateur who validates its bank details. */
export interface EnrolmentPeople {
  url: string;
  editeurId: string;
  editeurToken: string;
  /** the éditeur person's id, as its mandate names it (`<éditeur>/<token name>` for a token) */
  editeurPerson: string;
  ordonnateurToken: string;
}

type BankDetails = { id: number; state: string };

/**
 * Enrols an éditeur as the ASP requires before any order is validated for it (DOMAIN.md "Éditeurs
 * enrolled"), through the very routes its people use: its person uploads the VAT attestation, enrols it
 * (SIRET, legal representative, mandate naming that person) and proposes its bank details; an
 * ordonnateur validates them (four eyes). For the demo, the drill, the topology and the benchmarks;
 * nothing is sent again when the éditeur can be paid already. Answers whether it enrolled it now.
 */
export async function enrolOverApi(p: EnrolmentPeople, stamp: string): Promise<boolean> {
  const editeur = new ApiClient(p.url, p.editeurToken);
  const path = `/editeurs/${encodeURIComponent(p.editeurId)}`;
  const before = await editeur.request<{ enrolment?: unknown; bankDetails: BankDetails[]; payable: boolean }>(
    'GET',
    path,
  );
  if (before.payable) return false;
  if (!before.enrolment) {
    const uploaded = await fetch(`${p.url}/documents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${p.editeurToken}`,
        'content-type': 'application/pdf',
        'x-file-name': 'attestation-tva.pdf',
      },
      body: new Uint8Array(samplePdf(`Attestation de TVA ${p.editeurId}`)),
    });
    if (!uploaded.ok) throw new Error(`the VAT attestation was refused (${uploaded.status})`);
    const { sha256 } = (await uploaded.json()) as { sha256: string };
    await editeur.request('PUT', `${path}/enrolment`, {
      eventId: `enrolment-${stamp}`,
      siret: sampleSiret(p.editeurId),
      name: sampleEditeurName(p.editeurId),
      legalRepresentative: { name: 'Camille Martin', role: 'Présidente' },
      mandate: [{ name: 'DSI', email: `dsi@${p.editeurId}.example`, personId: p.editeurPerson }],
      vatAttestation: sha256,
    });
  }
  const proposed =
    before.bankDetails.find((d) => d.state === 'proposed') ??
    (
      await editeur.request<{ bankDetails: BankDetails }>('POST', `${path}/bank-details`, {
        eventId: `bank-details-${stamp}`,
        ...sampleBankDetails,
        holder: sampleEditeurName(p.editeurId).slice(0, 70),
      })
    ).bankDetails;
  await new ApiClient(p.url, p.ordonnateurToken).request('POST', `${path}/bank-details/${proposed.id}/validation`, {
    eventId: `bank-details-validated-${stamp}`,
  });
  return true;
}
