import { createHash } from 'node:crypto';
import type { BankDetails } from '../../domain/bank-details';
import type { Enrolment } from '../../domain/editeurs';
import { luhnValid } from '../../domain/finess';
import type { Actor } from '../../domain/roles';
import { Documents } from '../../db/documents';
import { Editeurs, enrolledForPayment } from '../../db/editeurs';
import type { Sql } from '../../db/sql';

/**
 * A sample éditeur's enrolment (SIRET, representative, mandate, VAT attestation) and bank details,
 * for the tests, the local engine, the demo and the benchmarks: the ASP enrols every éditeur it pays
 * (DOMAIN.md "Éditeurs enrolled"), so every éditeur a test orders money for is enrolled first.
 */

/** A small but well-formed PDF: an attestation, a VA, an invoice. */
export function samplePdf(title: string): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\ntrailer << /Root 1 0 R >>\n% ${title}\n%%EOF\n`,
  );
}

/** A SIRET with its Luhn key, made from any text (a sample's is the éditeur's id). */
export function sampleSiret(seed: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(seed).digest('hex').slice(0, 12)}`)
    .toString()
    .padStart(13, '0')
    .slice(-13);
  for (let d = 0; d <= 9; d++) if (luhnValid(`${digits}${d}`)) return `${digits}${d}`;
  throw new Error('unreachable: one Luhn key of ten fits');
}

/** The bank details a sample éditeur is paid to, and those it changes to. */
export const sampleBankDetails: BankDetails = { iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPPAR', holder: '' };
export const otherBankDetails: BankDetails = { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP', holder: '' };

/** The person of a sample éditeur who acts for it (its mandate names them). */
export const sampleMandatary = (editeurId: string, name = 'gestion'): Actor => ({
  role: 'editeur',
  id: `${editeurId}/${name}`,
});

/** The names the sample éditeurs enrol under, as a person reads them on a screen. */
export function sampleEditeurName(editeurId: string): string {
  const known: Record<string, string> = {
    'editeur-acme': 'Acmé Santé',
    'editeur-rival': 'Rival Logiciels',
    'editeur-demo': 'Démo Logiciels',
  };
  return known[editeurId] ?? `Éditeur ${editeurId}`;
}

export function sampleEnrolment(
  editeurId: string,
  vatAttestation: string,
  mandate: Actor[] = [sampleMandatary(editeurId)],
): Enrolment {
  return {
    editeurId,
    siret: sampleSiret(editeurId),
    name: sampleEditeurName(editeurId),
    legalRepresentative: { name: 'Camille Martin', role: 'Présidente' },
    mandate: mandate.map((a, i) => ({
      name: `Mandataire ${i + 1}`,
      email: `mandataire${i + 1}@${editeurId}.example`,
      personId: a.id,
    })),
    vatAttestation,
  };
}

/** The ASP's people who enrol a sample éditeur straight in the database (a fixture, four eyes kept). */
const FIXTURE_ORDONNATEUR: Actor = { role: 'ordonnateur', id: 'ordonnateur-inscriptions' };

/**
 * Enrols an éditeur straight in the database — its enrolment, bank details proposed by its mandatary
 * and validated by another person — through the repositories the services use. Nothing when the
 * éditeur can be paid already.
 */
export async function enrolInDatabase(sql: Sql, editeurId: string): Promise<void> {
  if (await enrolledForPayment(sql, editeurId)) return;
  const editeurs = new Editeurs(sql);
  const pdf = samplePdf(`Attestation de TVA ${editeurId}`);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const mandatary = sampleMandatary(editeurId);
  await new Documents(sql).store(
    { sha256, contentType: 'application/pdf', sizeBytes: pdf.length, content: pdf },
    { editeurId, fileName: 'attestation-tva.pdf', uploadedBy: mandatary.id },
  );
  if (!(await editeurs.enrolment(editeurId)))
    await editeurs.enrol(sampleEnrolment(editeurId, sha256), mandatary, `fixture:enrolment:${editeurId}`);
  const { record } = await editeurs.proposeBankDetails(
    editeurId,
    { ...sampleBankDetails, holder: `Editeur ${editeurId}`.slice(0, 70) },
    mandatary,
    `fixture:bank-details:${editeurId}`,
  );
  if (record.state === 'proposed')
    await editeurs.decideBankDetails(
      editeurId,
      record.id,
      { by: FIXTURE_ORDONNATEUR, eventId: `fixture:bank-details-validated:${editeurId}`, validate: true },
      () => undefined,
    );
}
