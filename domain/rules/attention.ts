import type { AttentionDecision } from '../events';
import { say } from '../messages';
import { refusalOf, type Refusal } from '../refusal';

/** An operator decides on a process that needs attention, once: not before it does, not twice. */
export function attentionRefusals(
  record: { status: string },
  decisionPending: boolean,
  _e: AttentionDecision,
): Refusal[] {
  if (record.status !== 'needs_attention' || decisionPending)
    return [refusalOf('wrong_state', say('attention_not_needed', { status: record.status }), 'status', record.status)];
  return [];
}
