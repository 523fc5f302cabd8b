import { say } from '../domain/messages';
import { batchEventId, scopedEventId } from '../domain/ids';
import { parseOrRefuse, refuse, refusalOf, RefusedError, type Refusal } from '../domain/refusal';
import { displayNameSchema } from '../domain/schemas';
import { z } from 'zod';
import type { Solution } from '../db/solutions';
import { startBatch } from './batches';
import { sendBdcEvent } from '../temporal/bdc-gateway';
import { bdcMessages } from '../contract/bdc';
import { bdcState, onDay, visibleBdc } from './bdc-events';
import { nowOf, type Caller, type EngineContext } from './context';
import { parisCivilDate } from '../domain/calendar';
import { civilDateFr } from '../domain/french';

export interface DecisionRequest {
  eventId: string;
  decision: 'granted' | 'refused';
  decidedOn: string;
}

const decisionDateRefusals = async (ctx: EngineContext, body: Pick<DecisionRequest, 'decidedOn'>) =>
  body.decidedOn > parisCivilDate(new Date(await nowOf(ctx)))
    ? [refusalOf('in_future', say('decision_in_future'), 'decidedOn', body.decidedOn)]
    : [];

/**
 * What a solution's decision would do, before a person confirms it: the rules decideSolution and the
 * registry apply (a date not after today; a solution decided otherwise is not decided again), and how
 * many BDCs its batch would reach — the batch's own selector, counted now.
 */
export async function solutionDecisionPlan(
  ctx: EngineContext,
  solutionId: string,
  body: Pick<DecisionRequest, 'decision' | 'decidedOn'>,
): Promise<{ refusals: Refusal[]; bdcs: number }> {
  const refusals: Refusal[] = await decisionDateRefusals(ctx, body);
  const current = await ctx.solutions.get(solutionId);
  if (current && current.state !== 'pending' && current.state !== body.decision)
    refusals.push(
      refusalOf(
        'solution_already_decided',
        say('solution_already_decided', {
          solutionId,
          state: current.state,
          decidedOn: current.decidedOn ?? '',
          eventId: current.decisionEventId ?? '',
        }),
        'decision',
        body.decision,
      ),
    );
  const bdcs = await ctx.queries.batchCount({ solutionId, status: 'awaiting_referencement' });
  return { refusals, bdcs };
}

/**
 * The ANS's decision for a solution: recorded in the registry (BDCs registered from now on follow
 * it at once), then delivered by a durable batch to every BDC waiting on the solution.
 */
export async function decideSolution(
  ctx: EngineContext,
  caller: Caller,
  solutionId: string,
  body: DecisionRequest,
  editeurId?: string,
): Promise<{ solution: Solution; batchId: string }> {
  // a decision dated after today (Paris) is refused before anything is recorded or sent
  const [inFuture] = await decisionDateRefusals(ctx, body);
  if (inFuture) throw new RefusedError([inFuture]);
  const eventId = scopedEventId(caller.scope, body.eventId);
  const { solution } = await ctx.solutions.decide(solutionId, {
    decision: body.decision,
    decidedOn: body.decidedOn,
    eventId,
    actor: caller.actor.id,
    editeurId,
  });
  const batchId = await startBatch(
    ctx,
    {
      batchId: `referencement-${solutionId}-${solution.state}`,
      kind: 'referencement',
      selector: { solutionId, status: 'awaiting_referencement' },
      event: {
        update: 'referencementDecided',
        payload: {
          actor: caller.actor,
          decision: solution.state,
          decidedAt: onDay(solution.decidedOn ?? body.decidedOn),
        },
      },
      params: {
        solutionId,
        decision: solution.state,
        decidedOn: solution.decidedOn,
        eventId: solution.decisionEventId,
      },
    },
    `Référencement de la solution ${solutionId} : ${solution.state === 'granted' ? 'accordé' : 'refusé'} le ${civilDateFr(solution.decidedOn ?? body.decidedOn)}`,
  );
  return { solution, batchId };
}

/**
 * A decision recorded from one of the solution's BDCs: it is the solution's, every BDC of it follows.
 * This BDC gets it at once — the very event the batch sends it, which then finds it already there —
 * and answers its state.
 */
export async function decideForBdc(ctx: EngineContext, caller: Caller, bdcId: string, body: DecisionRequest) {
  await visibleBdc(ctx, caller, bdcId);
  const bdc = await ctx.records.get(bdcId);
  if (!bdc) throw refuse('not_found', say('unknown_bdc_in_record', { bdcId }), 'bdcId');
  const { solution, batchId } = await decideSolution(ctx, caller, bdc.request.solutionId, body, bdc.request.editeurId);
  await sendBdcEvent(ctx.client, bdcId, bdcMessages.referencementDecided, {
    eventId: batchEventId(batchId, bdcId),
    actor: caller.actor,
    decision: solution.state as 'granted' | 'refused',
    decidedAt: onDay(solution.decidedOn ?? body.decidedOn),
  });
  return bdcState(ctx, caller, bdcId);
}

/** The solutions a caller sees: an éditeur its own, the ASP every one; each with its state and name. */
export const listSolutions = (ctx: EngineContext, caller: Caller) => ctx.solutions.list(caller.editeurId);

/** The names solutions are known by, by id: the console labels solutions with them. */
export const solutionNames = (ctx: EngineContext) => ctx.solutions.names();

/**
 * An éditeur names one of its solutions (or renames it): the name people read wherever its id was.
 * Only the éditeur that owns it names it; another's solution answers as an unknown one.
 */
export async function nameSolution(ctx: EngineContext, caller: Caller, solutionId: string, raw: string) {
  const solution = await ctx.solutions.get(solutionId);
  if (!solution || caller.actor.role !== 'editeur' || solution.editeurId !== caller.editeurId)
    throw refuse('not_found', say('unknown_solution', { solutionId }), 'solutionId', solutionId);
  const name = parseOrRefuse(z.object({ name: displayNameSchema }), { name: raw }).name;
  await ctx.solutions.name(solutionId, name, caller.actor.id);
  return { ...solution, name };
}
