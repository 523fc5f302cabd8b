import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair, UpdateDefinition } from '@temporalio/common';
import type {
  Actor,
  BdcRecord,
  BdcStatus,
  BdcWorkflowInput,
  Deadline,
  DeadlineName,
  EventAnswer,
  EventSeen,
  Reminder,
} from '../../domain/bdc-view';
import { terminalStatuses } from '../../domain/bdc-view';
import { eventHash } from '../../domain/event-hash';
import {
  eventForm,
  type AttentionDecision,
  type BdcEvent,
  type DossierFiled,
  type ReferencementDecision,
  type ReimbursementReceipt,
  type ReimbursementSettlement,
} from '../../domain/events';
import { initialRecord, nextDeadline, outstandingCents } from '../../domain/lifecycle';
import { nextReminder } from '../../domain/reminders';
import { formatEuros } from '../../domain/money';
import { say, type Said } from '../../domain/messages';
import type { Refusal } from '../../domain/refusal';
import { vaRefusals, type VaSubmission } from '../../domain/va';
import { bdcMessages } from '../messages';
import { bdcSearchAttributes } from '../search-attributes';
import {
  entries,
  localActivities,
  recordActivities,
  refusal,
  refusalsOf,
  reject,
  Serial,
  type AuditLine,
  type Change,
  type EventKey,
} from './commits';

type Pending<E> = { event: E; key: EventKey };

/**
 * One BDC, from registration to its end (DOMAIN.md "Lifecycle"): référencement, the 30 % advance,
 * the VA and invoice, the balance, the cutoffs, and the advance demanded back when the work is not
 * proven in time. State lives in one place (`record`), committed to the BDC's record in PostgreSQL at
 * every transition in the same transaction as its money effect; the main line is a small state
 * machine over the record's status; handlers validate an event, hand it over and answer once it is
 * recorded.
 */
export class BdcLifecycle {
  private record: BdcRecord;
  /** every event accepted, by id: a duplicate answers as the first did, a reused id is refused */
  private readonly events: Record<string, EventSeen>;
  private auditSeq: number;
  /** events accepted by a handler and handed to the main line, not yet committed */
  private readonly pending: {
    decision?: Pending<ReferencementDecision>;
    va?: Pending<VaSubmission>;
    cancellation?: { reason: string; by: Actor; key?: EventKey };
    attention?: Pending<AttentionDecision>;
  } = {};
  /** event ids being recorded, for the validators of their duplicates */
  private readonly inFlight = new Map<string, EventKey>();
  /** cents of receipts being recorded: a second receipt is judged against what they leave due */
  private receiving = 0;
  /** bumped when the deadlines move, so that the timers waiting on them are armed again */
  private calendarVersion = 0;
  private readonly serial = new Serial();
  private published: { status: BdcStatus; next: string | null; overdue: boolean };

  constructor(private readonly input: BdcWorkflowInput) {
    const resume = input.resume;
    this.record = resume?.record ?? initialRecord(input);
    this.events = resume?.events ?? {
      [input.registeredBy.eventId]: {
        kind: 'registration',
        hash: 'registration',
        answer: this.answer({ eventId: input.registeredBy.eventId, kind: 'registration', hash: 'registration' }),
      },
    };
    this.auditSeq = resume?.auditSeq ?? 1; // intake wrote the registration at 0
    // what intake (or the previous run) set on the workflow: published again only when it changes
    this.published = this.wantedAttributes();
  }

  async run(): Promise<BdcRecord> {
    this.setHandlers();
    // A workflow cancellation (the Web UI's "Request Cancellation") goes the operator's way: the
    // money is settled before the workflow ends, and it ends COMPLETED, never CANCELED or FAILED.
    CancellationScope.current().cancelRequested.catch(() => this.cancelledThroughTemporal());
    await CancellationScope.nonCancellable(async () => {
      await this.lifecycle();
      await condition(allHandlersFinished);
    });
    return this.record;
  }

  private get bdcId() {
    return this.input.bdcId;
  }

  private now(): string {
    return new Date(Date.now()).toISOString();
  }

  private ended(): boolean {
    return terminalStatuses.includes(this.record.status);
  }

  // ——— the main line: one step per status until the BDC ends ———

  private async lifecycle(): Promise<void> {
    while (!this.ended()) {
      if (this.mayContinueAsNew()) await this.continueAsNew();
      switch (this.record.status) {
        case 'awaiting_referencement':
          await this.awaitReferencement();
          break;
        case 'advance_issued':
          await this.orderAdvance();
          break;
        case 'awaiting_va':
          await this.awaitVa();
          break;
        case 'reimbursement_due':
          await this.awaitReimbursement();
          break;
        default:
          // needs_attention is waited on where it arises; nothing else stays between commits
          throw new Error(`BDC ${this.bdcId}: no step for status ${this.record.status}`);
      }
    }
  }

  private async awaitReferencement(): Promise<void> {
    // a BDC started after its solution's refusal (its start was delayed) ends at once
    if (this.record.referencement.state === 'refused')
      return this.endUnpaid('rejected', say('end_referencement_refused'));
    const passed = await this.waitFor(
      () => this.pending.decision !== undefined || this.pending.cancellation !== undefined,
      ['dossier', 'closing'],
    );
    const { cancellation, decision } = this.pending;
    if (cancellation) return this.endUnpaid('cancelled', say('end_cancelled_unpaid', { reason: cancellation.reason }));
    if (decision) {
      const { event, key } = decision;
      const granted = event.decision === 'granted';
      await this.commit({
        step: 'referencement',
        events: [key],
        note: (r) => {
          r.referencement = { ...r.referencement, state: event.decision, decidedAt: event.decidedAt };
          if (granted) {
            settle(r, 'dossier', 'met');
            r.status = 'advance_issued';
          }
        },
        audit: [
          {
            kind: `referencement_${event.decision}`,
            said: say('audit_referencement', { decision: event.decision, decidedAt: event.decidedAt }),
            by: event.actor,
            eventId: event.eventId,
          },
        ],
      });
      this.pending.decision = undefined;
      if (!granted) await this.endUnpaid('rejected', say('end_referencement_refused'));
      return;
    }
    if (passed)
      await this.endUnpaid(
        'lapsed',
        passed.name === 'dossier' ? say('end_no_dossier') : say('end_closing_before_referencement'),
        passed.name,
      );
  }

  private async orderAdvance(): Promise<void> {
    const { cancellation } = this.pending;
    if (cancellation) return this.endUnpaid('cancelled', say('end_cancelled_unpaid', { reason: cancellation.reason }));
    const advance = this.record.amounts.advanceCents;
    await this.commit({
      step: 'advance',
      effect: { kind: 'paymentOrder', order: 'advance', amountCents: advance },
      applied: (r) => {
        r.amounts.paidCents += advance;
        r.status = 'awaiting_va';
      },
      effectAudit: [
        { kind: 'advance_ordered', said: say('audit_advance_ordered', { amountCents: advance }) },
        { kind: 'awaiting_va', said: say('audit_awaiting_va') },
      ],
    });
  }

  private async awaitVa(): Promise<void> {
    const passed = await this.waitFor(
      () => this.pending.va !== undefined || this.pending.cancellation !== undefined,
      ['closing'],
    );
    const { cancellation, va } = this.pending;
    // once a cancellation is accepted no VA is, and the reverse: at most one of them is pending
    if (cancellation)
      return this.demandAdvanceBack(say('end_cancelled_after_advance', { reason: cancellation.reason }));
    if (va) return this.acceptVa(va);
    if (passed) await this.demandAdvanceBack(say('end_closing_without_va'), 'closing');
  }

  private async acceptVa({ event, key }: Pending<VaSubmission>): Promise<void> {
    const { amounts } = this.record;
    const financed = Math.min(amounts.ceilingCents, event.invoice.amountCents);
    const balance = financed - amounts.advanceCents;
    const accepted: Change = {
      step: 'balance',
      events: [key],
      note: (r) => {
        r.va = {
          signedAt: event.va.signedAt,
          invoiceNumber: event.invoice.number,
          invoiceCents: event.invoice.amountCents,
          acceptedAt: this.now(),
          eventId: event.eventId,
          ...(event.documents ? { documents: event.documents } : {}),
        };
        r.amounts.financedCents = financed;
        r.amounts.balanceCents = balance;
        settle(r, 'closing', 'met');
      },
      audit: [
        {
          kind: 'va_accepted',
          said: say('audit_va_accepted', {
            signedAt: event.va.signedAt,
            invoice: event.invoice.number,
            invoiceCents: event.invoice.amountCents,
          }),
          by: event.actor,
          eventId: event.eventId,
        },
        ...(event.documents
          ? [
              {
                kind: 'va_documents',
                said: say('audit_documents', { va: event.documents.signedVa, invoice: event.documents.invoice }),
                by: event.actor,
                eventId: event.eventId,
              },
            ]
          : []),
      ],
    };
    if (balance < 0) {
      await this.commit({
        ...accepted,
        ...(await this.demand(-balance, say('end_advance_exceeds_financed'), 'completed')),
      });
    } else {
      await this.commit({
        ...accepted,
        ...(balance > 0 ? { effect: { kind: 'paymentOrder', order: 'balance', amountCents: balance } } : {}),
        applied: (r) => {
          r.amounts.paidCents += balance;
          r.status = 'completed';
          r.outcome = 'work proven, paid';
        },
        effectAudit: [
          ...(balance > 0
            ? [{ kind: 'balance_ordered', said: say('audit_balance_ordered', { amountCents: balance }) }]
            : []),
          { kind: 'completed', said: say('audit_completed', { paidCents: amounts.paidCents + balance }) },
        ],
      });
    }
    this.pending.va = undefined;
  }

  /** The advance is not justified: demanded back, tracked to receipt; the ESSMS are freed once received. */
  private async demandAdvanceBack(why: Said, missed?: DeadlineName): Promise<void> {
    const cancellation = this.pending.cancellation;
    await this.commit({
      ...(await this.demand(
        this.record.amounts.paidCents,
        say('end_advance_not_justified', { why: why.message }),
        'reimbursed',
      )),
      note: (r) => {
        if (missed) settle(r, missed, 'missed');
        for (const d of r.deadlines) if (d.state === 'pending') d.state = 'moot';
        r.outcome = why.message;
        if (cancellation)
          r.cancellation = {
            reason: cancellation.reason,
            by: cancellation.by,
            eventId: cancellation.key?.eventId ?? '',
            at: this.now(),
          };
      },
      audit: [this.cancellationLine(), { kind: cancellation ? 'cancelled' : 'lapsed', said: why }].filter(
        (l): l is AuditLine => l !== undefined,
      ),
      events: cancellation?.key ? [cancellation.key] : [],
    });
    this.pending.cancellation = undefined;
  }

  /** A reimbursement demand of `amountCents`, due at the end of a Paris day `reimbursementDueDays` from now. */
  private async demand(
    amountCents: number,
    reason: Said,
    endsAs: 'reimbursed' | 'completed',
  ): Promise<Pick<Change, 'step' | 'effect' | 'applied' | 'effectAudit'>> {
    const issuedAt = this.now();
    const { campaign } = this.record;
    const offsets =
      campaign.reminderOffsetsDays || campaign.reminderOffsetsMinutes
        ? { reminderOffsetsDays: campaign.reminderOffsetsDays, reminderOffsetsMinutes: campaign.reminderOffsetsMinutes }
        : undefined;
    const { dueAt, issuedDayStartsAt, reminders } = await localActivities.reimbursementDueDate({
      issuedAt,
      days: campaign.reimbursementDueDays,
      ...(offsets ? { reminders: offsets } : {}),
    });
    return {
      step: 'reimbursement demand',
      effect: { kind: 'reimbursementDemand', amountCents, reason: reason.message, dueAt },
      applied: (r) => {
        r.amounts.toReimburseCents += amountCents;
        r.demand = { amountCents, reason: reason.message, dueAt, issuedAt, issuedDayStartsAt, endsAs };
        r.deadlines.push({
          name: 'reimbursementDue',
          at: dueAt,
          source: `demand + ${r.campaign.reimbursementDueDays} days`,
          state: 'pending',
          ...(reminders?.length ? { reminders } : {}),
        });
        r.status = 'reimbursement_due';
      },
      effectAudit: [
        {
          kind: 'reimbursement_demanded',
          said: say('audit_reimbursement_demanded', { amountCents, reason: reason.message, dueAt }),
        },
      ],
    };
  }

  private async awaitReimbursement(): Promise<void> {
    const settled = () => outstandingCents(this.record) <= 0;
    const passed = await this.waitFor(settled, ['reimbursementDue']);
    if (settled() && this.record.amounts.writtenOffCents) {
      // written off by an operator: the BDC ends, the money it kept keeps its ESSMS financed
      await this.commit({
        step: 'written off',
        note: (r) => {
          settle(r, 'reimbursementDue', 'moot');
          r.status = 'written_off';
          r.outcome = say('audit_written_off', {
            amountCents: r.amounts.writtenOffCents ?? 0,
            reason: r.writtenOff?.reason ?? '',
          }).message;
        },
      });
    } else if (settled()) {
      const endsAs = this.record.demand?.endsAs ?? 'reimbursed';
      await this.commit({
        step: 'reimbursement complete',
        ...(endsAs === 'reimbursed' ? { effect: { kind: 'releaseClaims' } } : {}),
        applied: (r) => {
          settle(r, 'reimbursementDue', 'met');
          r.status = endsAs;
        },
        effectAudit: [
          {
            kind: endsAs,
            said: say('audit_reimbursement_complete', { amountCents: this.record.amounts.reimbursedCents }),
          },
        ],
      });
    } else if (passed) {
      // flagged, never dropped: the BDC goes on waiting for the money
      await this.commit({
        step: 'reimbursement overdue',
        note: (r) => {
          settle(r, 'reimbursementDue', 'missed');
          r.reimbursementOverdue = true;
        },
        audit: [{ kind: 'reimbursement_overdue', said: say('audit_reimbursement_overdue') }],
      });
    }
  }

  /** The BDC ends without any money paid: nothing kept, its ESSMS freed. */
  private async endUnpaid(
    status: 'lapsed' | 'cancelled' | 'rejected',
    why: Said,
    missed?: DeadlineName,
  ): Promise<void> {
    const cancellation = this.pending.cancellation;
    await this.commit({
      step: status,
      events: cancellation?.key ? [cancellation.key] : [],
      note: (r) => {
        if (missed) settle(r, missed, 'missed');
        if (cancellation)
          r.cancellation = {
            reason: cancellation.reason,
            by: cancellation.by,
            eventId: cancellation.key?.eventId ?? '',
            at: this.now(),
          };
      },
      audit: [this.cancellationLine()].filter((l): l is AuditLine => l !== undefined),
      effect: { kind: 'releaseClaims' },
      applied: (r) => {
        for (const d of r.deadlines) if (d.state === 'pending') d.state = 'moot';
        r.status = status;
        r.outcome = why.message;
      },
      effectAudit: [{ kind: status, said: why, ...(cancellation ? { by: cancellation.by } : {}) }],
    });
    this.pending.cancellation = undefined;
  }

  private cancellationLine(): AuditLine | undefined {
    const c = this.pending.cancellation;
    return (
      c && {
        kind: 'cancellation_requested',
        said: say('audit_cancellation_requested', { reason: c.reason }),
        by: c.by,
        ...(c.key ? { eventId: c.key.eventId } : {}),
      }
    );
  }

  /**
   * Waits for `done` or for the earliest of the named pending deadlines, armed again whenever the
   * calendar is amended; wakes also when the history should continue as new. Returns the deadline
   * that passed, if one did.
   */
  private async waitFor(done: () => boolean, names: DeadlineName[]): Promise<Deadline | undefined> {
    for (;;) {
      if (done() || this.mayContinueAsNew()) return undefined;
      const armed = nextDeadline(this.record.deadlines.filter((d) => names.includes(d.name)));
      // the éditeur's reminders of its pending deadlines (BDCs registered before them have none)
      const reminder = nextReminder(this.record.deadlines);
      const reminding =
        reminder !== undefined &&
        patched('deadline-reminders') &&
        (!armed || Date.parse(reminder.reminder.at) <= Date.parse(armed.at))
          ? reminder
          : undefined;
      if (reminding && Date.parse(reminding.reminder.at) <= Date.now()) {
        await this.remind(reminding.deadline.name, reminding.reminder);
        continue;
      }
      const version = this.calendarVersion;
      const woken = () => done() || this.calendarVersion !== version || this.mayContinueAsNew();
      const wakeAt = reminding ? Date.parse(reminding.reminder.at) : armed ? Date.parse(armed.at) + 1 : undefined;
      if (wakeAt === undefined) {
        await condition(woken);
        continue;
      }
      const remaining = wakeAt - Date.now();
      if (remaining <= 0 && armed && !reminding) return armed;
      await condition(woken, Math.max(1, remaining), {
        summary: reminding
          ? `reminder of the ${reminding.deadline.name} deadline at ${reminding.reminder.at}`
          : `${armed!.name} deadline ${armed!.at}`,
      });
    }
  }

  /** Reminds the éditeur of a deadline, once: the reminder is marked sent and its notification queued in one commit. */
  private async remind(name: DeadlineName, reminder: Reminder): Promise<void> {
    const deadline = this.record.deadlines.find((d) => d.name === name)!;
    await this.commit({
      step: 'reminder',
      note: (r) => {
        const sent = r.deadlines.find((d) => d.name === name)?.reminders?.find((x) => x.at === reminder.at);
        if (sent) sent.sent = true;
      },
      audit: [
        {
          kind: 'reminder_sent',
          said: say('audit_reminder_sent', { deadline: name, before: reminder.before, at: reminder.at }),
        },
      ],
      effect: {
        kind: 'notify',
        notification: {
          key: `reminder:${this.bdcId}:${name}:${reminder.at}`,
          template: 'deadline_reminder',
          to: { party: 'editeur', id: this.record.request.editeurId },
          params: {
            bdcId: this.bdcId,
            reference: this.record.request.reference,
            deadline: name,
            deadlineAt: deadline.at,
            before: reminder.before,
            status: this.record.status,
            outstandingCents: outstandingCents(this.record),
          },
        },
      },
    });
  }

  // ——— commits ———

  /**
   * Commits a change of the main line. A refusal of its effect (the ledger's constraints, the
   * record's) does not fail the workflow: the BDC needs attention and waits for an operator to retry
   * or to cancel it (before any payment); then the change is tried again, or dropped.
   */
  private async commit(change: Change): Promise<void> {
    let { note, audit, events } = change;
    for (;;) {
      try {
        await this.serial.run(() => this.commitNow({ ...change, note, audit, events }));
        return;
      } catch (err) {
        const refusals = refusalsOf(err);
        if (!refusals) throw err;
        const decision = await this.needAttention(change, refusals);
        // what the change noted (accepted events…) is recorded now; only its effect is tried again
        note = undefined;
        audit = [];
        events = [];
        if (decision === 'cancel') return;
      }
    }
  }

  /** Applies a change to a copy of the record, commits it with its effect, then makes it the state. */
  private async commitNow(change: Change, withEffect = true): Promise<void> {
    const candidate = JSON.parse(JSON.stringify(this.record)) as BdcRecord;
    candidate.version += 1;
    change.note?.(candidate);
    if (withEffect) change.applied?.(candidate);
    const lines = [...(change.audit ?? []), ...(withEffect ? (change.effectAudit ?? []) : [])];
    const audit = entries(lines, this.auditSeq, this.now());
    await recordActivities.commitTransition({
      bdcId: this.bdcId,
      record: candidate,
      audit,
      ...(withEffect && change.effect ? { effect: change.effect } : {}),
    });
    this.record = candidate;
    this.auditSeq += audit.length;
    for (const key of change.events ?? []) {
      this.events[key.eventId] = { kind: key.kind, hash: key.hash, answer: this.answer(key) };
      this.inFlight.delete(key.eventId);
    }
    // no log line per transition: the record's audit trail is the BDC's log
    this.publish();
  }

  /** Records that the BDC needs attention, with what the change noted, and waits for an operator. */
  private async needAttention(change: Change, refusals: Refusal[]): Promise<'retry' | 'cancel'> {
    const reason = refusals.map((r) => r.message).join('; ');
    const resumeStatus = this.record.status;
    await this.serial.run(() =>
      this.commitNow(
        {
          step: 'needs attention',
          events: change.events,
          note: (r) => {
            change.note?.(r);
            r.status = 'needs_attention';
            r.attention = { step: change.step, reason, refusals, since: this.now(), resumeStatus };
          },
          audit: [
            ...(change.audit ?? []),
            { kind: 'needs_attention', said: say('audit_needs_attention', { step: change.step, reason }) },
          ],
        },
        false,
      ),
    );
    log.warn('BDC needs attention', { bdcId: this.bdcId, step: change.step, refusals });
    await condition(() => this.pending.attention !== undefined);
    const { event, key } = this.pending.attention!;
    this.pending.attention = undefined;
    await this.serial.run(() =>
      this.commitNow({
        step: 'attention resolved',
        events: [key],
        note: (r) => {
          r.status = resumeStatus;
          delete r.attention;
        },
        audit: [
          {
            kind: 'attention_resolved',
            said: say('audit_attention_resolved', { decision: event.decision, reason: event.reason }),
            by: event.actor,
            eventId: event.eventId,
          },
        ],
      }),
    );
    if (event.decision === 'cancel') this.pending.cancellation = { reason: event.reason, by: event.actor };
    return event.decision;
  }

  /** A handler's own commit: a refusal goes back to its caller, and nothing changes. */
  private async commitFromHandler(change: Change): Promise<void> {
    try {
      await this.serial.run(() => this.commitNow(change));
    } catch (err) {
      const refusals = refusalsOf(err);
      for (const key of change.events ?? []) this.inFlight.delete(key.eventId);
      if (refusals) reject(refusals);
      throw err;
    }
  }

  private answer(key: EventKey): EventAnswer {
    return { bdcId: this.bdcId, ...key, status: this.record.status, version: this.record.version };
  }

  // ——— search attributes: one upsert per transition at most, of what admins filter on ———

  private wantedAttributes() {
    return {
      status: this.record.status,
      next: nextDeadline(this.record.deadlines)?.at ?? null,
      overdue: this.record.reimbursementOverdue,
    };
  }

  private publish(): void {
    const wanted = this.wantedAttributes();
    const changes: SearchAttributeUpdatePair[] = [];
    if (wanted.status !== this.published.status)
      changes.push({ key: bdcSearchAttributes.status, value: wanted.status });
    if (wanted.next !== this.published.next)
      changes.push({ key: bdcSearchAttributes.nextDeadline, value: wanted.next ? new Date(wanted.next) : null });
    if (wanted.overdue !== this.published.overdue)
      changes.push({ key: bdcSearchAttributes.overdue, value: wanted.overdue });
    if (changes.length) upsertSearchAttributes(changes);
    this.published = wanted;
    const a = this.record.amounts;
    setCurrentDetails(
      [
        `**${this.record.status}**${this.record.reimbursementOverdue ? ' — reimbursement overdue' : ''}${this.record.attention ? ` — ${this.record.attention.reason}` : ''}`,
        `ceiling ${formatEuros(a.ceilingCents)} €, paid ${formatEuros(a.paidCents)} €, to reimburse ${formatEuros(outstandingCents(this.record))} €`,
        wanted.next
          ? `next deadline: ${nextDeadline(this.record.deadlines)!.name} ${wanted.next}`
          : 'no pending deadline',
      ].join('\n\n'),
    );
  }

  // ——— continue-as-new: a BDC lives for months; its history stays bounded ———

  private idle(): boolean {
    const p = this.pending;
    return !p.decision && !p.va && !p.cancellation && !p.attention && this.inFlight.size === 0 && allHandlersFinished();
  }

  private mayContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested && this.idle();
  }

  private async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<(input: BdcWorkflowInput) => Promise<BdcRecord>>({
      ...this.input,
      resume: { record: this.record, events: this.events, auditSeq: this.auditSeq },
    });
  }

  // ——— a workflow cancellation through Temporal ———

  private cancelledThroughTemporal(): void {
    const blocked = this.ended()
      ? `it has ended (${this.record.status})`
      : this.record.va || this.pending.va
        ? 'its VA is accepted'
        : this.record.status === 'needs_attention'
          ? "it needs an operator's decision"
          : undefined;
    if (blocked) {
      log.warn('workflow cancellation ignored', { bdcId: this.bdcId, why: blocked });
      return;
    }
    this.pending.cancellation ??= {
      reason: say('end_workflow_cancelled').message,
      by: { role: 'admin', id: 'temporal' },
    };
  }

  // ——— handlers: validate, hand over, answer once recorded ———

  private setHandlers(): void {
    setHandler(bdcMessages.state, () => this.record);

    this.onEvent(
      bdcMessages.referencementDossierFiled,
      eventForm.dossierFiled,
      (e) => this.dossierRefusals(e),
      (e, key) =>
        this.commitFromHandler({
          step: 'dossier',
          events: [key],
          note: (r) => {
            r.referencement.dossierFiledAt = e.filedAt;
            settle(r, 'dossier', 'met');
          },
          audit: [
            {
              kind: 'dossier_filed',
              said: say('audit_dossier_filed', { filedAt: e.filedAt }),
              by: e.actor,
              eventId: e.eventId,
            },
          ],
        }),
    );

    this.onEvent(
      bdcMessages.referencementDecided,
      eventForm.referencementDecided,
      () =>
        this.record.status !== 'awaiting_referencement' || this.pending.decision || this.pending.cancellation
          ? refusal(
              'wrong_state',
              say('decision_not_awaited', {
                referencement: this.record.referencement.state,
                status: this.record.status,
              }),
              'status',
              this.record.status,
            )
          : [],
      (event, key) => this.handOver('decision', { event, key }),
    );

    this.onEvent(
      bdcMessages.vaSubmitted,
      () => [],
      (e) => vaRefusals(this.asValidatorSees(), e),
      (event, key) => this.handOver('va', { event, key }),
    );

    this.onEvent(
      bdcMessages.cancellationRequested,
      eventForm.cancellationRequested,
      () => this.cancellationRefusals(),
      (event, key) => this.handOver('cancellation', { reason: event.reason, by: event.actor, key }),
    );

    this.onEvent(
      bdcMessages.reimbursementReceived,
      eventForm.reimbursementReceived,
      (e) => this.receiptRefusals(e),
      async (e, key) => {
        this.receiving += e.amountCents;
        try {
          await this.commitFromHandler({
            step: 'receipt',
            events: [key],
            effect: {
              kind: 'reimbursementReceipt',
              eventId: e.eventId,
              amountCents: e.amountCents,
              receivedAt: e.receivedAt,
            },
            applied: (r) => {
              r.amounts.reimbursedCents += e.amountCents;
            },
            effectAudit: [
              {
                kind: 'reimbursement_received',
                said: say('audit_reimbursement_received', { amountCents: e.amountCents, receivedAt: e.receivedAt }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
          });
        } finally {
          this.receiving -= e.amountCents;
        }
      },
    );

    this.onEvent(
      bdcMessages.calendarAmended,
      eventForm.calendarAmended,
      () =>
        this.ended()
          ? refusal('bdc_ended', say('milestone_passed', { status: this.record.status }), 'status', this.record.status)
          : [],
      async (e, key) => {
        await this.commitFromHandler({
          step: 'calendar amendment',
          events: [key],
          note: (r) => {
            for (const [name, at] of [
              ['orderDeadline', e.orderDeadline],
              ['closing', e.closing],
            ] as const) {
              const d = r.deadlines.find((x) => x.name === name);
              if (!at || !d || d.at === at) continue;
              // a milestone already met or missed stays so: only pending deadlines move
              if (d.state === 'pending' || name === 'orderDeadline')
                Object.assign(d, { at, source: `amendment ${e.eventId}` });
              // the moved closing is reminded on its new plan (the batch planned it from the campaign); an
              // amendment that brings none leaves it without reminders rather than with the old date's
              if (name === 'closing' && d.state === 'pending' && (e.closingReminders || d.reminders))
                d.reminders = e.closingReminders;
            }
          },
          audit: [
            {
              kind: 'calendar_amended',
              said: say('audit_calendar_amended', { reason: e.reason }),
              by: e.actor,
              eventId: e.eventId,
            },
          ],
        });
        this.calendarVersion++;
      },
    );

    this.onEvent(
      bdcMessages.attentionResolved,
      eventForm.attentionResolved,
      (e) => this.attentionRefusals(e),
      (event, key) => this.handOver('attention', { event, key }),
    );

    // an overdue reimbursement: handed over for recovery (the BDC still waits for the money), or written off (it ends)
    this.onEvent(
      bdcMessages.reimbursementSettled,
      eventForm.reimbursementSettled,
      (e) => this.settlementRefusals(e),
      (e, key) => {
        const by = { reason: e.reason, by: e.actor, at: this.now(), eventId: e.eventId };
        if (e.decision === 'escalate') {
          return this.commitFromHandler({
            step: 'escalation',
            events: [key],
            note: (r) => void (r.escalated = by),
            audit: [
              {
                kind: 'reimbursement_escalated',
                said: say('audit_escalated', { reason: e.reason }),
                by: e.actor,
                eventId: e.eventId,
              },
            ],
          });
        }
        const amountCents = outstandingCents(this.record) - this.receiving;
        return this.commitFromHandler({
          step: 'write-off',
          events: [key],
          effect: { kind: 'writeOff', amountCents, reason: e.reason },
          applied: (r) => {
            r.amounts.writtenOffCents = (r.amounts.writtenOffCents ?? 0) + amountCents;
            r.writtenOff = by;
          },
          effectAudit: [
            {
              kind: 'reimbursement_written_off',
              said: say('audit_written_off', { amountCents, reason: e.reason }),
              by: e.actor,
              eventId: e.eventId,
            },
          ],
        });
      },
    );
  }

  /**
   * Registers an event's update: the validator checks its form, recognises a duplicate (same id,
   * same kind and content) or refuses a reused id, then the business rules; the handler accepts it
   * and answers once it is recorded.
   */
  private onEvent<E extends BdcEvent>(
    definition: UpdateDefinition<EventAnswer, [E]>,
    form: (raw: unknown) => Refusal[],
    refusals: (e: E) => Refusal[],
    accept: (e: E, key: EventKey) => Promise<void>,
  ): void {
    const kind = definition.name;
    setHandler(
      definition,
      // an event accepted is recorded, even once the workflow is being cancelled
      (e) =>
        CancellationScope.nonCancellable(async () => {
          if (!this.events[e.eventId] && !this.inFlight.has(e.eventId)) {
            const key = { eventId: e.eventId, kind, hash: eventHash(kind, e) };
            this.inFlight.set(e.eventId, key);
            await accept(e, key);
          }
          await condition(() => this.events[e.eventId] !== undefined);
          return this.events[e.eventId]!.answer;
        }),
      {
        validator: (e) => {
          const problems = form(e);
          if (problems.length) reject(problems);
          const known = this.events[e.eventId] ?? this.inFlight.get(e.eventId);
          if (known) {
            if (known.kind === kind && known.hash === eventHash(kind, e)) return;
            reject(
              refusal(
                'event_id_reused',
                say('event_id_reused', { eventId: e.eventId, kind: known.kind, same: known.kind === kind }),
                'eventId',
                e.eventId,
              ),
            );
          }
          const business = refusals(e);
          if (business.length) reject(business);
        },
      },
    );
  }

  /** Gives an accepted event to the main line, which records it with its consequence. */
  private async handOver<K extends 'decision' | 'va' | 'cancellation' | 'attention'>(
    slot: K,
    value: NonNullable<BdcLifecycle['pending'][K]>,
  ): Promise<void> {
    this.pending[slot] = value;
  }

  /** The state as validators judge it: the events handed over count as accepted. */
  private asValidatorSees() {
    const { va, cancellation } = this.pending;
    return {
      ...this.record,
      va:
        this.record.va ??
        (va && {
          signedAt: va.event.va.signedAt,
          invoiceNumber: va.event.invoice.number,
          invoiceCents: va.event.invoice.amountCents,
          acceptedAt: '',
          eventId: va.event.eventId,
        }),
      cancellation:
        this.record.cancellation ??
        (cancellation && {
          reason: cancellation.reason,
          by: cancellation.by,
          eventId: cancellation.key?.eventId ?? '',
          at: '',
        }),
    };
  }

  private dossierRefusals(e: DossierFiled): Refusal[] {
    const { referencement, status } = this.record;
    if (referencement.state !== 'pending' || this.ended() || status === 'needs_attention')
      return refusal(
        'wrong_state',
        say('dossier_not_awaited', { referencement: referencement.state, status }),
        'status',
        status,
      );
    if (referencement.dossierFiledAt)
      return refusal(
        'already_filed',
        say('already_filed', { filedAt: referencement.dossierFiledAt }),
        'filedAt',
        e.filedAt,
      );
    const due = this.record.deadlines.find((d) => d.name === 'dossier');
    if (due && Date.parse(e.filedAt) > Date.parse(due.at))
      return refusal('dossier_late', say('dossier_late', { due: due.at }), 'filedAt', e.filedAt);
    if (Date.parse(e.filedAt) > Date.now()) return refusal('in_future', say('filing_in_future'), 'filedAt', e.filedAt);
    if (Date.parse(e.filedAt) < Date.parse(this.record.orderDayStartsAt))
      return refusal(
        'before_order',
        say('filing_before_order', { orderDate: this.record.request.orderDate }),
        'filedAt',
        e.filedAt,
      );
    return [];
  }

  private cancellationRefusals(): Refusal[] {
    const seen = this.asValidatorSees();
    if (seen.va)
      return refusal(
        'va_accepted',
        say('not_cancellable_va', { invoice: seen.va.invoiceNumber }),
        'status',
        this.record.status,
      );
    if (this.record.status === 'needs_attention')
      return refusal('needs_attention', say('not_cancellable_attention'), 'status', this.record.status);
    if (this.ended() || seen.cancellation || this.record.status === 'reimbursement_due')
      return refusal(
        'wrong_state',
        say('not_cancellable', { status: this.record.status, pending: Boolean(seen.cancellation) }),
        'status',
        this.record.status,
      );
    return [];
  }

  private receiptRefusals(e: ReimbursementReceipt): Refusal[] {
    const { status, demand } = this.record;
    if (status !== 'reimbursement_due' || !demand)
      return refusal('wrong_state', say('no_reimbursement_due', { status }), 'status', status);
    const outstanding = outstandingCents(this.record) - this.receiving;
    if (e.amountCents > outstanding)
      return refusal(
        'more_than_due',
        say('more_than_due', { amountCents: e.amountCents, dueCents: outstanding }),
        'amountCents',
        e.amountCents,
      );
    if (Date.parse(e.receivedAt) > Date.now())
      return refusal('in_future', say('receipt_in_future'), 'receivedAt', e.receivedAt);
    if (Date.parse(e.receivedAt) < Date.parse(demand.issuedDayStartsAt))
      return refusal(
        'before_demand',
        say('receipt_before_demand', { issuedAt: demand.issuedAt }),
        'receivedAt',
        e.receivedAt,
      );
    return [];
  }

  private settlementRefusals(e: ReimbursementSettlement): Refusal[] {
    const { status, reimbursementOverdue } = this.record;
    if (status !== 'reimbursement_due' || !reimbursementOverdue)
      return refusal('not_overdue', say('not_overdue', { status }), 'status', status);
    if (e.decision === 'escalate' && this.record.escalated)
      return refusal('already_escalated', say('already_escalated'), 'decision', e.decision);
    if (outstandingCents(this.record) - this.receiving <= 0)
      return refusal('wrong_state', say('no_reimbursement_due', { status }), 'status', status);
    return [];
  }

  private attentionRefusals(e: AttentionDecision): Refusal[] {
    if (this.record.status !== 'needs_attention' || this.pending.attention)
      return refusal(
        'wrong_state',
        say('attention_not_needed', { status: this.record.status }),
        'status',
        this.record.status,
      );
    if (e.decision === 'cancel' && this.record.amounts.paidCents > 0)
      return refusal('already_paid', say('attention_already_paid'), 'decision', e.decision);
    return [];
  }
}

function settle(r: BdcRecord, name: DeadlineName, state: Deadline['state']): void {
  const d = r.deadlines.find((x) => x.name === name);
  if (d && d.state === 'pending') d.state = state;
}
