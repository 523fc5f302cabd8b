import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { LedgerActivities } from '../../activities/ledger';
import { terminalStatuses, type Actor, type BdcStatus, type Deadline, type DeadlineName } from '../../domain/bdc-view';
import {
  eventForm,
  type CalendarAmendment,
  type Cancellation,
  type DossierFiled,
  type ReferencementDecision,
  type ReimbursementReceipt,
} from '../../domain/events';
import { applyRate, formatEuros } from '../../domain/money';
import { say, type Said } from '../../domain/messages';
import { refusalOf, type Refusal } from '../../domain/refusal';
import { vaRefusals, type VaSubmission } from '../../domain/va';
import { bdcSearchAttributes } from '../search-attributes';
import { v1Messages, type LegacyBdcView, type LegacyInput } from './types';

/**
 * FROZEN: the lifecycle of the BDCs started before the patch `bdc-record-v2` (workflows/bdc-lifecycle.ts).
 * Their recorded histories replay through this code, and those still running continue on it: the
 * commands it issues must never change. Its update validators may (they leave nothing in a history):
 * they check with the plain rules of domain/, and refuse a VA once a cancellation is accepted and the
 * reverse. Delete this file (with deprecatePatch) once no BDC started before the patch runs.
 */

const ledger = proxyActivities<LedgerActivities>({
  startToCloseTimeout: '30 seconds',
  // Money must reach the ledger: retry transient failures with a capped backoff, never a refusal.
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['Refused'],
  },
});

const SYSTEM: Actor = { role: 'system', id: 'sons-engine' };
const DAY_MS = 86_400_000;

/** A validator's answer: a precise, structured rejection the caller sees before anything changes. */
function reject(refusals: Refusal[]): never {
  throw ApplicationFailure.create({
    type: 'Refused',
    message: refusals.map((r) => r.message).join('; '),
    details: refusals,
    nonRetryable: true,
  });
}

/** The form of an event, checked by one of domain/events.ts's plain checks. */
function parseOrReject<T>(form: (raw: unknown) => Refusal[], input: unknown): T {
  const refusals = form(input);
  if (refusals.length) reject(refusals);
  return input as T;
}

/**
 * One BDC, from registration to its end: référencement, 30 % advance, VA and invoice, balance, and
 * the cutoffs that lapse it with the advance reimbursed. See DOMAIN.md "Lifecycle".
 */
export async function bdcLifecycleV1(input: LegacyInput): Promise<LegacyBdcView> {
  const { bdcId } = input;
  const now = () => new Date(Date.now()).toISOString();
  const view: LegacyBdcView = {
    bdcId,
    status: 'received',
    reimbursementOverdue: false,
    request: input.request,
    campaign: {
      couloir: input.couloir,
      tranche: input.tranche,
      ogEssmsCount: input.ogEssmsCount,
      finessExtraction: input.finessExtraction,
    },
    referencement: { state: input.request.solutionReferenced ? 'granted' : 'pending' },
    amounts: {
      ceilingCents: input.ceilingCents,
      advanceCents: applyRate(input.ceilingCents, input.advanceRateBasisPoints),
      paidCents: 0,
      toReimburseCents: 0,
      reimbursedCents: 0,
    },
    deadlines: [
      ...(input.deadlines.dossier
        ? [
            {
              name: 'dossier' as const,
              at: input.deadlines.dossier,
              source: `order date + 120 days`,
              state: 'pending' as const,
            },
          ]
        : []),
      {
        name: 'orderDeadline',
        at: input.deadlines.orderDeadline,
        source: `campaign ${input.request.campaignId}`,
        state: 'met',
      },
      {
        name: 'closing',
        at: input.deadlines.closing,
        source: `campaign ${input.request.campaignId}`,
        state: 'pending',
      },
    ],
    audit: [],
    eventIds: [],
  };
  const seen = new Set<string>();
  /** the kind of each event id seen: an id reused for another kind is refused, never ignored */
  const kinds = new Map<string, string>([[input.registeredBy.eventId, 'registration']]);
  let cancellation: { reason: string; by: Actor } | undefined;
  let calendarVersion = 0;

  const deadline = (name: DeadlineName): Deadline | undefined => view.deadlines.find((d) => d.name === name);
  const record = (what: string, by: Actor, eventId?: string) => {
    view.audit.push({ at: now(), what, by, ...(eventId ? { eventId } : {}) });
    if (eventId) {
      seen.add(eventId);
      view.eventIds.push(eventId);
    }
  };
  const nextDeadline = () =>
    view.deadlines.filter((d) => d.state === 'pending').sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  const publish = () => {
    const next = nextDeadline();
    upsertSearchAttributes([
      { key: bdcSearchAttributes.status, value: view.status },
      { key: bdcSearchAttributes.nextDeadline, value: next ? new Date(next.at) : null },
      { key: bdcSearchAttributes.overdue, value: view.reimbursementOverdue },
    ]);
    const a = view.amounts;
    setCurrentDetails(
      [
        `**${view.status}**${view.reimbursementOverdue ? ' — reimbursement overdue' : ''}`,
        `ceiling ${formatEuros(a.ceilingCents)} €, paid ${formatEuros(a.paidCents)} €, to reimburse ${formatEuros(a.toReimburseCents - a.reimbursedCents)} €`,
        next ? `next deadline: ${next.name} ${next.at}` : 'no pending deadline',
      ].join('\n\n'),
    );
  };
  const moveTo = (status: BdcStatus, what: string, by: Actor = SYSTEM, eventId?: string) => {
    view.status = status;
    record(what, by, eventId);
    log.info(what, { bdcId, status });
    publish();
  };
  const settle = (name: DeadlineName, state: Deadline['state']) => {
    const d = deadline(name);
    if (d && d.state === 'pending') d.state = state;
  };

  /** Duplicates of an event id pass validation and change nothing: the handler answers the state. */
  const validated =
    <T extends { eventId: string }>(kind: string, form: (raw: unknown) => Refusal[], check: (event: T) => Refusal[]) =>
    (raw: T) => {
      const event = parseOrReject<T>(form, raw);
      const first = kinds.get(event.eventId);
      if (first !== undefined && first !== kind)
        reject(
          refusal(
            'event_id_reused',
            say('event_id_reused', { eventId: event.eventId, kind: first, same: false }),
            'eventId',
            event.eventId,
          ),
        );
      if (seen.has(event.eventId)) return;
      const refusals = check(event);
      if (refusals.length) reject(refusals);
    };
  const refusal = (code: string, said: Said, path = '', value?: unknown): Refusal[] => [
    refusalOf(code, said, path, value),
  ];
  const ended = () => terminalStatuses.includes(view.status);
  // read through a function: handlers change it while the main line awaits
  const referencement = () => view.referencement.state;

  record(
    `registered: ${input.request.essms.length} ESSMS, ceiling ${formatEuros(input.ceilingCents)} € (tranche ${input.tranche})`,
    input.registeredBy.actor,
    input.registeredBy.eventId,
  );
  // Patched: BDCs started before it compensate the advance from their own state, later ones from the
  // ledger, which also covers an advance written while the workflow was being cancelled. Asked before
  // the first command, where its marker stands in the histories recorded since.
  const fromLedger = patched('reclaim-advance-from-ledger');
  const orderAdvance = () => moveTo('advance_issued', `advance of ${formatEuros(view.amounts.advanceCents)} € ordered`);
  // The first transition comes before the handlers: setting a handler delivers the events that came
  // with the workflow's first task, and they must be judged against it, not against 'received'.
  if (view.referencement.state === 'pending')
    moveTo('awaiting_referencement', 'awaiting référencement of the solution');
  else orderAdvance();
  setHandler(v1Messages.state, () => view);

  setHandler(
    v1Messages.referencementDossierFiled,
    (e) => {
      if (!seen.has(e.eventId)) {
        view.referencement.dossierFiledAt = e.filedAt;
        settle('dossier', 'met');
        record(`référencement dossier filed on ${e.filedAt}`, e.actor, e.eventId);
        kinds.set(e.eventId, 'referencementDossierFiled');
        publish();
      }
      return view;
    },
    {
      validator: validated<DossierFiled>('referencementDossierFiled', eventForm.dossierFiled, (e) => {
        if (view.referencement.state !== 'pending' || ended())
          return refusal(
            'wrong_state',
            say('dossier_not_awaited', { referencement: view.referencement.state, status: view.status }),
            'status',
            view.status,
          );
        if (view.referencement.dossierFiledAt)
          return refusal(
            'already_filed',
            say('already_filed', { filedAt: view.referencement.dossierFiledAt }),
            'filedAt',
            e.filedAt,
          );
        const due = deadline('dossier');
        if (due && Date.parse(e.filedAt) > Date.parse(due.at))
          return refusal('dossier_late', say('dossier_late', { due: due.at }), 'filedAt', e.filedAt);
        if (Date.parse(e.filedAt) > Date.now())
          return refusal('in_future', say('filing_in_future'), 'filedAt', e.filedAt);
        return [];
      }),
    },
  );

  setHandler(
    v1Messages.referencementDecided,
    (e) => {
      if (!seen.has(e.eventId)) {
        view.referencement.state = e.decision;
        record(`référencement ${e.decision} on ${e.decidedAt}`, e.actor, e.eventId);
        kinds.set(e.eventId, 'referencementDecided');
      }
      return view;
    },
    {
      validator: validated<ReferencementDecision>('referencementDecided', eventForm.referencementDecided, () =>
        view.referencement.state !== 'pending' || ended()
          ? refusal(
              'wrong_state',
              say('decision_not_awaited', { referencement: view.referencement.state, status: view.status }),
              'status',
              view.status,
            )
          : [],
      ),
    },
  );

  setHandler(
    v1Messages.vaSubmitted,
    (e) => {
      if (!seen.has(e.eventId)) {
        const financed = Math.min(view.amounts.ceilingCents, e.invoice.amountCents);
        view.va = {
          signedAt: e.va.signedAt,
          invoiceNumber: e.invoice.number,
          invoiceCents: e.invoice.amountCents,
          acceptedAt: now(),
        };
        view.amounts.financedCents = financed;
        view.amounts.balanceCents = financed - view.amounts.advanceCents;
        settle('closing', 'met');
        record(
          `VA signed ${e.va.signedAt} and invoice ${e.invoice.number} of ${formatEuros(e.invoice.amountCents)} € accepted`,
          e.actor,
          e.eventId,
        );
        kinds.set(e.eventId, 'vaSubmitted');
      }
      return view;
    },
    {
      validator: validated<VaSubmission>(
        'vaSubmitted',
        () => [],
        (e) =>
          vaRefusals(
            {
              ...view,
              orderDayStartsAt: `${view.request.orderDate}T00:00:00+02:00`,
              campaign: {
                id: view.request.campaignId,
                ...view.campaign,
                advanceRateBasisPoints: input.advanceRateBasisPoints,
                referencementDelayDays: 120,
                reimbursementDueDays: input.reimbursementDueDays,
              },
              va: view.va && { ...view.va, eventId: '' },
              cancellation: cancellation && { ...cancellation, eventId: '', at: '' },
            },
            e,
          ),
      ),
    },
  );

  setHandler(
    v1Messages.cancellationRequested,
    (e) => {
      if (!seen.has(e.eventId)) {
        cancellation = { reason: e.reason, by: e.actor };
        record(`cancellation requested: ${e.reason}`, e.actor, e.eventId);
        kinds.set(e.eventId, 'cancellationRequested');
      }
      return view;
    },
    {
      validator: validated<Cancellation>('cancellationRequested', eventForm.cancellationRequested, () =>
        view.va
          ? refusal('va_accepted', say('not_cancellable_va', { invoice: view.va.invoiceNumber }), 'status', view.status)
          : ended() || cancellation
            ? refusal(
                'wrong_state',
                say('not_cancellable', { status: view.status, pending: false }),
                'status',
                view.status,
              )
            : [],
      ),
    },
  );

  setHandler(
    v1Messages.reimbursementReceived,
    async (e) => {
      if (seen.has(e.eventId)) return view;
      view.amounts.reimbursedCents += e.amountCents;
      record(`reimbursement of ${formatEuros(e.amountCents)} € received on ${e.receivedAt}`, e.actor, e.eventId);
      kinds.set(e.eventId, 'reimbursementReceived');
      await ledger.recordReimbursementReceipt({
        idempotencyKey: `${bdcId}:receipt:${e.eventId}`,
        bdcId,
        amountCents: e.amountCents,
        receivedAt: e.receivedAt,
      });
      return view;
    },
    {
      validator: validated<ReimbursementReceipt>('reimbursementReceived', eventForm.reimbursementReceived, (e) => {
        const outstanding = view.amounts.toReimburseCents - view.amounts.reimbursedCents;
        if (view.status !== 'reimbursement_due')
          return refusal('wrong_state', say('no_reimbursement_due', { status: view.status }), 'status', view.status);
        if (e.amountCents > outstanding)
          return refusal(
            'more_than_due',
            say('more_than_due', { amountCents: e.amountCents, dueCents: outstanding }),
            'amountCents',
            e.amountCents,
          );
        return [];
      }),
    },
  );

  setHandler(
    v1Messages.calendarAmended,
    (e) => {
      if (!seen.has(e.eventId)) {
        for (const [name, at] of [
          ['orderDeadline', e.orderDeadline],
          ['closing', e.closing],
        ] as const) {
          const d = deadline(name);
          if (!at || !d || d.at === at) continue;
          // A milestone already met or missed stays so: only pending deadlines move.
          if (d.state === 'pending' || name === 'orderDeadline')
            Object.assign(d, { at, source: `amendment ${e.eventId}` });
        }
        calendarVersion++;
        record(`calendar amended (${e.reason})`, e.actor, e.eventId);
        kinds.set(e.eventId, 'calendarAmended');
        publish();
      }
      return view;
    },
    {
      validator: validated<CalendarAmendment>('calendarAmended', eventForm.calendarAmended, () =>
        ended() ? refusal('bdc_ended', say('milestone_passed', { status: view.status }), 'status', view.status) : [],
      ),
    },
  );

  /**
   * Waits for `done` or for the earliest of the named pending deadlines, re-armed whenever the
   * calendar is amended. Returns the deadline that passed, if one did.
   */
  const raceDeadlines = async (done: () => boolean, names: DeadlineName[]): Promise<Deadline | undefined> => {
    for (;;) {
      if (done()) return undefined;
      const armed = view.deadlines
        .filter((d) => names.includes(d.name) && d.state === 'pending')
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
      if (!armed) {
        await condition(done);
        return undefined;
      }
      const remaining = Date.parse(armed.at) + 1 - Date.now();
      if (remaining <= 0) return armed;
      const version = calendarVersion;
      await condition(() => done() || calendarVersion !== version, remaining, {
        summary: `${armed.name} deadline ${armed.at}`,
      });
    }
  };

  const releaseClaims = () => ledger.releaseEssmsClaims(bdcId);

  // Compensations are registered before the effect they undo and run even if the workflow is cancelled.
  const compensations: (() => Promise<void>)[] = [];
  const compensate = () =>
    CancellationScope.nonCancellable(async () => {
      for (const undo of compensations.reverse()) await undo();
      compensations.length = 0;
    });

  const reimbursementDue = (amountCents: number, reason: string, dueAt: string) => {
    view.amounts.toReimburseCents += amountCents;
    view.deadlines.push({
      name: 'reimbursementDue',
      at: dueAt,
      source: `demand + ${input.reimbursementDueDays} days`,
      state: 'pending',
    });
    moveTo('reimbursement_due', `reimbursement of ${formatEuros(amountCents)} € demanded (${reason}), due ${dueAt}`);
  };
  const demandReimbursement = async (amountCents: number, reason: string) => {
    const dueAt = new Date(Date.now() + input.reimbursementDueDays * DAY_MS).toISOString();
    await ledger.issueReimbursementDemand({
      idempotencyKey: `${bdcId}:reimbursement`,
      bdcId,
      amountCents,
      reason,
      dueAt,
    });
    reimbursementDue(amountCents, reason, dueAt);
  };
  /** The compensation of the advance: demand back what the ledger paid, even if this workflow never heard of it. */
  const reclaimAdvance = async (reason: string) => {
    const dueAt = new Date(Date.now() + input.reimbursementDueDays * DAY_MS).toISOString();
    const demand = await ledger.reclaimAdvance({ idempotencyKey: `${bdcId}:reimbursement`, bdcId, reason, dueAt });
    if (demand) reimbursementDue(demand.amountCents, reason, dueAt);
  };

  const awaitReimbursement = async (final: BdcStatus) => {
    const fullyReimbursed = () => view.amounts.reimbursedCents >= view.amounts.toReimburseCents;
    if (await raceDeadlines(fullyReimbursed, ['reimbursementDue'])) {
      settle('reimbursementDue', 'missed');
      view.reimbursementOverdue = true;
      record('reimbursement overdue', SYSTEM);
      publish();
      await condition(fullyReimbursed);
    } else settle('reimbursementDue', 'met');
    await condition(allHandlersFinished);
    moveTo(final, `reimbursement of ${formatEuros(view.amounts.reimbursedCents)} € complete`);
  };

  /** The BDC ends without the work proven: nothing kept, claims freed, the advance clawed back. */
  const endUnproven = async (status: 'lapsed' | 'cancelled' | 'rejected', why: string, by: Actor = SYSTEM) => {
    view.outcome = why;
    moveTo(status, why, by);
    for (const d of view.deadlines) if (d.state === 'pending') d.state = 'moot';
    publish();
    if (compensations.length) {
      await compensate();
      // nothing to wait for when no advance was paid after all
      if (view.amounts.toReimburseCents > 0) await awaitReimbursement('reimbursed');
    }
    await releaseClaims();
  };

  try {
    if (view.status === 'awaiting_referencement') {
      const passed = await raceDeadlines(
        () => referencement() !== 'pending' || cancellation !== undefined,
        ['dossier', 'closing'],
      );
      if (passed) settle(passed.name, 'missed');
      if (cancellation)
        return await finish(() =>
          endUnproven('cancelled', `cancelled before any payment: ${cancellation!.reason}`, cancellation!.by),
        );
      if (passed?.name === 'dossier')
        return await finish(() => endUnproven('lapsed', 'no référencement dossier filed within 120 days of the order'));
      if (passed) return await finish(() => endUnproven('lapsed', 'closing date passed before référencement'));
      if (referencement() === 'refused')
        return await finish(() => endUnproven('rejected', 'référencement refused by the ANS'));
      settle('dossier', 'met');
    }
    if (cancellation)
      return await finish(() =>
        endUnproven('cancelled', `cancelled before any payment: ${cancellation!.reason}`, cancellation!.by),
      );

    const advanceCents = view.amounts.advanceCents;
    compensations.push(async () => {
      const reason = `advance not justified: ${view.outcome ?? 'workflow cancelled'}`;
      if (fromLedger) await reclaimAdvance(reason);
      else if (view.amounts.paidCents > 0) await demandReimbursement(view.amounts.paidCents, reason);
    });
    if (view.status !== 'advance_issued') orderAdvance();
    await ledger.issuePaymentOrder({
      idempotencyKey: `${bdcId}:advance`,
      bdcId,
      kind: 'advance',
      amountCents: advanceCents,
    });
    view.amounts.paidCents += advanceCents;
    moveTo('awaiting_va', 'awaiting the signed VA and the invoice');

    const passed = await raceDeadlines(() => view.va !== undefined || cancellation !== undefined, ['closing']);
    if (passed) settle('closing', 'missed');
    if (cancellation && !view.va)
      return await finish(() =>
        endUnproven('cancelled', `cancelled after the advance: ${cancellation!.reason}`, cancellation!.by),
      );
    if (passed) return await finish(() => endUnproven('lapsed', 'closing date passed without a valid VA'));

    compensations.length = 0; // the work is proven: the advance is kept
    const balance = view.amounts.balanceCents ?? 0;
    if (balance > 0) {
      await ledger.issuePaymentOrder({
        idempotencyKey: `${bdcId}:balance`,
        bdcId,
        kind: 'balance',
        amountCents: balance,
      });
      view.amounts.paidCents += balance;
      moveTo('balance_issued', `balance of ${formatEuros(balance)} € ordered`);
    } else if (balance < 0) {
      await demandReimbursement(-balance, 'advance exceeds the financed total');
      await awaitReimbursement('completed');
      return await finish(async () => undefined);
    }
    view.outcome = 'work proven, paid';
    moveTo('completed', `completed: ${formatEuros(view.amounts.paidCents)} € paid`);
    return await finish(async () => undefined);
  } catch (err) {
    if (isCancellation(err)) {
      view.outcome = 'workflow cancelled by an administrator';
      await compensate();
    }
    throw err;
  }

  async function finish(end: () => Promise<void>): Promise<LegacyBdcView> {
    await end();
    await condition(allHandlersFinished);
    return view;
  }
}
