import type { Actor } from './roles';
import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';

/**
 * Money decided by four eyes (DOMAIN.md): every money effect is first proposed — by a rule of a
 * lifecycle or by a person — then validated by an ordonnateur who neither proposed it nor recorded the
 * event that caused it; above the campaign's threshold by two different ordonnateurs. A rejection
 * carries its reason. Plain types and pure rules: workflow code imports them.
 */
export const proposalKinds = ['advance', 'balance', 'reimbursement', 'recovery', 'writeOff'] as const;
export type ProposalKind = (typeof proposalKinds)[number];

export interface Proposal {
  /** `<kind>` or `<kind>:<attempt>`: unique within its process */
  id: string;
  kind: ProposalKind;
  amountCents: number;
  /** the engine (a rule of the lifecycle) or a person */
  proposedBy: Actor;
  /** who recorded the event that made it due: they may not validate it either */
  causedBy?: Actor;
  at: string;
  /** 1, or 2 above the campaign's threshold */
  validationsNeeded: number;
  validations: { by: Actor; at: string; eventId: string }[];
  state: 'proposed' | 'validated' | 'rejected' | 'withdrawn';
  rejection?: { by: Actor; at: string; reason: string; eventId: string };
  /** why it was withdrawn (a cancellation, a deadline passed before its validation) */
  withdrawn?: string;
  /** what its effect needs beyond its amount: the demand's reason, how the BDC ends once it is settled */
  details?: { reason?: string; endsAs?: 'reimbursed' | 'completed' };
}

/** Above this, two different ordonnateurs validate (campaign data; DOMAIN.md's default: 50 000 €). */
export const DEFAULT_FOUR_EYES_THRESHOLD_CENTS = 5_000_000;

export const validationsNeeded = (amountCents: number, thresholdCents = DEFAULT_FOUR_EYES_THRESHOLD_CENTS) =>
  amountCents > thresholdCents ? 2 : 1;

export interface ProposalValidation {
  eventId: string;
  actor: Actor;
  proposalId: string;
}
export interface ProposalRejection extends ProposalValidation {
  reason: string;
}

/** A person is the same whoever the role they act in: their id names them. */
const samePerson = (a: Actor | undefined, b: Actor) => a !== undefined && a.role !== 'system' && a.id === b.id;

/** Who may validate or reject a proposal, and when (the one rule of four eyes, for every process). */
export function decisionRefusals(proposals: Proposal[] | undefined, e: ProposalValidation): Refusal[] {
  const p = proposals?.find((x) => x.id === e.proposalId);
  if (!p)
    return [refusalOf('not_found', say('proposal_unknown', { proposalId: e.proposalId }), 'proposalId', e.proposalId)];
  if (p.state !== 'proposed')
    return [refusalOf('wrong_state', say('proposal_decided', { state: p.state }), 'proposalId', e.proposalId)];
  if (e.actor.role !== 'ordonnateur')
    return [refusalOf('not_ordonnateur', say('not_ordonnateur'), 'actor', e.actor.role)];
  if (samePerson(p.proposedBy, e.actor)) return [refusalOf('own_proposal', say('own_proposal'), 'actor', e.actor.id)];
  if (samePerson(p.causedBy, e.actor)) return [refusalOf('caused_it', say('caused_it'), 'actor', e.actor.id)];
  if (p.validations.some((v) => samePerson(v.by, e.actor)))
    return [refusalOf('already_validated', say('already_validated'), 'actor', e.actor.id)];
  return [];
}

/** The proposal awaiting validation, if any. */
export const pendingProposal = (proposals: Proposal[] | undefined) => proposals?.find((p) => p.state === 'proposed');
