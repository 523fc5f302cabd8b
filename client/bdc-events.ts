import { WorkflowNotFoundError } from '@temporalio/client';
import type { BdcView } from '../domain/bdc-view';
import type { VaSubmission } from '../domain/bdc';
import { startOfParisDay } from '../domain/calendar';
import type { ReferencementDecision } from '../domain/events';
import { refuse } from '../domain/refusal';
import { BDC_WORKFLOW_TYPE, bdcMessages } from '../workflows/messages';
import { bdcSearchAttributes } from '../workflows/search-attributes';
import { sendBdcEvent } from '../temporal/bdc-gateway';
import { allBdcs } from '../temporal/bdc-visibility';
import { nowOf, type Caller, type EngineContext } from './context';

/** A civil date of a request, as the instant its Paris day starts (an event dated that day). */
const onDay = (date: string) => startOfParisDay(date).toISOString();

/** The BDC exists and the caller may see it; another éditeur's BDC is "not found", like a missing one. */
export async function visibleBdc(ctx: EngineContext, caller: Caller, bdcId: string): Promise<void> {
  const notFound = refuse('not_found', `no BDC ${bdcId}`, 'bdcId');
  try {
    const description = await ctx.client.workflow.getHandle(bdcId).describe();
    if (description.type !== BDC_WORKFLOW_TYPE) throw notFound;
    if (caller.editeurId !== undefined && description.typedSearchAttributes.get(bdcSearchAttributes.editeur) !== caller.editeurId) throw notFound;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound;
    throw err;
  }
}

export async function bdcState(ctx: EngineContext, caller: Caller, bdcId: string): Promise<BdcView> {
  await visibleBdc(ctx, caller, bdcId);
  return ctx.client.workflow.getHandle(bdcId).query(bdcMessages.state);
}

export async function fileDossier(ctx: EngineContext, caller: Caller, bdcId: string, body: { eventId: string; filedOn: string }): Promise<BdcView> {
  await visibleBdc(ctx, caller, bdcId);
  return sendBdcEvent(ctx.client, bdcId, bdcMessages.referencementDossierFiled, { eventId: body.eventId, actor: caller.actor, filedAt: onDay(body.filedOn) });
}

export interface DecisionRequest {
  eventId: string;
  decision: ReferencementDecision['decision'];
  decidedOn: string;
}

export async function decideReferencement(ctx: EngineContext, caller: Caller, bdcId: string, body: DecisionRequest): Promise<BdcView> {
  await visibleBdc(ctx, caller, bdcId);
  return sendBdcEvent(ctx.client, bdcId, bdcMessages.referencementDecided, { eventId: body.eventId, actor: caller.actor, decision: body.decision, decidedAt: onDay(body.decidedOn) });
}

/** A decision for a solution, delivered to every BDC waiting on it. */
export async function decideSolution(ctx: EngineContext, caller: Caller, solutionId: string, body: DecisionRequest) {
  const applied: string[] = [];
  const refused: { bdcId: string; reason: string }[] = [];
  for await (const bdc of allBdcs(ctx.client, { solution: solutionId, status: 'awaiting_referencement' })) {
    // one event per BDC, derived from the operator's, so a repeated request changes nothing
    await sendBdcEvent(ctx.client, bdc.bdcId, bdcMessages.referencementDecided, { eventId: `${body.eventId}:${bdc.bdcId}`, actor: caller.actor, decision: body.decision, decidedAt: onDay(body.decidedOn) }).then(
      () => applied.push(bdc.bdcId),
      (err: Error) => refused.push({ bdcId: bdc.bdcId, reason: err.message }),
    );
  }
  return { applied, refused };
}

export async function cancelBdc(ctx: EngineContext, caller: Caller, bdcId: string, body: { eventId: string; reason: string }): Promise<BdcView> {
  await visibleBdc(ctx, caller, bdcId);
  return sendBdcEvent(ctx.client, bdcId, bdcMessages.cancellationRequested, { ...body, actor: caller.actor });
}

export async function recordReimbursement(ctx: EngineContext, caller: Caller, bdcId: string, body: { eventId: string; amountCents: number; receivedOn: string }): Promise<BdcView> {
  await visibleBdc(ctx, caller, bdcId);
  return sendBdcEvent(ctx.client, bdcId, bdcMessages.reimbursementReceived, { eventId: body.eventId, actor: caller.actor, amountCents: body.amountCents, receivedAt: onDay(body.receivedOn) });
}

/** The VA and invoice of an éditeur; the reception instant is the engine's, not the éditeur's. */
export async function submitVa(ctx: EngineContext, caller: Caller, bdcId: string, body: Omit<VaSubmission, 'actor' | 'receivedAt'>): Promise<BdcView> {
  await visibleBdc(ctx, caller, bdcId);
  return sendBdcEvent(ctx.client, bdcId, bdcMessages.vaSubmitted, { ...body, actor: caller.actor, receivedAt: new Date(await nowOf(ctx)).toISOString() });
}
