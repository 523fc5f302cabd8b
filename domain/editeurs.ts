import { luhnValid } from './finess';
import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';
import type { Actor } from './roles';

/**
 * An éditeur enrolled with the ASP (DOMAIN.md "Éditeurs enrolled"): who it is (SIRET, name), who
 * answers for it (its legal representative), who may act for it (the mandate: the persons whose
 * accounts submit its bank details) and its VAT attestation (a PDF stored like a VA's). Its bank
 * details are kept apart (domain/bank-details.ts): they change by four eyes.
 */
export interface Enrolment {
  editeurId: string;
  siret: string;
  name: string;
  legalRepresentative: { name: string; role: string };
  /** the persons who may act for the éditeur: their name, email and the id of their account */
  mandate: MandatePerson[];
  /** the SHA-256 of the VAT attestation's PDF (POST /documents) */
  vatAttestation: string;
}
export interface MandatePerson {
  name: string;
  email: string;
  /** the account a person signs in with, as the audit trail names them (`<éditeur>/<name>` today) */
  personId: string;
}

/** La Poste's SIREN: its establishments' SIRETs follow another rule (the digits' sum is a multiple of 5). */
const LA_POSTE_SIREN = '356000000';

/** A SIRET: 14 digits with INSEE's Luhn key (La Poste's establishments: or the sum of their digits a multiple of 5). */
export function siretValid(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN))
    return luhnValid(siret) || [...siret].reduce((t, d) => t + Number(d), 0) % 5 === 0;
  return luhnValid(siret);
}

const text = (v: unknown, max: number) => typeof v === 'string' && v.trim().length > 0 && v.trim().length <= max;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What is wrong with an enrolment as submitted, each reason at its field. */
export function enrolmentRefusals(e: Partial<Enrolment>, submittedBy: Actor): Refusal[] {
  const refusals: Refusal[] = [];
  const siret = typeof e.siret === 'string' ? e.siret.replace(/\s+/g, '') : '';
  if (!siretValid(siret)) refusals.push(refusalOf('invalid_siret', say('invalid_siret'), 'siret', e.siret));
  if (!text(e.name, 200)) refusals.push(refusalOf('invalid_name', say('enrolment_name_required'), 'name', e.name));
  if (!text(e.legalRepresentative?.name, 200))
    refusals.push(refusalOf('invalid_name', say('legal_representative_required'), 'legalRepresentative.name'));
  if (!text(e.legalRepresentative?.role, 200))
    refusals.push(refusalOf('invalid_name', say('legal_representative_role_required'), 'legalRepresentative.role'));
  const mandate = Array.isArray(e.mandate) ? e.mandate : [];
  if (!mandate.length) refusals.push(refusalOf('mandate_missing', say('mandate_missing'), 'mandate'));
  mandate.forEach((p, i) => {
    if (!text(p?.name, 200))
      refusals.push(refusalOf('invalid_name', say('mandate_name_required'), `mandate.${i}.name`));
    if (typeof p?.email !== 'string' || !EMAIL.test(p.email) || p.email.length > 200)
      refusals.push(refusalOf('invalid_email', say('mandate_email_invalid'), `mandate.${i}.email`, p?.email));
    if (!text(p?.personId, 200))
      refusals.push(refusalOf('invalid_name', say('mandate_person_required'), `mandate.${i}.personId`));
  });
  // who submits the enrolment acts for the éditeur: the mandate names them
  if (mandate.length && !mandate.some((p) => p?.personId === submittedBy.id))
    refusals.push(refusalOf('not_in_mandate', say('submitter_not_in_mandate'), 'mandate', submittedBy.id));
  if (typeof e.vatAttestation !== 'string' || !/^[0-9a-f]{64}$/.test(e.vatAttestation))
    refusals.push(refusalOf('document_missing', say('vat_attestation_missing'), 'vatAttestation', e.vatAttestation));
  return refusals;
}

/** Whether a person may act for an éditeur in money matters (its bank details): the mandate names them. */
export const inMandate = (enrolment: Pick<Enrolment, 'mandate'> | undefined, actor: Actor) =>
  Boolean(enrolment?.mandate.some((p) => p.personId === actor.id));
