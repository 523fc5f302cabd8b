import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { RecordActivities } from '../../activities/record';
import type { Actor, AuditEntry, BdcRecord } from '../../domain/bdc-view';
import { say, type Said } from '../../domain/messages';
import { refusalOf, type Refusal } from '../../domain/refusal';
import type { LedgerEffect } from '../../db/record';

/**
 * The record's activities as the lifecycle calls them. A commit is a regular activity, not a local
 * one: while the database is down it retries on the server's schedule, and the workflow meanwhile
 * takes its events (a cancellation, a VA refused for it) instead of holding its task open. Money must
 * reach the ledger: transient failures are retried with a capped backoff, a refusal never.
 */
export const recordActivities = proxyActivities<RecordActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['Refused'],
  },
});

/** Computations outside the workflow that take no I/O (Paris dates): local activities, a marker each. */
export const localActivities = proxyLocalActivities<RecordActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export const SYSTEM: Actor = { role: 'system', id: 'sons-engine' };

export interface AuditLine {
  kind: string;
  /** what happened, as the catalogue says it (its English text is the entry's `what`) */
  said: Said;
  by?: Actor;
  eventId?: string;
}

/** An event a change records: its handler answers once the change is committed. */
export interface EventKey {
  eventId: string;
  kind: string;
  hash: string;
}

/**
 * One transition of a BDC. `note` is what it records whatever happens to its effect (accepted
 * events, deadlines met…); `effect` and `applied` are the money effect and what it changes once it
 * succeeded. Both are applied to a copy of the record and committed in one transaction; the
 * workflow's state becomes that copy only once the commit succeeded.
 */
export interface Change {
  step: string;
  note?: (r: BdcRecord) => void;
  audit?: AuditLine[];
  effect?: LedgerEffect;
  applied?: (r: BdcRecord) => void;
  effectAudit?: AuditLine[];
  events?: EventKey[];
}

/** The refusals of a failed commit when the ledger or the record refused it, else undefined. */
export function refusalsOf(err: unknown): Refusal[] | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = (cause.details ?? []) as Refusal[];
  return details.length ? details : [refusalOf(cause.type ?? 'refused', say('refused', { reason: cause.message }))];
}

/** A validator's or a handler's answer: a structured refusal the caller sees, nothing changed. */
export function reject(refusals: Refusal[]): never {
  throw ApplicationFailure.create({
    type: 'Refused',
    message: refusals.map((r) => r.message).join('; '),
    details: refusals,
    nonRetryable: true,
  });
}

export const refusal = (code: string, said: Said, path = '', value?: unknown): Refusal[] => [
  refusalOf(code, said, path, value),
];

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

/** Runs tasks one after the other: commits are ordered, each computed from the state the previous left. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
