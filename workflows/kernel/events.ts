import { ApplicationFailure, CancellationScope, condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Actor, AuditEntry } from '../../domain/bdc-view';
import { eventHash } from '../../domain/event-hash';
import { say, type Said } from '../../domain/messages';
import { REFUSED, refusalOf, type Refusal } from '../../domain/refusal';

/**
 * The events of a recorded process (a BDC's lifecycle, a control): its book of events (a duplicate
 * answers as the first did, a reused id is refused), its audit lines, its refusals.
 */

export const SYSTEM: Actor = { role: 'system', id: 'sons-engine' };

export interface AuditLine {
  kind: string;
  /** what happened, as the catalogue says it (its English text is the entry's `what`) */
  said: Said;
  by?: Actor;
  eventId?: string;
}

/** The audit entries of lines written now, numbered from `seq`. */
export function entries(lines: AuditLine[], seq: number, at: string): AuditEntry[] {
  return lines.map((l, i) => ({
    seq: seq + i,
    at,
    kind: l.kind,
    what: l.said.message,
    key: l.said.key,
    ...(l.said.params ? { params: l.said.params } : {}),
    by: l.by ?? SYSTEM,
    ...(l.eventId ? { eventId: l.eventId } : {}),
  }));
}

/** A validator's or a handler's answer: a structured refusal the caller sees, nothing changed. */
export function reject(refusals: Refusal[]): never {
  throw ApplicationFailure.create({
    type: REFUSED,
    message: refusals.map((r) => r.message).join('; '),
    details: refusals,
    nonRetryable: true,
  });
}

export const refusal = (code: string, said: Said, path = '', value?: unknown): Refusal[] => [
  refusalOf(code, said, path, value),
];

/** An event a change records: its handler answers once the change is committed. */
export interface EventKey {
  eventId: string;
  kind: string;
  hash: string;
}

/** An event accepted: enough to recognise it again and answer as it did. */
export interface Seen<A> {
  kind: string;
  hash: string;
  answer: A;
}

/**
 * The events a process accepted, by id, and those being recorded. An update's validator checks the
 * event's form, recognises a duplicate (same id, kind and content) or refuses a reused id, then the
 * process's rules; its handler hands the event to `accept` once, and every send of it — the first
 * and its duplicates alike — answers when it is recorded, or with the refusal that stopped it.
 */
export class EventBook<A> {
  private readonly inFlight = new Map<string, { key: EventKey; accepted: Promise<void> }>();
  /** events refused after they were handed over, with the refusal their waiting sends answer */
  private readonly refusedInFlight = new Map<string, Refusal[]>();

  constructor(readonly seen: Record<string, Seen<A>>) {}

  /** The event is recorded: it and its duplicates answer `answer`. */
  recorded(key: EventKey, answer: A): void {
    this.seen[key.eventId] = { kind: key.kind, hash: key.hash, answer };
    this.inFlight.delete(key.eventId);
  }

  /** The event was refused while being recorded: nothing of it is kept (its id may be sent again). */
  abandoned(eventId: string): void {
    this.inFlight.delete(eventId);
  }

  /**
   * An event handed over to be recorded later is refused instead (the process moved on before its
   * turn): every send of it waiting answers this refusal, nothing of it is kept.
   */
  refused(eventId: string, refusals: Refusal[]): void {
    this.refusedInFlight.set(eventId, refusals);
    this.abandoned(eventId);
  }

  /** Some event is being recorded. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  on<E extends { eventId: string; actor: Actor }>(
    definition: UpdateDefinition<A, [E]>,
    form: (raw: unknown) => Refusal[],
    rules: (e: E) => Refusal[],
    accept: (e: E, key: EventKey) => Promise<void>,
  ): void {
    const kind = definition.name;
    setHandler(
      definition,
      // an event accepted is recorded, even once the workflow is being cancelled
      (e) =>
        CancellationScope.nonCancellable(async () => {
          let flight = this.inFlight.get(e.eventId);
          if (!this.seen[e.eventId] && !flight) {
            const key = { eventId: e.eventId, kind, hash: eventHash(kind, e) };
            this.refusedInFlight.delete(e.eventId);
            flight = { key, accepted: accept(e, key) };
            this.inFlight.set(e.eventId, flight);
          }
          if (flight) await flight.accepted;
          await condition(() => this.seen[e.eventId] !== undefined || this.refusedInFlight.has(e.eventId));
          const seen = this.seen[e.eventId];
          if (!seen) reject(this.refusedInFlight.get(e.eventId)!);
          return seen.answer;
        }),
      {
        validator: (e) => {
          const problems = form(e);
          if (problems.length) reject(problems);
          const known = this.seen[e.eventId] ?? this.inFlight.get(e.eventId)?.key;
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
          const business = rules(e);
          if (business.length) reject(business);
        },
      },
    );
  }
}
