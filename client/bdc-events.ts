import type { MoneyFigures } from '../domain/money';
import { EventIds } from '../db/event-ids';
import { say } from '../domain/messages';
import type { UpdateDefinition } from '@temporalio/common';
import type { BdcRecord, BdcView, EventAnswer } from '../domain/bdc-view';
import { startOfParisDay } from '../domain/calendar';
import type {
  AttentionDecision,
  BdcEvent,
  Cancellation,
  DossierFiled,
  ReferencementDecision,
  ReimbursementReceipt,
  ReimbursementSettlement,
} from '../domain/events';
import {
  bdcAttentionRefusals,
  cancellationRefusals,
  decisionRefusals,
  dossierRefusals,
  receiptRefusals,
  settlementRefusals,
  type BdcPending,
} from '../domain/rules/bdc';
import { scopedEventId } from '../domain/ids';
import { refuse, RefusedError, type Refusal } from '../domain/refusal';
import type { VaDocument } from '../domain/va';
import { sendBdcEvent } from '../temporal/bdc-gateway';
import { bdcMessages } from '../contract/bdc';
import { nowOf, type Caller, type EngineContext } from './context';
import { checkOwnDocuments } from './documents';
import { startIfLost } from './intake';
import { sentOnceCaughtUp } from './catching-up';
import { requireSecondFactor } from './second-factor';

/** A civil date of a request, as the instant its Paris day starts (an event dated that day). */
export const onDay = (date: string) => startOfParisDay(date).toISOString();

/** The BDC exists and the caller may see it; another éditeur's BDC is "not found", like a missing one. */
export async function visibleBdc(ctx: EngineContext, caller: Caller, bdcId: string): Promise<void> {
  const editeur = await ctx.records.editeurOf(bdcId);
  if (editeur === undefined || (caller.editeurId !== undefined && editeur !== caller.editeurId))
    throw refuse('not_found', say('unknown_bdc', { bdcId }), 'bdcId');
}

/**
 * One BDC's state and audit trail, from the record (it outlives Temporal's retention), with its money
 * as the ledger holds it (db/money.ts: the figures every screen and export shows).
 */
export async function bdcState(ctx: EngineContext, caller: Caller, bdcId: string): Promise<BdcState> {
  await visibleBdc(ctx, caller, bdcId);
  const [view, money] = await Promise.all([ctx.records.get(bdcId), ctx.money.ofBdc(bdcId)]);
  if (!view) throw refuse('not_found', say('unknown_bdc', { bdcId }), 'bdcId');
  return { ...view, money };
}

export type BdcState = NonNullable<Awaited<ReturnType<EngineContext['records']['get']>>> & { money: MoneyFigures };

/**
 * Delivers a caller's event to a BDC under the caller's scope of event ids, records a refusal in the
 * BDC's record, and answers the BDC once the event is recorded.
 */
async function deliver<E extends BdcEvent>(
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  update: UpdateDefinition<EventAnswer, [E]>,
  event: Omit<E, 'actor'>,
  { money = false }: { money?: boolean } = {},
): Promise<BdcView | Record<string, unknown>> {
  await visibleBdc(ctx, caller, bdcId);
  // money is decided with a second factor (client/second-factor.ts)
  if (money) requireSecondFactor(caller);
  const scoped = { ...event, eventId: scopedEventId(caller.scope, event.eventId), actor: caller.actor } as E;
  // judged by the workflow once it caught up with what the record (and the caller's screen) says
  const send = () =>
    sentOnceCaughtUp(
      () => sendBdcEvent(ctx.client, bdcId, update, scoped),
      () => ctx.records.statusOf(bdcId),
    );
  try {
    // an event id names one event across every BDC: used for another BDC or kind, it is refused here
    await new EventIds(ctx.sql).claim(scoped.eventId, bdcId, update.name);
    await send().catch(async (err: unknown) => {
      // visible, so recorded: a BDC Temporal does not know had its start lost; started now, then delivered
      const unknown = err instanceof RefusedError && err.refusals[0]?.code === 'unknown_bdc';
      if (unknown && (await startIfLost(ctx, bdcId)) === 'started') return send();
      throw err;
    });
  } catch (err) {
    if (err instanceof RefusedError)
      await ctx.records.logRefusal(bdcId, {
        eventId: scoped.eventId,
        kind: update.name,
        actor: caller.actor,
        refusals: err.refusals,
      });
    throw err;
  }
  return bdcState(ctx, caller, bdcId);
}

export const fileDossier = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { eventId: string; filedOn: string },
) =>
  deliver<DossierFiled>(ctx, caller, bdcId, bdcMessages.referencementDossierFiled, {
    eventId: body.eventId,
    filedAt: onDay(body.filedOn),
  });

export const cancelBdc = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { eventId: string; reason: string },
) => deliver<Cancellation>(ctx, caller, bdcId, bdcMessages.cancellationRequested, body);

export const recordReimbursement = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { eventId: string; amountCents: number; receivedOn: string },
) =>
  deliver<ReimbursementReceipt>(
    ctx,
    caller,
    bdcId,
    bdcMessages.reimbursementReceived,
    {
      eventId: body.eventId,
      amountCents: body.amountCents,
      receivedAt: onDay(body.receivedOn),
    },
    { money: true },
  );

export const settleReimbursement = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { eventId: string; decision: ReimbursementSettlement['decision']; reason: string },
) => deliver<ReimbursementSettlement>(ctx, caller, bdcId, bdcMessages.reimbursementSettled, body, { money: true });

export const resolveAttention = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { eventId: string; decision: AttentionDecision['decision']; reason: string },
) => deliver<AttentionDecision>(ctx, caller, bdcId, bdcMessages.attentionResolved, body);

/** The VA and invoice of an éditeur; the reception instant is the engine's, not the éditeur's. */
export async function submitVa(
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: VaDocument & { eventId: string },
) {
  // the VA may name only files its own éditeur uploaded
  if (caller.editeurId) {
    await visibleBdc(ctx, caller, bdcId);
    await checkOwnDocuments(ctx, caller.editeurId, body.documents);
  }
  return deliver(ctx, caller, bdcId, bdcMessages.vaSubmitted, {
    ...body,
    receivedAt: new Date(await nowOf(ctx)).toISOString(),
  });
}

/**
 * The checks an event must pass, run on the record before a person confirms it: the very rules its
 * workflow runs (domain/rules/bdc.ts), so a refusal is said next to its field before the confirmation
 * screen, never only after it. The workflow judges again when the event is sent.
 */
async function precheck<E extends BdcEvent>(
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  rule: (r: BdcRecord, p: BdcPending, now: number, e: E) => Refusal[],
  event: Omit<E, 'eventId' | 'actor'>,
): Promise<Refusal[]> {
  await visibleBdc(ctx, caller, bdcId);
  const view = await ctx.records.get(bdcId);
  if (!view) return [];
  const { audit: _a, refused: _r, ...record } = view;
  return rule(record as BdcRecord, { receivingCents: 0 }, await nowOf(ctx), {
    ...event,
    eventId: 'precheck',
    actor: caller.actor,
  } as E);
}

export const checkDossier = (ctx: EngineContext, caller: Caller, bdcId: string, body: { filedOn: string }) =>
  precheck<DossierFiled>(ctx, caller, bdcId, dossierRefusals, { filedAt: onDay(body.filedOn) });

export const checkCancellation = (ctx: EngineContext, caller: Caller, bdcId: string) =>
  precheck<Cancellation>(ctx, caller, bdcId, (r, p) => cancellationRefusals(r, p), { reason: 'precheck' });

export const checkReimbursement = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { amountCents: number; receivedOn: string },
) =>
  precheck<ReimbursementReceipt>(ctx, caller, bdcId, receiptRefusals, {
    amountCents: body.amountCents,
    receivedAt: onDay(body.receivedOn),
  });

export const checkSettlement = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { decision: ReimbursementSettlement['decision']; reason: string },
) => precheck<ReimbursementSettlement>(ctx, caller, bdcId, settlementRefusals, body);

export const checkDecision = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { decision: ReferencementDecision['decision']; decidedOn: string },
) =>
  precheck<ReferencementDecision>(ctx, caller, bdcId, decisionRefusals, {
    decision: body.decision,
    decidedAt: onDay(body.decidedOn),
  }).then((refusals) => refusals.map((r) => (r.path === 'decidedAt' ? { ...r, path: 'decidedOn' } : r)));

/** A decision on a BDC to examine, checked before a person confirms it (no cancellation once money was paid). */
export const checkAttention = (
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
  body: { decision: AttentionDecision['decision']; reason: string },
) => precheck<AttentionDecision>(ctx, caller, bdcId, (r, _p, _now, e) => bdcAttentionRefusals(r, e), body);
