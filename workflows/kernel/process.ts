import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { RecordActivities } from '../../activities/record';
import type { Effect, ProcessKind } from '../../contract/effects';
import type { Actor, Attention } from '../../domain/bdc-view';
import { eventForm, type AttentionDecision } from '../../domain/events';
import { say } from '../../domain/messages';
import { REFUSED, refusalOf, type Refusal } from '../../domain/refusal';
import { attentionRefusals } from '../../domain/rules/attention';
import {
  decisionRefusals as proposalRefusals,
  pendingProposal,
  validationsNeeded,
  type Proposal,
  type ProposalKind,
  type ProposalRejection,
  type ProposalValidation,
} from '../../domain/proposals';
import type { UpdateDefinition } from '@temporalio/common';
import { entries, EventBook, reject, SYSTEM, type AuditLine, type EventKey, type Seen } from './events';

/**
 * A transition is recorded by a regular activity, not a local one: its retries are timers in the
 * history, so a long outage of the database does not keep a workflow task busy.
 */
const record = proxyActivities<RecordActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [REFUSED],
  },
});

/** Computations outside the workflow that take no I/O (Paris dates): local activities, a marker each. */
export const dates = proxyLocalActivities<RecordActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** What part of a change does to the record, and says of it in the audit trail. */
export interface Step<R> {
  apply?: (r: R) => void;
  audit?: AuditLine[];
}

/**
 * One transition of a recorded process, in two parts. The `note` is recorded whatever becomes of the
 * effects (an event accepted, a deadline met…); the `effect` is the ledger's part — its effects, and
 * what they change and say once written. Both apply to a copy of the record, committed in one
 * transaction; the process's state becomes that copy only once the commit succeeded.
 */
export interface Change<R> {
  step: string;
  /** the events this change records: their senders are answered once it is committed */
  events?: EventKey[];
  note?: Step<R>;
  effect?: Step<R> & { effects: Effect[] };
}

/** What a process proposes: the money, who proposes it and who caused it, and what its effect needs. */
export interface ProposalSpec {
  kind: ProposalKind;
  amountCents: number;
  /** a person; absent, the engine (a rule of the lifecycle) */
  proposedBy?: Actor;
  causedBy?: Actor;
  details?: Proposal['details'];
}

/** The state every recorded process keeps: a version that orders its writes, a status, and why it needs an operator. */
export interface ProcessRecord {
  version: number;
  status: string;
  attention?: Attention<string>;
  /** its money proposals, each validated (or rejected) by ordonnateurs */
  proposals?: Proposal[];
}

export interface ProcessStart<R, A> {
  record: R;
  events: Record<string, Seen<A>>;
  /** the rank of the next audit line */
  auditSeq: number;
}

/** Runs tasks one after the other: commits are ordered, each computed from the state the previous left. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The refusals of a failed commit when the ledger or the record refused it, else undefined (a fault). */
function refusalsOf(err: unknown): Refusal[] | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = (cause.details ?? []) as Refusal[];
  return details.length ? details : [refusalOf(cause.type ?? 'refused', say('refused', { reason: cause.message }))];
}

/**
 * What every recorded process of the engine (a BDC's lifecycle, a control) is made of, written once:
 * its book of events, its commits one after the other with their audit lines numbered in order, each
 * written with its effects in one transaction — and, when the ledger or the record refuses an effect
 * of the main line, a status that says the process needs an operator, who decides to retry the step
 * or to cancel. Subclasses keep their main line, their transitions and their effects.
 */
export abstract class RecordedProcess<R extends ProcessRecord, A> {
  protected record: R;
  protected readonly book: EventBook<A>;
  private auditSeq: number;
  private readonly serial = new Serial();
  /** an operator's decision on a step the ledger refused, handed over by its handler */
  private attentionDecided?: { event: AttentionDecision; key: EventKey };
  /** ordonnateurs whose decision on a proposal is being recorded, by proposal: a second one is judged with them */
  private readonly validating = new Map<string, Set<string>>();

  protected constructor(
    private readonly identity: { process: ProcessKind; id: string; bdcId: string },
    start: ProcessStart<R, A>,
  ) {
    this.record = start.record;
    this.book = new EventBook(start.events);
    this.auditSeq = start.auditSeq;
  }

  /** What the process answers an event once recorded. */
  protected abstract answer(key: EventKey): A;

  /**
   * The effect of a proposal once validated: its ledger writes and what they change, written with
   * the last validation (so an ordonnateur's validation answers once the money is written).
   */
  protected abstract executed(proposal: Proposal): Promise<Step<R> & { effects: Effect[] }>;

  /** Called after each commit (the BDC publishes what admins filter on). */
  protected committed(): void {}

  /** An operator decided to cancel after a refused step: the process goes its cancellation's way. */
  protected attentionCancelled(_decision: AttentionDecision): void {}

  /** Above how many cents two ordonnateurs validate (the campaign's threshold). */
  protected fourEyesThresholdCents(): number | undefined {
    return undefined;
  }

  /**
   * Waits for a proposal's decision; answers why it must be withdrawn when something else happened
   * first (a process may watch its deadlines and cancellations meanwhile). By default, only the decision.
   */
  protected async awaitProposalDecision(decided: () => boolean, _proposal: Proposal): Promise<string | undefined> {
    await condition(decided);
    return undefined;
  }

  /** What a rejection changes besides the proposal (a control goes back under review); nothing by default. */
  protected rejectedStep(_proposal: Proposal): Step<R> | undefined {
    return undefined;
  }

  /** Rules of an operator's decision beyond the kernel's own (a process may refuse to be cancelled). */
  protected attentionRules(_decision: AttentionDecision): Refusal[] {
    return [];
  }

  protected now(): string {
    return new Date(Date.now()).toISOString();
  }

  /** Nothing is being recorded or awaited from a handler: the process may continue as new. */
  protected quiet(): boolean {
    return !this.attentionDecided && !this.book.busy && this.validating.size === 0 && allHandlersFinished();
  }

  /** Where a run continued as new starts from. */
  protected snapshot(): ProcessStart<R, A> {
    return { record: this.record, events: this.book.seen, auditSeq: this.auditSeq };
  }

  /** Registers the update by which an operator decides on a refused step. */
  protected onAttention(definition: UpdateDefinition<A, [AttentionDecision]>): void {
    this.book.on(
      definition,
      eventForm.attentionResolved,
      (e) => [...attentionRefusals(this.record, Boolean(this.attentionDecided), e), ...this.attentionRules(e)],
      async (event, key) => {
        this.attentionDecided = { event, key };
      },
    );
  }

  /**
   * Commits a change of the main line. A refusal of its effects (the ledger's constraints, the
   * record's) does not fail the workflow: the process needs attention and waits for an operator to
   * retry or to cancel; then the effects are tried again, or dropped.
   */
  protected async commit(change: Change<R>): Promise<void> {
    let { note, events } = change;
    for (;;) {
      try {
        await this.serial.run(() => this.commitNow({ ...change, note, events }));
        return;
      } catch (err) {
        const refusals = refusalsOf(err);
        if (!refusals) throw err;
        const decision = await this.needAttention({ ...change, note, events }, refusals);
        // what the change noted (accepted events…) is recorded now; only its effects are tried again
        note = undefined;
        events = [];
        if (decision.decision === 'cancel') return this.attentionCancelled(decision);
      }
    }
  }

  /**
   * Money decided by four eyes, from the main line: proposes it (with what the step noted, recorded
   * now) and waits for the ordonnateurs. Their last validation writes the effect (`executed`) in its
   * own commit; a rejection makes the process need attention (an operator has it proposed again, or
   * cancels); a proposal the process must give up first (a cancellation, a deadline) is withdrawn.
   * A run continued as new finds its pending proposal and waits on it again.
   */
  protected async propose(
    step: string,
    spec: ProposalSpec,
    note?: Step<R>,
    events?: EventKey[],
  ): Promise<'validated' | 'withdrawn' | 'cancelled'> {
    for (;;) {
      const pending = pendingProposal(this.record.proposals);
      const proposal = pending?.kind === spec.kind ? pending : await this.recordProposal(step, spec, note, events);
      note = undefined;
      events = [];
      const decided = () => this.proposal(proposal.id).state !== 'proposed';
      const why = await this.awaitProposalDecision(decided, proposal);
      // withdrawn only if still undecided once the commits before it are done (a validation may be in flight)
      const withdrew =
        why !== undefined &&
        (await this.serial.run(async () => {
          if (decided()) return false;
          await this.commitNow({
            step: `${step} withdrawn`,
            note: {
              apply: (r) => {
                const p = r.proposals!.find((x) => x.id === proposal.id)!;
                p.state = 'withdrawn';
                p.withdrawn = why;
              },
              audit: [{ kind: 'withdrawn', said: say('audit_withdrawn', { kind: spec.kind, why }) }],
            },
          });
          return true;
        }));
      if (withdrew) return 'withdrawn';
      if (!decided()) await condition(decided);
      const decision = this.proposal(proposal.id);
      if (decision.state === 'validated') return 'validated';
      const attention = await this.needAttention({ step }, [
        refusalOf(
          'proposal_rejected',
          say('proposal_rejected', { kind: spec.kind, reason: decision.rejection?.reason ?? '' }),
        ),
      ]);
      if (attention.decision === 'cancel') {
        this.attentionCancelled(attention);
        return 'cancelled';
      }
    }
  }

  /** Proposes money from a handler (a person's decision): recorded with the event, validated later by ordonnateurs. */
  protected proposeFromHandler(step: string, spec: ProposalSpec, key: EventKey, note?: Step<R>): Promise<void> {
    const proposal = this.newProposal(spec);
    return this.commitFromHandler({
      step: `${step} proposed`,
      events: [key],
      note: this.withProposal(proposal, note),
    });
  }

  private proposal(id: string): Proposal {
    return this.record.proposals!.find((p) => p.id === id)!;
  }

  private newProposal(spec: ProposalSpec): Proposal {
    const earlier = this.record.proposals?.filter((p) => p.kind === spec.kind).length ?? 0;
    return {
      id: earlier ? `${spec.kind}:${earlier + 1}` : spec.kind,
      kind: spec.kind,
      amountCents: spec.amountCents,
      proposedBy: spec.proposedBy ?? SYSTEM,
      ...(spec.causedBy ? { causedBy: spec.causedBy } : {}),
      at: this.now(),
      validationsNeeded: validationsNeeded(spec.amountCents, this.fourEyesThresholdCents()),
      validations: [],
      state: 'proposed',
      ...(spec.details ? { details: spec.details } : {}),
    };
  }

  private withProposal(proposal: Proposal, note?: Step<R>): Step<R> {
    return {
      apply: (r) => {
        note?.apply?.(r);
        (r.proposals ??= []).push(proposal);
      },
      audit: [
        ...(note?.audit ?? []),
        {
          kind: 'proposed',
          said: say('audit_proposed', {
            kind: proposal.kind,
            amountCents: proposal.amountCents,
            needed: proposal.validationsNeeded,
          }),
          by: proposal.proposedBy,
        },
      ],
    };
  }

  private async recordProposal(
    step: string,
    spec: ProposalSpec,
    note?: Step<R>,
    events?: EventKey[],
  ): Promise<Proposal> {
    const proposal = this.newProposal(spec);
    await this.serial.run(() =>
      this.commitNow({ step: `${step} proposed`, events, note: this.withProposal(proposal, note) }, false),
    );
    return proposal;
  }

  /** Registers the updates by which ordonnateurs validate or reject the process's proposals. */
  protected onProposals(
    validated: UpdateDefinition<A, [ProposalValidation]>,
    rejected: UpdateDefinition<A, [ProposalRejection]>,
  ): void {
    // two decisions of one proposal arriving together are judged with the other being recorded
    const judged = (e: ProposalValidation) => {
      const inFlight = this.validating.get(e.proposalId);
      if (inFlight?.has(e.actor.id))
        return [refusalOf('already_validated', say('already_validated'), 'actor', e.actor.id)];
      return proposalRefusals(this.record.proposals, e);
    };
    const recording = async (e: ProposalValidation, record: () => Promise<void>) => {
      const set = this.validating.get(e.proposalId) ?? new Set<string>();
      this.validating.set(e.proposalId, set.add(e.actor.id));
      try {
        await record();
      } finally {
        set.delete(e.actor.id);
        if (!set.size) this.validating.delete(e.proposalId);
      }
    };
    // A decision is judged again when its turn to be written comes: a decision written before it (a
    // validation that completed the count, a rejection) may have settled the proposal meanwhile, and one
    // the ledger refused may not have. Its count, and whether it writes the money, come from the record
    // as it is then. (Judged and counted at arrival, a second validation arriving while the first was
    // written also wrote the money: seeds 1712902910 and 2049902200 of the money property.)
    const whenWritten = (e: ProposalValidation, key: EventKey, change: (p: Proposal) => Promise<Change<R>>) =>
      recording(e, () =>
        this.commitFromHandler(async () => {
          const refusals = proposalRefusals(this.record.proposals, e);
          if (refusals.length) reject(refusals);
          return { ...(await change(this.proposal(e.proposalId))), events: [key] };
        }, [key]),
      );
    // histories written before decisions were judged when written replay the judgement at arrival
    const atArrival = () => !patched('proposal-decisions-judged-when-written');
    this.book.on(validated, eventForm.proposalValidated, judged, (e, key) => {
      if (atArrival()) return this.validatedAtArrival(e, key, recording);
      return whenWritten(e, key, async (p) => {
        const count = p.validations.length + 1;
        return {
          step: 'validation',
          // the last validation writes the money, in the same transaction
          ...(count >= p.validationsNeeded ? { effect: await this.executed(p) } : {}),
          note: this.validationNote(p, e, count),
        };
      });
    });
    this.book.on(rejected, eventForm.proposalRejected, judged, (e, key) => {
      const step = (p: Proposal): Change<R> => ({ step: 'rejection', note: this.rejectionNote(p, e) });
      if (atArrival())
        return recording(e, () => this.commitFromHandler({ ...step(this.proposal(e.proposalId)), events: [key] }));
      return whenWritten(e, key, async (p) => step(p));
    });
  }

  /** A validation as it was recorded before decisions were judged when written: counted with those in flight. */
  private validatedAtArrival(
    e: ProposalValidation,
    key: EventKey,
    recording: (e: ProposalValidation, record: () => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const p = this.proposal(e.proposalId);
    const count = p.validations.length + (this.validating.get(e.proposalId)?.size ?? 0) + 1;
    return recording(e, async () =>
      this.commitFromHandler({
        step: 'validation',
        events: [key],
        ...(count >= p.validationsNeeded ? { effect: await this.executed(p) } : {}),
        note: this.validationNote(p, e, count),
      }),
    );
  }

  /** A validation: the proposal counts it, and is validated once it has the validations it needs. */
  private validationNote(p: Proposal, e: ProposalValidation, count: number): Step<R> {
    return {
      apply: (r) => {
        const mine = r.proposals!.find((x) => x.id === e.proposalId)!;
        mine.validations.push({ by: e.actor, at: this.now(), eventId: e.eventId });
        if (mine.validations.length >= mine.validationsNeeded) mine.state = 'validated';
      },
      audit: [
        {
          kind: 'validated',
          said: say('audit_validated', { kind: p.kind, count, needed: p.validationsNeeded }),
          by: e.actor,
          eventId: e.eventId,
        },
      ],
    };
  }

  /** A rejection: the proposal is rejected, with what that changes in the process. */
  private rejectionNote(p: Proposal, e: ProposalRejection): Step<R> {
    return {
      apply: (r) => {
        const mine = r.proposals!.find((x) => x.id === e.proposalId)!;
        mine.state = 'rejected';
        mine.rejection = { by: e.actor, at: this.now(), reason: e.reason, eventId: e.eventId };
        this.rejectedStep(p)?.apply?.(r);
      },
      audit: [
        {
          kind: 'rejected',
          said: say('audit_rejected', { kind: p.kind, reason: e.reason }),
          by: e.actor,
          eventId: e.eventId,
        },
      ],
    };
  }

  /**
   * A handler's own commit: a refusal goes back to its caller, and nothing changes. A change given as a
   * function is made when its turn to be written comes, from the record as the commits before it left it
   * (it may refuse then); its events are given beside it.
   */
  protected async commitFromHandler(
    change: Change<R> | (() => Promise<Change<R>>),
    events: EventKey[] = typeof change === 'function' ? [] : (change.events ?? []),
  ): Promise<void> {
    try {
      await this.serial.run(async () => this.commitNow(typeof change === 'function' ? await change() : change));
    } catch (err) {
      for (const key of events) this.book.abandoned(key.eventId);
      const refusals = refusalsOf(err);
      if (refusals) reject(refusals);
      throw err;
    }
  }

  /** Applies a change to a copy of the record, commits it with its effects, then makes it the state. */
  private async commitNow(change: Change<R>, withEffect = true): Promise<void> {
    const candidate = JSON.parse(JSON.stringify(this.record)) as R;
    candidate.version += 1;
    change.note?.apply?.(candidate);
    const effect = withEffect ? change.effect : undefined;
    effect?.apply?.(candidate);
    const audit = entries([...(change.note?.audit ?? []), ...(effect?.audit ?? [])], this.auditSeq, this.now());
    await record.recordTransition({ ...this.identity, record: candidate, audit, effects: effect?.effects ?? [] });
    this.record = candidate;
    this.auditSeq += audit.length;
    for (const key of change.events ?? []) this.book.recorded(key, this.answer(key));
    // no log line per transition: the record's audit trail is the process's log
    this.committed();
  }

  /** Records that the process needs attention, with what the change noted, and waits for an operator's decision. */
  private async needAttention(change: Change<R>, refusals: Refusal[]): Promise<AttentionDecision> {
    const reason = refusals.map((r) => r.message).join('; ');
    const resumeStatus = this.record.status;
    await this.serial.run(() =>
      this.commitNow(
        {
          step: 'needs attention',
          events: change.events,
          note: {
            apply: (r) => {
              change.note?.apply?.(r);
              r.status = 'needs_attention';
              r.attention = { step: change.step, reason, refusals, since: this.now(), resumeStatus };
            },
            audit: [
              ...(change.note?.audit ?? []),
              { kind: 'needs_attention', said: say('audit_needs_attention', { step: change.step, reason }) },
            ],
          },
        },
        false,
      ),
    );
    log.warn('process needs attention', { id: this.identity.id, step: change.step, refusals });
    await condition(() => this.attentionDecided !== undefined);
    const { event, key } = this.attentionDecided!;
    this.attentionDecided = undefined;
    await this.serial.run(() =>
      this.commitNow({
        step: 'attention resolved',
        events: [key],
        note: {
          apply: (r) => {
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
        },
      }),
    );
    return event;
  }
}
