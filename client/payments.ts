import { requireSecondFactor } from './second-factor';
import { createHash } from 'node:crypto';
import { parisCivilDate } from '../domain/calendar';
import { scopedEventId } from '../domain/ids';
import { proposalFr, say } from '../domain/messages';
import { BANK_REASON_CODE, type OrderState } from '../domain/payments';
import { refuse, refusalOf, RefusedError, type Refusal } from '../domain/refusal';
import { LOCAL_DEBTOR } from '../domain/sepa/debtor';
import { controlSumCents, endToEndId, pain001, sepaText } from '../domain/sepa/pain001';
import { parsePain002 } from '../domain/sepa/pain002';
import type { OrderEvent, OrderView, RunView } from '../db/payments';

export type { OrderView } from '../db/payments';
import { visibleBdc } from './bdc-events';
import { nowOf, type Caller, type EngineContext } from './context';

/**
 * Paying validated orders (DOMAIN.md "Paying"): a comptable releases them as one payment run — a SEPA
 * credit transfer file, pain.001.001.09, from the ASP's account to each éditeur's bank details in
 * force at release — then records the bank's answer per order (a pain.002 status report, or by hand);
 * a rejected order goes back to an ordonnateur, who validates it again for a later run. Each step is
 * one database transaction keyed by its id (db/payments.ts): a release retried after a crash, or sent
 * twice, is the same run, and an order is in one released run at most.
 */

export const paymentOrders = (
  ctx: EngineContext,
  filter: { state?: OrderState; bdcId?: string; editeurId?: string; ids?: number[]; limit?: number } = {},
) => ctx.payments.orders(filter);

export const paymentRuns = (ctx: EngineContext, limit?: number) => ctx.payments.runs(limit);

export async function paymentRun(ctx: EngineContext, runId: string) {
  const run = await ctx.payments.run(runId);
  if (!run) throw refuse('not_found', say('run_unknown', { runId }), 'runId', runId);
  return run;
}

export async function paymentRunFile(ctx: EngineContext, runId: string) {
  const file = await ctx.payments.runFile(runId);
  if (!file) throw refuse('not_found', say('run_unknown', { runId }), 'runId', runId);
  return file;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The message id of a run's file: 35 characters at most, made from the run's id (the same at every retry). */
export const messageIdOf = (runId: string) => endToEndId(`payment-run:${runId}`);

/**
 * A comptable releases validated orders as one payment run. Refused, naming each order, when one is
 * not validated (released already, paid, rejected, unknown) or its éditeur has no bank details in
 * force; refused when the comptable validated one of them (no one both orders and pays a sum).
 */
export async function releaseRun(
  ctx: EngineContext,
  caller: Caller,
  r: { runId: string; orderIds: number[]; executionDate?: string },
): Promise<RunView> {
  // money is released with a second factor (client/second-factor.ts)
  requireSecondFactor(caller);
  const now = await nowOf(ctx);
  const today = parisCivilDate(new Date(now));
  const executionDate = r.executionDate ?? today;
  if (executionDate < today)
    throw refuse('execution_date_past', say('execution_date_past', { date: executionDate }), 'executionDate');
  // segregation of duties, as far as a run can see it: the comptable who pays did not validate the sum
  const orders = await ctx.payments.orders({ ids: r.orderIds });
  const own: Refusal[] = orders
    .filter((o) => o.validatedBy.some((v) => v.id === caller.actor.id))
    .map((o) => refusalOf('caused_it', say('caused_it'), `orderIds.${r.orderIds.indexOf(o.id)}`, o.id));
  if (own.length) throw new RefusedError(own);
  const debtor = ctx.debtor ?? LOCAL_DEBTOR;
  const messageId = messageIdOf(r.runId);
  const { run } = await ctx.payments.release(
    { runId: r.runId, orderIds: r.orderIds, executionDate, by: caller.actor, debtor },
    (toRelease) => {
      const transfers = toRelease.map((o) => ({
        orderKey: o.idempotencyKey,
        amountCents: o.amountCents,
        creditor: { name: o.bankDetails.holder, iban: o.bankDetails.iban, bic: o.bankDetails.bic },
        // what the éditeur reads on its statement: the programme, the sum, its order
        remittance: sepaText(`SONS ${proposalFr[o.kind] ?? o.kind} BDC ${o.reference} ${o.bdcId}`, 140),
      }));
      const file = pain001({
        messageId,
        createdAt: new Date(now).toISOString(),
        executionDate,
        debtor,
        transfers,
      });
      return { messageId, file, fileSha256: sha256(file), controlSumCents: controlSumCents(transfers) };
    },
  );
  return run;
}

export interface BankAnswer {
  /** the transfer's end-to-end id, or its order's id */
  endToEndId?: string;
  orderId?: number;
  outcome: 'paid' | 'rejected';
  /** ISO 20022 status reason code of a rejection (AC04: account closed…) */
  reasonCode?: string;
}

/** A comptable records the bank's answers by hand (the console's entry): each order paid, or rejected with its reason. */
export async function recordBankAnswers(
  ctx: EngineContext,
  caller: Caller,
  runId: string,
  a: { eventId: string; answers: BankAnswer[] },
): Promise<{ answered: number; unchanged: number }> {
  requireSecondFactor(caller);
  const run = await paymentRun(ctx, runId);
  const refusals: Refusal[] = [];
  const answers = a.answers.map((x, i) => {
    const order = x.orderId !== undefined ? run.orders.find((o) => o.id === x.orderId) : undefined;
    const e2e = x.endToEndId ?? order?.transfer?.endToEndId;
    if (!e2e)
      refusals.push(
        refusalOf('not_found', say('transfer_unknown', { endToEndId: String(x.orderId ?? ''), runId }), `answers.${i}`),
      );
    if (x.outcome === 'rejected' && !BANK_REASON_CODE.test(x.reasonCode ?? ''))
      refusals.push(refusalOf('reason_required', say('bank_reason_required'), `answers.${i}.reasonCode`, x.reasonCode));
    return {
      endToEndId: e2e ?? '',
      outcome: x.outcome,
      ...(x.outcome === 'rejected' ? { reasonCode: x.reasonCode } : {}),
    };
  });
  if (refusals.length) throw new RefusedError(refusals);
  return ctx.payments.answer(runId, answers, {
    actor: caller.actor,
    source: 'manual',
    eventId: scopedEventId(caller.scope, a.eventId),
  });
}

/**
 * A comptable records the bank's status report (pain.002) of a run: it must answer that run's
 * message; recorded once (its message id), each transfer paid or rejected with the bank's reason.
 */
export async function importStatusReport(
  ctx: EngineContext,
  caller: Caller,
  runId: string,
  xml: string,
): Promise<{ messageId: string; answered: number; unchanged: number }> {
  requireSecondFactor(caller);
  const run = await paymentRun(ctx, runId);
  let report: ReturnType<typeof parsePain002>;
  try {
    report = parsePain002(xml);
  } catch (err) {
    throw refuse(
      'status_report_unreadable',
      say('status_report_unreadable', { problem: (err as Error).message }),
      'file',
    );
  }
  if (!report.messageId)
    throw refuse('status_report_unreadable', say('status_report_unreadable', { problem: 'no MsgId' }), 'file');
  if (report.originalMessageId !== run.messageId)
    throw refuse(
      'status_report_other_run',
      say('status_report_other_run', { messageId: report.originalMessageId || '—' }),
      'file',
    );
  const fileSha256 = sha256(xml);
  const known = await ctx.payments.statusReport(report.messageId);
  if (known && known.fileSha256 !== fileSha256)
    throw refuse(
      'idempotency_conflict',
      say('idempotency_conflict', { key: report.messageId, table: 'bank status reports' }),
      'file',
    );
  const answered = await ctx.payments.answer(
    runId,
    report.statuses.map((s) => ({
      endToEndId: s.endToEndId,
      outcome: s.outcome,
      // the bank says why; a rejection without a code is "reason not given" (MS03)
      ...(s.outcome === 'rejected' ? { reasonCode: s.reason ?? 'MS03' } : {}),
    })),
    { actor: caller.actor, source: 'pain002', eventId: `pain002:${report.messageId}` },
    { messageId: report.messageId, fileSha256 },
  );
  return { messageId: report.messageId, ...answered };
}

/** An ordonnateur validates again an order the bank rejected: it awaits a later run. */
export const revalidateOrder = (ctx: EngineContext, caller: Caller, orderId: number, eventId: string) => {
  requireSecondFactor(caller);
  return ctx.payments.revalidate(orderId, caller.actor, scopedEventId(caller.scope, eventId));
};

/**
 * Each order of a BDC — who proposed it, who validated it — with what happened to it after its
 * validation: released, answered by the bank, validated again (who, when, why). An éditeur reads its own.
 */
export async function ordersOfBdc(
  ctx: EngineContext,
  caller: Caller,
  bdcId: string,
): Promise<(OrderView & { events: OrderEvent[] })[]> {
  await visibleBdc(ctx, caller, bdcId);
  const orders = await ctx.payments.orders({ bdcId });
  const events = await ctx.payments.events(orders.map((o) => o.id));
  return orders.map((o) => ({ ...o, events: events.filter((e) => e.orderId === o.id) }));
}
