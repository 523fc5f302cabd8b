import type { AuditEntry } from '../domain/bdc-view';
import type { NotificationRequest } from '../domain/notices';

/**
 * What a transition of a recorded process does besides changing its record, written in the same
 * transaction: a money effect, the release of the BDC's ESSMS, a notification queued in the outbox.
 * A demand, its receipts and its write-off are the BDC's reimbursement when a BDC's lifecycle makes
 * them, a recovery when a control does.
 */
export type Effect =
  | { kind: 'paymentOrder'; order: 'advance' | 'balance'; amountCents: number }
  | { kind: 'demand'; amountCents: number; reason: string; dueAt: string }
  | { kind: 'receipt'; eventId: string; amountCents: number; receivedAt: string }
  | { kind: 'writeOff'; amountCents: number; reason: string }
  | { kind: 'releaseClaims' }
  | { kind: 'notify'; notification: NotificationRequest };

/** The processes whose state the record keeps, each in its row with its audit trail. */
export type ProcessKind = 'bdc' | 'control';

/** One transition of a recorded process: its new record, its audit lines and its effects, in one transaction. */
export interface Transition<R = unknown> {
  process: ProcessKind;
  /** the process's id: the BDC's, the control's */
  id: string;
  /** the BDC the effects concern */
  bdcId: string;
  /** the record after the transition; its version orders the writes (a late retry changes nothing) */
  record: R;
  audit: AuditEntry[];
  effects: Effect[];
}

/**
 * The ledger key of an effect: deterministic, so a retry writes nothing twice. A control's demand,
 * receipt and write-off carry the control's id; the BDC's own, its event's.
 */
export function effectKey(t: Pick<Transition, 'process' | 'id' | 'bdcId'>, effect: Effect): string | undefined {
  const recovery = t.process === 'control';
  switch (effect.kind) {
    case 'paymentOrder':
      return `${t.bdcId}:${effect.order}`;
    case 'demand':
      return recovery ? `${t.bdcId}:recovery:${t.id}` : `${t.bdcId}:reimbursement`;
    case 'receipt':
      return recovery ? `${t.bdcId}:recovery-receipt:${effect.eventId}` : `${t.bdcId}:receipt:${effect.eventId}`;
    case 'writeOff':
      return recovery ? `${t.bdcId}:recovery-write-off:${t.id}` : `${t.bdcId}:write-off`;
    default:
      return undefined;
  }
}
