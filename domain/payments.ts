import { say } from './messages';
import { refusalOf, type Refusal } from './refusal';
import type { Actor } from './roles';

/**
 * What becomes of a payment order once the ordonnateurs validated it (DOMAIN.md "Paying"): a
 * comptable releases it in a payment run, the bank pays it or rejects it; a rejected order goes back
 * to an ordonnateur, who validates it again for a later run. Pure rules: the database applies them in
 * its transactions (db/payments.ts).
 */
export const orderStates = ['validated', 'released', 'paid', 'rejected'] as const;
export type OrderState = (typeof orderStates)[number];

/** The states an order moves to from each state, and the role that moves it. */
export const orderMoves: Record<OrderState, { to: OrderState; role: 'comptable' | 'ordonnateur' }[]> = {
  validated: [{ to: 'released', role: 'comptable' }],
  released: [
    { to: 'paid', role: 'comptable' },
    { to: 'rejected', role: 'comptable' },
  ],
  rejected: [{ to: 'validated', role: 'ordonnateur' }],
  paid: [],
};

/** Why an order cannot move to `to` now, at its field `path`; none when it can. */
export function moveRefusals(order: { id: number; state: OrderState }, to: OrderState, path: string): Refusal[] {
  if (orderMoves[order.state].some((m) => m.to === to)) return [];
  return [
    refusalOf(
      'order_wrong_state',
      say('order_wrong_state', { orderId: order.id, state: order.state, to }),
      path,
      order.id,
    ),
  ];
}

const samePerson = (a: Actor | undefined, b: Actor) => a !== undefined && a.role !== 'system' && a.id === b.id;

/**
 * Who decides on an éditeur's new bank details (four eyes): an ordonnateur, never the person who
 * proposed them, and only while they await a decision.
 */
export function bankDetailsDecisionRefusals(
  details: { id: number; state: string; proposedBy: Actor } | undefined,
  actor: Actor,
  id: number,
): Refusal[] {
  if (!details) return [refusalOf('not_found', say('bank_details_unknown', { id }), 'id', id)];
  if (details.state !== 'proposed')
    return [refusalOf('wrong_state', say('bank_details_decided', { state: details.state }), 'id', id)];
  if (actor.role !== 'ordonnateur') return [refusalOf('not_ordonnateur', say('not_ordonnateur'), 'actor', actor.role)];
  if (samePerson(details.proposedBy, actor)) return [refusalOf('own_proposal', say('own_proposal'), 'actor', actor.id)];
  return [];
}

/** The ISO 20022 reason codes a person may record by hand for a rejection, with the bank's own as a fallback. */
export const BANK_REASON_CODE = /^[A-Z0-9]{4}$/;
