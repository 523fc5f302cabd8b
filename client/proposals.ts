import { requireSecondFactor } from './second-factor';
import type { UpdateDefinition } from '@temporalio/common';
import { bdcMessages } from '../contract/bdc';
import { controlMessages } from '../contract/control';
import type { Actor } from '../domain/roles';
import type { EventAnswer } from '../domain/bdc-view';
import type { ControlAnswer } from '../domain/control-view';
import type { Proposal, ProposalKind, ProposalRejection, ProposalValidation } from '../domain/proposals';
import { scopedEventId } from '../domain/ids';
import { say } from '../domain/messages';
import { refuse } from '../domain/refusal';
import { EventIds } from '../db/event-ids';
import { sendEvent } from '../temporal/bdc-gateway';
import type { Caller, EngineContext } from './context';

/** A proposal as the ordonnateurs' list shows it: where it is, what it is, who proposed it, who validated it. */
export interface ListedProposal extends Omit<Proposal, 'details' | 'at'> {
  process: 'bdc' | 'control';
  processId: string;
  bdcId: string;
  editeurId: string;
  reference: string;
  proposedAt: string;
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));

/** The money proposals, from the record (never from Temporal's visibility): oldest first. */
export async function listProposals(
  ctx: EngineContext,
  filter: {
    state?: Proposal['state'];
    kind?: ProposalKind;
    bdcId?: string;
    editeurId?: string;
    limit?: number;
    one?: { process: string; processId: string; proposalId: string };
  } = {},
): Promise<ListedProposal[]> {
  const rows = await ctx.sql.query(
    `SELECT p.*, b.editeur_id, b.reference FROM money_proposals p JOIN bdcs b USING (bdc_id)
     WHERE ($1::text IS NULL OR p.state = $1) AND ($2::text IS NULL OR p.kind = $2) AND ($3::text IS NULL OR p.bdc_id = $3)
       AND ($4::text IS NULL OR b.editeur_id = $4)
       AND ($6::text IS NULL OR (p.process = $6 AND p.process_id = $7 AND p.proposal_id = $8))
     ORDER BY p.proposed_at, p.process_id, p.proposal_id LIMIT $5`,
    [
      filter.state ?? null,
      filter.kind ?? null,
      filter.bdcId ?? null,
      filter.editeurId ?? null,
      filter.limit ?? 500,
      filter.one?.process ?? null,
      filter.one?.processId ?? null,
      filter.one?.proposalId ?? null,
    ],
  );
  return rows.map((r) => ({
    process: r.process as 'bdc' | 'control',
    processId: String(r.process_id),
    id: String(r.proposal_id),
    bdcId: String(r.bdc_id),
    editeurId: String(r.editeur_id),
    reference: String(r.reference),
    kind: r.kind as ProposalKind,
    amountCents: Number(r.amount_cents),
    state: r.state as Proposal['state'],
    proposedAt: iso(r.proposed_at),
    proposedBy: parse<Actor>(r.proposed_by),
    ...(r.caused_by ? { causedBy: parse<Actor>(r.caused_by) } : {}),
    validationsNeeded: Number(r.validations_needed),
    validations: parse<Proposal['validations']>(r.validations),
    ...(r.rejection ? { rejection: parse<NonNullable<Proposal['rejection']>>(r.rejection) } : {}),
  }));
}

type Decision = { process: 'bdc' | 'control'; processId: string; proposalId: string; eventId: string };

/** Sends an ordonnateur's decision to the process holding the proposal; answers once it is recorded. */
async function decide<E extends ProposalValidation>(
  ctx: EngineContext,
  caller: Caller,
  d: Decision,
  updates: { bdc: UpdateDefinition<EventAnswer, [E]>; control: UpdateDefinition<ControlAnswer, [E]> },
  rest: Omit<E, 'eventId' | 'actor' | 'proposalId'>,
): Promise<void> {
  requireSecondFactor(caller);
  const [known] = await ctx.sql.query(
    'SELECT 1 FROM money_proposals WHERE process = $1 AND process_id = $2 AND proposal_id = $3',
    [d.process, d.processId, d.proposalId],
  );
  if (!known)
    throw refuse('not_found', say('proposal_unknown', { proposalId: d.proposalId }), 'proposalId', d.proposalId);
  const eventId = scopedEventId(caller.scope, d.eventId);
  const event = { ...rest, eventId, actor: caller.actor, proposalId: d.proposalId } as E;
  await new EventIds(ctx.sql).claim(eventId, d.processId, updates[d.process].name);
  if (d.process === 'bdc') await sendEvent(ctx.client, d.processId, updates.bdc, event);
  else await sendEvent(ctx.client, d.processId, updates.control, event);
}

/** One proposal as listed, once an ordonnateur's decision is recorded. */
export const proposalAfter = async (ctx: EngineContext, d: Decision) => (await listProposals(ctx, { one: d }))[0]!;

export const validateProposal = (ctx: EngineContext, caller: Caller, d: Decision) =>
  decide<ProposalValidation>(
    ctx,
    caller,
    d,
    { bdc: bdcMessages.proposalValidated, control: controlMessages.proposalValidated },
    {},
  );

export const rejectProposal = (ctx: EngineContext, caller: Caller, d: Decision & { reason: string }) =>
  decide<ProposalRejection>(
    ctx,
    caller,
    d,
    { bdc: bdcMessages.proposalRejected, control: controlMessages.proposalRejected },
    { reason: d.reason },
  );
