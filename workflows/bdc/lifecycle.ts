import {
  CancellationScope,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { bdcMessages, type BdcLifecycleWorkflow } from '../../contract/bdc';
import type {
  Actor,
  BdcRecord,
  BdcWorkflowInput,
  Deadline,
  DeadlineName,
  EventAnswer,
  Reminder,
} from '../../domain/bdc-view';
import { terminalStatuses } from '../../domain/bdc-view';
import { eventForm, type AttentionDecision, type ReferencementDecision } from '../../domain/events';
import { refusalOf, type Refusal } from '../../domain/refusal';
import { initialRecord, outstandingCents } from '../../domain/lifecycle';
import { say, type Said } from '../../domain/messages';
import {
  amendmentRefusals,
  bdcAttentionRefusals,
  cancellationRefusals,
  decisionRefusals,
  dossierRefusals,
  receiptRefusals,
  settlementRefusals,
  submissionRefusals,
  type BdcPending,
} from '../../domain/rules/bdc';
import { pendingProposal, type Proposal } from '../../domain/proposals';
import type { VaSubmission } from '../../domain/va';
import type { AuditLine, EventKey } from '../kernel/events';
import { dates, RecordedProcess, type Change, type Step } from '../kernel/process';
import { waitForDeadline } from './deadlines';
import { publish, publishedOf, type Published } from './visibility';

type Pending<E> = { event: E; key: EventKey };

/**
 * One BDC, from registration to its end (DOMAIN.md "Lifecycle"): référencement, the 30 % advance,
 * the VA and invoice, the balance, the cutoffs, and the advance demanded back when the work is not
 * proven in time. The main line is a small state machine over the record's status; handlers check
 * an event against the rules (domain/rules/bdc.ts), then record it or hand it to the main line.
 */
export class BdcLifecycle extends RecordedProcess<BdcRecord, EventAnswer> {
  /** events accepted by a handler and handed to the main line, not yet recorded */
  private readonly pending: {
    decision?: Pending<ReferencementDecision>;
    va?: Pending<VaSubmission>;
    cancellation?: { reason: string; by: Actor; key?: EventKey };
  } = {};
  /** the cancellation the main line is writing the BDC's end with */
  private taking?: BdcLifecycle['pending']['cancellation'];
  /** cents of receipts being recorded */
  private receiving = 0;
  /** VAs being recorded by their handler (the main line was not waiting for one) */
  private vaRecording = 0;
  private calendarVersion = 0;
  private published: Published;

  constructor(private readonly input: BdcWorkflowInput) {
    const registration = input.registeredBy.eventId;
    super(
      { process: 'bdc', id: input.bdcId, bdcId: input.bdcId },
      input.resume ?? { record: initialRecord(input), events: {}, auditSeq: 1 }, // intake wrote the registration at 0
    );
    if (!input.resume) {
      const key = { eventId: registration, kind: 'registration', hash: 'registration' };
      this.book.recorded(key, this.answer(key));
    }
    // what intake (or the previous run) set on the workflow: published again only when it changes
    this.published = publishedOf(this.record);
  }

  async run(): Promise<BdcRecord> {
    this.setHandlers();
    // A workflow cancellation (the Web UI's "Request Cancellation") goes the operator's way: the
    // money is settled before the workflow ends, and it ends COMPLETED, never CANCELED or FAILED.
    CancellationScope.current().cancelRequested.catch(() => this.cancelledThroughTemporal());
    await CancellationScope.nonCancellable(async () => {
      while (!this.ended()) {
        if (this.mayContinueAsNew())
          await continueAsNew<BdcLifecycleWorkflow>({ ...this.input, resume: this.snapshot() });
        await this.step();
      }
      await condition(() => this.quiet());
    });
    return this.record;
  }

  private get bdcId() {
    return this.input.bdcId;
  }

  private ended(): boolean {
    return terminalStatuses.includes(this.record.status);
  }

  protected answer(key: EventKey): EventAnswer {
    return { bdcId: this.bdcId, ...key, status: this.record.status, version: this.record.version };
  }

  protected override committed(): void {
    this.published = publish(this.record, this.published);
    this.refuseUntaken();
  }

  /** Whether the main line, where the record now stands, may still take an event of this kind handed to it. */
  private takes(kind: keyof BdcLifecycle['pending']): boolean {
    const { status, proposals } = this.record;
    // an operator's decision on a refused step puts the main line back where it stood
    if (status === 'needs_attention') return true;
    switch (kind) {
      case 'decision':
        return status === 'awaiting_referencement';
      case 'va':
        // (handed over while the advance awaited its validation only by runs before va-recorded-before-advance-paid)
        return (
          ['advance_issued', 'awaiting_va'].includes(status) ||
          (status === 'awaiting_validation' && pendingProposal(proposals)?.kind === 'advance')
        );
      case 'cancellation':
        return (
          ['awaiting_referencement', 'advance_issued', 'awaiting_va'].includes(status) ||
          // the advance awaiting its validation, or just withdrawn by the cancellation the main line now ends with
          (status === 'awaiting_validation' && (pendingProposal(proposals)?.kind ?? 'advance') === 'advance')
        );
    }
  }

  /**
   * An event handed to the main line that it will no longer take — the BDC moved on while the event
   * waited for its turn, as a cancellation arriving while a refusal of référencement ends the BDC — is
   * judged again against the record as it now is, and refused. It used to wait for ever, and the
   * workflow with it (the money property's seed 127432978).
   */
  private refuseUntaken(): void {
    for (const kind of ['decision', 'va', 'cancellation'] as const) {
      const handed = this.pending[kind];
      // taken by the commit just made: the main line lets go of it once that commit returns
      if (!handed || handed === this.taking || this.takes(kind) || (handed.key && this.book.seen[handed.key.eventId]))
        continue;
      if (!patched('untaken-events-refused')) return;
      this.pending[kind] = undefined;
      if (handed.key) this.book.refused(handed.key.eventId, this.judgedNow(kind, handed));
      else log.warn('workflow cancellation ignored', { bdcId: this.bdcId, why: `it is ${this.record.status}` });
    }
  }

  /** What the rules say now of an event handed over and not taken, or that the BDC moved on without it. */
  private judgedNow<K extends keyof BdcLifecycle['pending']>(
    kind: K,
    handed: NonNullable<BdcLifecycle['pending'][K]>,
  ): Refusal[] {
    const seen = this.rulesSee();
    const now = Date.now();
    const said =
      'event' in handed
        ? kind === 'decision'
          ? decisionRefusals(this.record, seen, now, handed.event as ReferencementDecision)
          : submissionRefusals(this.record, seen, now, handed.event)
        : cancellationRefusals(this.record, seen);
    return said.length
      ? said
      : [
          refusalOf(
            'wrong_state',
            say('event_not_taken', { status: this.record.status }),
            'status',
            this.record.status,
          ),
        ];
  }

  protected override attentionRules(e: AttentionDecision) {
    return bdcAttentionRefusals(this.record, e);
  }

  protected override attentionCancelled(e: AttentionDecision): void {
    // a person's cancellation handed over before the step was refused ends the BDC: it is recorded, not lost
    if (this.pending.cancellation?.key && patched('untaken-events-refused')) return;
    this.pending.cancellation = { reason: e.reason, by: e.actor };
  }

  protected override quiet(): boolean {
    const p = this.pending;
    return !p.decision && !p.va && !p.cancellation && super.quiet();
  }

  /** The history grew long and nothing is in flight: the BDC continues as new from its state. */
  private mayContinueAsNew(): boolean {
    return workflowInfo().continueAsNewSuggested && this.quiet();
  }

  // ——— the main line: one step per status until the BDC ends ———

  private async step(): Promise<void> {
    switch (this.record.status) {
      case 'awaiting_referencement':
        return this.awaitReferencement();
      case 'advance_issued':
        return this.orderAdvance();
      case 'awaiting_va':
        return this.awaitVa();
      case 'reimbursement_due':
        return this.awaitReimbursement();
      case 'awaiting_validation':
        // a run continued as new while its money waited for the ordonnateurs: it waits on
        return this.awaitPendingMoney();
      default:
        // needs_attention is waited on where it arises; nothing else stays between commits
        throw new Error(`BDC ${this.bdcId}: no step for status ${this.record.status}`);
    }
  }

  private waitFor(done: () => boolean, names: DeadlineName[]): Promise<Deadline | undefined> {
    return waitForDeadline(
      {
        record: () => this.record,
        calendarVersion: () => this.calendarVersion,
        mayContinueAsNew: () => this.mayContinueAsNew(),
        remind: (name, reminder) => this.remind(name, reminder),
      },
      done,
      names,
    );
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
        note: {
          apply: (r) => {
            r.referencement = {
              ...r.referencement,
              state: event.decision,
              decidedAt: event.decidedAt,
              decidedBy: event.actor,
            };
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
        },
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

  /**
   * The advance, proposed to the ordonnateurs: the operator who recorded the decision that makes it
   * due (or registered a BDC already référencé) may not validate it. A cancellation, or the closing
   * passing, before its validation withdraws it: nothing is paid.
   */
  private async orderAdvance(): Promise<void> {
    const { cancellation } = this.pending;
    if (cancellation) return this.endUnpaid('cancelled', say('end_cancelled_unpaid', { reason: cancellation.reason }));
    const causedBy = this.record.referencement.decidedBy ?? this.input.registeredBy.actor;
    const outcome = await this.propose(
      'advance',
      { kind: 'advance', amountCents: this.record.amounts.advanceCents, causedBy },
      { apply: (r) => void (r.status = 'awaiting_validation') },
    );
    // withdrawn by a cancellation or the closing; or rejected, and an operator cancelled the BDC
    if (outcome !== 'validated') await this.afterWithdrawnAdvance();
  }

  /** An advance withdrawn before its validation: the BDC ends as its cancellation or its closing says, unpaid. */
  private async afterWithdrawnAdvance(): Promise<void> {
    const { cancellation } = this.pending;
    if (cancellation) return this.endUnpaid('cancelled', say('end_cancelled_unpaid', { reason: cancellation.reason }));
    await this.endUnpaid('lapsed', say('end_closing_without_va'), 'closing');
  }

  /** Waits for the money a run continued as new left proposed. */
  private async awaitPendingMoney(): Promise<void> {
    const pending = pendingProposal(this.record.proposals);
    if (!pending) throw new Error(`BDC ${this.bdcId}: awaiting validation of nothing`);
    const outcome = await this.propose(pending.kind, { kind: pending.kind, amountCents: pending.amountCents });
    if (outcome !== 'validated' && pending.kind === 'advance') await this.afterWithdrawnAdvance();
  }

  /** While the advance waits for its validation, a cancellation or the closing withdraws it. */
  protected override async awaitProposalDecision(
    decided: () => boolean,
    proposal: Proposal,
  ): Promise<string | undefined> {
    for (;;) {
      const interruptible = proposal.kind === 'advance';
      const passed = await this.waitFor(
        () => decided() || (interruptible && this.pending.cancellation !== undefined),
        interruptible ? ['closing'] : [],
      );
      if (decided()) return undefined;
      if (interruptible && this.pending.cancellation) return 'cancellation';
      if (interruptible && passed) return 'closing';
      if (this.mayContinueAsNew())
        await continueAsNew<BdcLifecycleWorkflow>({ ...this.input, resume: this.snapshot() });
    }
  }

  /** The money a proposal writes once validated. */
  protected async executed(p: Proposal): Promise<NonNullable<Change<BdcRecord>['effect']>> {
    switch (p.kind) {
      case 'advance':
        return {
          effects: [{ kind: 'paymentOrder', order: 'advance', amountCents: p.amountCents }],
          apply: (r) => {
            r.amounts.paidCents += p.amountCents;
            r.status = 'awaiting_va';
          },
          audit: [
            { kind: 'advance_ordered', said: say('audit_advance_ordered', { amountCents: p.amountCents }) },
            // a VA recorded while the advance awaited its validation is not awaited any more
            ...(this.record.va ? [] : [{ kind: 'awaiting_va', said: say('audit_awaiting_va') }]),
          ],
        };
      case 'balance':
        return {
          effects: [{ kind: 'paymentOrder', order: 'balance', amountCents: p.amountCents }],
          apply: (r) => {
            r.amounts.paidCents += p.amountCents;
            workProven(r);
          },
          audit: [
            { kind: 'balance_ordered', said: say('audit_balance_ordered', { amountCents: p.amountCents }) },
            completedLine(this.record.amounts.paidCents + p.amountCents),
          ],
        };
      case 'reimbursement':
        return this.demand(p.amountCents, p.details?.reason ?? '', p.details?.endsAs ?? 'reimbursed');
      case 'writeOff': {
        // what is still due when it is validated (receipts may have come meanwhile)
        const amountCents = Math.min(p.amountCents, outstandingCents(this.record) - this.receiving);
        const reason = p.details?.reason ?? '';
        return {
          effects: [{ kind: 'writeOff', amountCents, reason }],
          apply: (r) => {
            r.amounts.writtenOffCents = (r.amounts.writtenOffCents ?? 0) + amountCents;
            r.writtenOff = { reason, by: p.proposedBy, at: this.now(), eventId: p.id };
          },
          audit: [
            {
              kind: 'reimbursement_written_off',
              said: say('audit_written_off', { amountCents, reason }),
              by: p.proposedBy,
            },
          ],
        };
      }
      default:
        throw new Error(`BDC ${this.bdcId}: no money of kind ${p.kind}`);
    }
  }

  protected override fourEyesThresholdCents(): number | undefined {
    return this.record.campaign.fourEyesThresholdCents;
  }

  private async awaitVa(): Promise<void> {
    // a VA recorded by its handler while the advance was being written (or still being recorded): its
    // money follows; the closing passing meanwhile does not undo a VA accepted before it
    const early = () => this.record.va !== undefined || this.vaRecording > 0;
    const passed = await this.waitFor(
      () => early() || this.pending.va !== undefined || this.pending.cancellation !== undefined,
      ['closing'],
    );
    if (early()) {
      await condition(() => this.vaRecording === 0);
      if (this.record.va) return this.vaMoneyAfterAdvance();
    }
    const { cancellation, va } = this.pending;
    // once a cancellation is accepted no VA is, and the reverse: at most one of them is pending
    if (cancellation)
      return this.demandAdvanceBack(say('end_cancelled_after_advance', { reason: cancellation.reason }));
    if (va) return this.acceptVa(va);
    if (passed) await this.demandAdvanceBack(say('end_closing_without_va'), 'closing');
  }

  /**
   * A valid VA: recorded at once (the closing is met), then its money proposed — the balance, or,
   * when the invoice is below the advance, the difference demanded back; a balance of nothing
   * completes the BDC.
   */
  private async acceptVa({ event, key }: Pending<VaSubmission>): Promise<void> {
    await this.commit({ step: 'va', events: [key], note: this.vaRecorded(event, true) });
    this.pending.va = undefined;
    await this.proposeVaMoney(event.actor);
  }

  /**
   * The VA and invoice written on the record, the closing met. `settles` also moves the BDC on when
   * the main line takes the VA; a VA recorded while the advance awaits its validation leaves that wait
   * alone, and its money is proposed once the advance is paid (`awaitVa`).
   */
  private vaRecorded(event: VaSubmission, settles: boolean): Step<BdcRecord> {
    const { amounts } = this.record;
    const financed = Math.min(amounts.ceilingCents, event.invoice.amountCents);
    const balance = financed - amounts.advanceCents;
    const line = (kind: string, said: Said): AuditLine => ({ kind, said, by: event.actor, eventId: event.eventId });
    return {
      apply: (r) => {
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
        if (!settles) return;
        if (balance === 0) workProven(r);
        else r.status = 'awaiting_validation';
      },
      audit: [
        line(
          'va_accepted',
          say('audit_va_accepted', {
            signedAt: event.va.signedAt,
            invoice: event.invoice.number,
            invoiceCents: event.invoice.amountCents,
          }),
        ),
        ...(event.documents
          ? [
              line(
                'va_documents',
                say('audit_documents', { va: event.documents.signedVa, invoice: event.documents.invoice }),
              ),
            ]
          : []),
        ...(settles && balance === 0 ? [completedLine(amounts.paidCents)] : []),
      ],
    };
  }

  /** The money a VA recorded makes due: the balance, or the advance above what is financed demanded back. */
  private async proposeVaMoney(causedBy: Actor | undefined, note?: Step<BdcRecord>): Promise<void> {
    const balance = this.record.amounts.balanceCents ?? 0;
    const cause = causedBy ? { causedBy } : {};
    if (balance > 0) await this.propose('balance', { kind: 'balance', amountCents: balance, ...cause }, note);
    // the advance exceeds what is financed: the difference is demanded back
    else if (balance < 0)
      await this.propose(
        'reimbursement',
        {
          kind: 'reimbursement',
          amountCents: -balance,
          ...cause,
          details: { reason: say('end_advance_exceeds_financed').message, endsAs: 'completed' },
        },
        note,
      );
  }

  /** A VA recorded while the advance awaited its validation: now the advance is paid, its money follows. */
  private async vaMoneyAfterAdvance(): Promise<void> {
    const balance = this.record.amounts.balanceCents ?? 0;
    if (balance === 0) {
      await this.commit({
        step: 'va money',
        note: { apply: workProven, audit: [completedLine(this.record.amounts.paidCents)] },
      });
      return;
    }
    // who sent the VA is an éditeur, never an ordonnateur: no cause to keep from validating
    await this.proposeVaMoney(undefined, { apply: (r) => void (r.status = 'awaiting_validation') });
  }

  /** The advance is not justified: demanded back (once an ordonnateur validated it), tracked to receipt; the ESSMS are freed once received. */
  private async demandAdvanceBack(why: Said, missed?: DeadlineName): Promise<void> {
    const cancellation = (this.taking = this.pending.cancellation);
    await this.commit({
      step: cancellation ? 'cancellation' : 'lapse',
      events: cancellation?.key ? [cancellation.key] : [],
      note: {
        apply: (r) => {
          if (missed) settle(r, missed, 'missed');
          for (const d of r.deadlines) if (d.state === 'pending') d.state = 'moot';
          r.outcome = why.message;
          if (cancellation) r.cancellation = this.cancellationRecord(cancellation);
          r.status = 'awaiting_validation';
        },
        audit: [this.cancellationLine(), { kind: cancellation ? 'cancelled' : 'lapsed', said: why }].filter(
          (l): l is AuditLine => l !== undefined,
        ),
      },
    });
    this.letGoOf(cancellation);
    await this.propose('reimbursement', {
      kind: 'reimbursement',
      amountCents: this.record.amounts.paidCents,
      ...(cancellation ? { causedBy: cancellation.by } : {}),
      details: { reason: say('end_advance_not_justified', { why: why.message }).message, endsAs: 'reimbursed' },
    });
  }

  /** A reimbursement demand of `amountCents`, due at the end of a Paris day `reimbursementDueDays` from now. */
  private async demand(
    amountCents: number,
    reason: string,
    endsAs: 'reimbursed' | 'completed',
  ): Promise<NonNullable<Change<BdcRecord>['effect']>> {
    const issuedAt = this.now();
    const { reimbursementDueDays: days, reminderOffsetsDays, reminderOffsetsMinutes } = this.record.campaign;
    // the due date's reminders at the campaign's offsets (none when the campaign has none)
    const { dueAt, issuedDayStartsAt, reminders } = await dates.dueDate({
      issuedAt,
      days,
      reminders: { reminderOffsetsDays, reminderOffsetsMinutes },
    });
    return {
      effects: [{ kind: 'demand', amountCents, reason, dueAt }],
      apply: (r) => {
        r.amounts.toReimburseCents += amountCents;
        r.demand = { amountCents, reason, dueAt, issuedAt, issuedDayStartsAt, endsAs };
        r.deadlines.push({
          name: 'reimbursementDue',
          at: dueAt,
          source: `demand + ${r.campaign.reimbursementDueDays} days`,
          state: 'pending',
          ...(reminders?.length ? { reminders } : {}),
        });
        r.status = 'reimbursement_due';
      },
      audit: [
        {
          kind: 'reimbursement_demanded',
          said: say('audit_reimbursement_demanded', { amountCents, reason, dueAt }),
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
        note: {
          apply: (r) => {
            settle(r, 'reimbursementDue', 'moot');
            r.status = 'written_off';
            r.outcome = say('audit_written_off', {
              amountCents: r.amounts.writtenOffCents ?? 0,
              reason: r.writtenOff?.reason ?? '',
            }).message;
          },
        },
      });
    } else if (settled()) {
      const endsAs = this.record.demand?.endsAs ?? 'reimbursed';
      await this.commit({
        step: 'reimbursement complete',
        effect: {
          effects: endsAs === 'reimbursed' ? [{ kind: 'releaseClaims' }] : [],
          apply: (r) => {
            settle(r, 'reimbursementDue', 'met');
            r.status = endsAs;
          },
          audit: [
            {
              kind: endsAs,
              said: say('audit_reimbursement_complete', { amountCents: this.record.amounts.reimbursedCents }),
            },
          ],
        },
      });
    } else if (passed) {
      // flagged, never dropped: the BDC goes on waiting for the money
      await this.commit({
        step: 'reimbursement overdue',
        note: {
          apply: (r) => {
            settle(r, 'reimbursementDue', 'missed');
            r.reimbursementOverdue = true;
          },
          audit: [{ kind: 'reimbursement_overdue', said: say('audit_reimbursement_overdue') }],
        },
      });
    }
  }

  /** The BDC ends without any money paid: nothing kept, its ESSMS freed. */
  private async endUnpaid(
    status: 'lapsed' | 'cancelled' | 'rejected',
    why: Said,
    missed?: DeadlineName,
  ): Promise<void> {
    const cancellation = (this.taking = this.pending.cancellation);
    await this.commit({
      step: status,
      events: cancellation?.key ? [cancellation.key] : [],
      note: {
        apply: (r) => {
          if (missed) settle(r, missed, 'missed');
          if (cancellation) r.cancellation = this.cancellationRecord(cancellation);
        },
        audit: [this.cancellationLine()].filter((l): l is AuditLine => l !== undefined),
      },
      effect: {
        effects: [{ kind: 'releaseClaims' }],
        apply: (r) => {
          for (const d of r.deadlines) if (d.state === 'pending') d.state = 'moot';
          r.status = status;
          r.outcome = why.message;
        },
        audit: [{ kind: status, said: why, ...(cancellation ? { by: cancellation.by } : {}) }],
      },
    });
    this.letGoOf(cancellation);
  }

  /** The cancellation the main line took is recorded; one sent while it was written is not it. */
  private letGoOf(cancellation: BdcLifecycle['pending']['cancellation']): void {
    this.taking = undefined;
    if (this.pending.cancellation === cancellation || !patched('untaken-events-refused'))
      this.pending.cancellation = undefined;
  }

  private cancellationRecord(c: NonNullable<BdcLifecycle['pending']['cancellation']>) {
    return { reason: c.reason, by: c.by, eventId: c.key?.eventId ?? '', at: this.now() };
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

  /** Reminds the éditeur of a deadline, once: the reminder is marked sent and its notification queued in one commit. */
  private async remind(name: DeadlineName, reminder: Reminder): Promise<void> {
    const deadline = this.record.deadlines.find((d) => d.name === name)!;
    const { request, status } = this.record;
    await this.commit({
      step: 'reminder',
      note: {
        apply: (r) => {
          const sent = r.deadlines.find((d) => d.name === name)?.reminders?.find((x) => x.at === reminder.at);
          if (sent) sent.sent = true;
        },
        audit: [
          {
            kind: 'reminder_sent',
            said: say('audit_reminder_sent', { deadline: name, before: reminder.before, at: reminder.at }),
          },
        ],
      },
      effect: {
        effects: [
          {
            kind: 'notify',
            notification: {
              key: `reminder:${this.bdcId}:${name}:${reminder.at}`,
              template: 'deadline_reminder',
              to: { party: 'editeur', id: request.editeurId },
              params: {
                bdcId: this.bdcId,
                reference: request.reference,
                deadline: name,
                deadlineAt: deadline.at,
                before: reminder.before,
                status,
                paidCents: this.record.amounts.paidCents,
                outstandingCents: outstandingCents(this.record),
              },
            },
          },
        ],
      },
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

  // ——— handlers: check the rules, then record or hand over; answer once recorded ———

  /** What the rules see besides the record: the events handed over, counted as accepted. */
  private rulesSee(): BdcPending {
    const { decision, va, cancellation } = this.pending;
    return {
      ...(decision ? { decision: decision.event } : {}),
      ...(va ? { va: va.event } : {}),
      ...(cancellation ? { cancellation } : {}),
      receivingCents: this.receiving,
    };
  }

  private setHandlers(): void {
    setHandler(bdcMessages.state, () => this.record);
    this.onAttention(bdcMessages.attentionResolved);
    this.onProposals(bdcMessages.proposalValidated, bdcMessages.proposalRejected);
    const rules =
      <E>(check: (r: BdcRecord, p: BdcPending, now: number, e: E) => ReturnType<typeof dossierRefusals>) =>
      (e: E) =>
        check(this.record, this.rulesSee(), Date.now(), e);

    this.book.on(bdcMessages.referencementDossierFiled, eventForm.dossierFiled, rules(dossierRefusals), (e, key) =>
      this.commitFromHandler({
        step: 'dossier',
        events: [key],
        note: {
          apply: (r) => {
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
        },
      }),
    );

    this.book.on(
      bdcMessages.referencementDecided,
      eventForm.referencementDecided,
      rules(decisionRefusals),
      async (event, key) => {
        this.pending.decision = { event, key };
      },
    );

    this.book.on(
      bdcMessages.vaSubmitted,
      () => [],
      rules(submissionRefusals),
      async (event, key) => {
        // issue 21: a VA sent while the advance awaited its ordonnateurs was answered only once they
        // validated, and the closing passing meanwhile withdrew the advance of proven work. The main line
        // takes a VA only while it waits for one; otherwise the VA is recorded here, at once.
        if (this.record.status !== 'awaiting_va' && patched('va-recorded-before-advance-paid')) {
          this.vaRecording++;
          try {
            return await this.commitFromHandler({ step: 'va', events: [key], note: this.vaRecorded(event, false) });
          } finally {
            this.vaRecording--;
          }
        }
        this.pending.va = { event, key };
      },
    );

    this.book.on(
      bdcMessages.cancellationRequested,
      eventForm.cancellationRequested,
      rules(cancellationRefusals),
      async (event, key) => {
        this.pending.cancellation = { reason: event.reason, by: event.actor, key };
      },
    );

    this.book.on(
      bdcMessages.reimbursementReceived,
      eventForm.reimbursementReceived,
      rules(receiptRefusals),
      async (e, key) => {
        this.receiving += e.amountCents;
        try {
          await this.commitFromHandler({
            step: 'receipt',
            events: [key],
            effect: {
              effects: [{ kind: 'receipt', eventId: e.eventId, amountCents: e.amountCents, receivedAt: e.receivedAt }],
              apply: (r) => {
                r.amounts.reimbursedCents += e.amountCents;
              },
              audit: [
                {
                  kind: 'reimbursement_received',
                  said: say('audit_reimbursement_received', { amountCents: e.amountCents, receivedAt: e.receivedAt }),
                  by: e.actor,
                  eventId: e.eventId,
                },
              ],
            },
          });
        } finally {
          this.receiving -= e.amountCents;
        }
      },
    );

    this.book.on(
      bdcMessages.calendarAmended,
      eventForm.calendarAmended,
      () => amendmentRefusals(this.record),
      async (e, key) => {
        await this.commitFromHandler({
          step: 'calendar amendment',
          events: [key],
          note: {
            apply: (r) => {
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
          },
        });
        this.calendarVersion++;
      },
    );

    // an overdue reimbursement: handed over for recovery (the BDC still waits for the money), or written off (it ends)
    this.book.on(
      bdcMessages.reimbursementSettled,
      eventForm.reimbursementSettled,
      rules(settlementRefusals),
      (e, key) => {
        const by = { reason: e.reason, by: e.actor, at: this.now(), eventId: e.eventId };
        const line = (kind: string, said: Said): AuditLine => ({ kind, said, by: e.actor, eventId: e.eventId });
        if (e.decision === 'escalate') {
          return this.commitFromHandler({
            step: 'escalation',
            events: [key],
            note: {
              apply: (r) => {
                r.escalated = by;
              },
              audit: [line('reimbursement_escalated', say('audit_escalated', { reason: e.reason }))],
            },
          });
        }
        // the write-off is the operator's proposal: an ordonnateur validates it (four eyes), then it is written
        return this.proposeFromHandler(
          'write-off',
          {
            kind: 'writeOff',
            amountCents: outstandingCents(this.record) - this.receiving,
            proposedBy: e.actor,
            details: { reason: e.reason },
          },
          key,
        );
      },
    );
  }
}

/** The work is proven and what it is owed is paid: the BDC completes. */
function workProven(r: BdcRecord): void {
  r.status = 'completed';
  r.outcome = 'work proven, paid';
}
const completedLine = (paidCents: number): AuditLine => ({
  kind: 'completed',
  said: say('audit_completed', { paidCents }),
});

function settle(r: BdcRecord, name: DeadlineName, state: Deadline['state']): void {
  const d = r.deadlines.find((x) => x.name === name);
  if (d && d.state === 'pending') d.state = state;
}

/** One BDC = one workflow. See DOMAIN.md "Lifecycle". */
export async function bdcLifecycle(input: BdcWorkflowInput): Promise<BdcRecord> {
  return new BdcLifecycle(input).run();
}
