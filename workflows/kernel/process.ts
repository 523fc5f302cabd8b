import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { RecordActivities } from '../../activities/record';
import type { Effect, ProcessKind } from '../../contract/effects';
import type { Attention } from '../../domain/bdc-view';
import { eventForm, type AttentionDecision } from '../../domain/events';
import { say } from '../../domain/messages';
import { REFUSED, refusalOf, type Refusal } from '../../domain/refusal';
import { attentionRefusals } from '../../domain/rules/attention';
import type { UpdateDefinition } from '@temporalio/common';
import { entries, EventBook, reject, type AuditLine, type EventKey, type Seen } from './events';

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

/** The state every recorded process keeps: a version that orders its writes, a status, and why it needs an operator. */
export interface ProcessRecord {
  version: number;
  status: string;
  attention?: Attention<string>;
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

  /** Called after each commit (the BDC publishes what admins filter on). */
  protected committed(): void {}

  /** An operator decided to cancel after a refused step: the process goes its cancellation's way. */
  protected attentionCancelled(_decision: AttentionDecision): void {}

  /** Rules of an operator's decision beyond the kernel's own (a process may refuse to be cancelled). */
  protected attentionRules(_decision: AttentionDecision): Refusal[] {
    return [];
  }

  protected now(): string {
    return new Date(Date.now()).toISOString();
  }

  /** Nothing is being recorded or awaited from a handler: the process may continue as new. */
  protected quiet(): boolean {
    return !this.attentionDecided && !this.book.busy && allHandlersFinished();
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

  /** A handler's own commit: a refusal goes back to its caller, and nothing changes. */
  protected async commitFromHandler(change: Change<R>): Promise<void> {
    try {
      await this.serial.run(() => this.commitNow(change));
    } catch (err) {
      for (const key of change.events ?? []) this.book.abandoned(key.eventId);
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
