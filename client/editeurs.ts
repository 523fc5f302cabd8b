import { requireSecondFactor } from './second-factor';
import { bankDetailsRefusals, ibanOf, type BankDetails } from '../domain/bank-details';
import { enrolmentRefusals, inMandate, type Enrolment } from '../domain/editeurs';
import { scopedEventId } from '../domain/ids';
import { say } from '../domain/messages';
import { bankDetailsDecisionRefusals } from '../domain/payments';
import { refuse, refusalOf, RefusedError } from '../domain/refusal';
import { Documents } from '../db/documents';
import { enrolledForPayment, type BankDetailsRecord, type EnrolmentRecord } from '../db/editeurs';
import type { Caller, EngineContext } from './context';

/**
 * Éditeurs enrolled (DOMAIN.md "Éditeurs enrolled"): a person of the éditeur enrols it and proposes
 * its bank details; an ordonnateur who did not propose them validates or rejects them (four eyes),
 * dated and journaled. Database transactions, not a workflow: nothing here waits on time, and the rule
 * is one check under the row's lock (db/editeurs.ts).
 */

/** An éditeur acts for itself only: another's (or an unknown one) is "not found". */
function ownEditeur(caller: Caller, editeurId: string): void {
  if (caller.editeurId !== undefined && caller.editeurId !== editeurId)
    throw refuse('not_found', say('editeur_unknown', { editeurId }), 'editeurId', editeurId);
}

export interface EditeurFile {
  editeurId: string;
  enrolment?: EnrolmentRecord;
  /** its bank details, newest first: the one in force, one awaiting validation, those superseded or rejected */
  bankDetails: BankDetailsRecord[];
  /** enrolled with bank details in force: orders may be validated and paid for it */
  payable: boolean;
}

/** An éditeur's enrolment and bank details, for itself or the ASP's people. */
export async function editeurFile(ctx: EngineContext, caller: Caller, editeurId: string): Promise<EditeurFile> {
  ownEditeur(caller, editeurId);
  const [enrolment, bankDetails, payable] = await Promise.all([
    ctx.editeurs.enrolment(editeurId),
    ctx.editeurs.bankDetailsHistory(editeurId),
    enrolledForPayment(ctx.sql, editeurId),
  ]);
  return { editeurId, ...(enrolment ? { enrolment } : {}), bankDetails, payable };
}

export const listEditeurs = (ctx: EngineContext) => ctx.editeurs.list();

/** Of these éditeurs, those no order may be validated for yet (no enrolment with bank details in force). */
export async function unpayableEditeurs(ctx: EngineContext, editeurIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(editeurIds)];
  const payable = await Promise.all(ids.map((id) => enrolledForPayment(ctx.sql, id)));
  return new Set(ids.filter((_, i) => !payable[i]));
}

/** An éditeur as people name it: its name as enrolled, or its id when it has no enrolment yet. */
export interface KnownEditeur {
  editeurId: string;
  name?: string;
}

/** Every éditeur the programme knows, by name (an OG's form, the lists that show names). */
export const knownEditeurs = (ctx: EngineContext): Promise<KnownEditeur[]> => ctx.editeurs.known();

/** The changes of bank details that await an ordonnateur. */
export const bankDetailsAwaiting = (ctx: EngineContext) => ctx.editeurs.bankDetailsProposed();

/**
 * A person of the éditeur enrols it, or sends a new version of its enrolment: every field checked,
 * the VAT attestation one of its own uploads, the person named by the mandate — and, once enrolled,
 * by the mandate in force (nobody outside it rewrites who acts for the éditeur).
 */
export async function enrol(
  ctx: EngineContext,
  caller: Caller,
  editeurId: string,
  raw: Omit<Enrolment, 'editeurId'> & { eventId: string },
): Promise<EnrolmentRecord> {
  ownEditeur(caller, editeurId);
  const { eventId, ...fields } = raw;
  const enrolment: Enrolment = { ...fields, editeurId, siret: String(fields.siret ?? '').replace(/\s+/g, '') };
  const refusals = enrolmentRefusals(enrolment, caller.actor);
  const current = await ctx.editeurs.enrolment(editeurId);
  if (current && !inMandate(current, caller.actor))
    refusals.push(refusalOf('not_in_mandate', say('submitter_not_in_mandate'), 'mandate', caller.actor.id));
  if (
    !refusals.some((r) => r.path === 'vatAttestation') &&
    !(await new Documents(ctx.sql).uploadOf(enrolment.vatAttestation, editeurId))
  )
    refusals.push(
      refusalOf('document_unknown', say('document_unknown', { sha256: enrolment.vatAttestation }), 'vatAttestation'),
    );
  if (refusals.length) throw new RefusedError(refusals);
  return ctx.editeurs.enrol(enrolment, caller.actor, scopedEventId(caller.scope, eventId));
}

/**
 * A person of the mandate proposes the éditeur's bank details (a first set or a change): the IBAN's
 * check digits and SEPA country, the BIC, the holder checked (ibantools); in force only once an
 * ordonnateur validated them.
 */
export async function proposeBankDetails(
  ctx: EngineContext,
  caller: Caller,
  editeurId: string,
  raw: BankDetails & { eventId: string },
): Promise<BankDetailsRecord> {
  ownEditeur(caller, editeurId);
  const refusals = bankDetailsRefusals(raw);
  if (refusals.length) throw new RefusedError(refusals);
  const enrolment = await ctx.editeurs.enrolment(editeurId);
  if (!enrolment) throw refuse('not_enrolled', say('enrolment_first'), 'editeurId', editeurId);
  if (!inMandate(enrolment, caller.actor))
    throw refuse('not_in_mandate', say('bank_details_not_in_mandate'), 'actor', caller.actor.id);
  const details = { iban: ibanOf(raw.iban), bic: raw.bic.trim().toUpperCase(), holder: raw.holder.trim() };
  const { record } = await ctx.editeurs.proposeBankDetails(
    editeurId,
    details,
    caller.actor,
    scopedEventId(caller.scope, raw.eventId),
  );
  return record;
}

/**
 * An ordonnateur's decision on proposed bank details (four eyes: never the person who proposed them):
 * validated, they are in force from now — the orders validated before and not yet released are
 * flagged to the comptables, and every later run pays to them; rejected, with the reason.
 */
export async function decideBankDetails(
  ctx: EngineContext,
  caller: Caller,
  editeurId: string,
  id: number,
  d: { eventId: string } & ({ decision: 'validated' } | { decision: 'rejected'; reason: string }),
): Promise<BankDetailsRecord> {
  // where money goes is decided with a second factor (client/second-factor.ts)
  requireSecondFactor(caller);
  const by = caller.actor;
  const eventId = scopedEventId(caller.scope, d.eventId);
  return ctx.editeurs.decideBankDetails(
    editeurId,
    id,
    d.decision === 'validated' ? { by, eventId, validate: true } : { by, eventId, validate: false, reason: d.reason },
    (current) => {
      const refusals = bankDetailsDecisionRefusals(current, by, id);
      if (refusals.length) throw new RefusedError(refusals);
    },
  );
}
