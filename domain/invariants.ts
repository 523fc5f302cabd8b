import type { AuditEntry, BdcRecord } from './bdc-view';
import { terminalStatuses } from './bdc-view';
import type { ControlRecord } from './control-view';
import { outstandingCents } from './lifecycle';
import type { Proposal } from './proposals';
import type { Actor } from './roles';

/**
 * The money invariants of one BDC, written once: what must hold of its record, its ledger rows and
 * its controls at every instant — every transition writes its record and its ledger rows in one
 * transaction, so there is no moment they may disagree. The property tests check them after every
 * step of random journeys; reconciliation compares the same sums across every BDC.
 */
export interface BdcMoney {
  record: BdcRecord;
  audit: AuditEntry[];
  orders: { kind: 'advance' | 'balance'; amountCents: number }[];
  demands: {
    id: number;
    kind: 'reimbursement' | 'recovery';
    controlId?: string;
    amountCents: number;
    receivedCents: number;
    writtenOffCents: number;
  }[];
  /** the ESSMS the BDC holds in the claims */
  claims: string[];
  controls: (ControlRecord & { audit: AuditEntry[] })[];
  /** its money proposals and its controls', as the ordonnateurs' list holds them */
  proposals: (Pick<
    Proposal,
    'kind' | 'amountCents' | 'state' | 'proposedBy' | 'causedBy' | 'validationsNeeded' | 'validations'
  > & {
    process: 'bdc' | 'control';
    processId: string;
  })[];
}

/** Statuses in which a BDC keeps its ESSMS financed (a BDC that ended without keeping money frees them). */
const freed = ['lapsed', 'cancelled', 'rejected', 'reimbursed'];

export function moneyViolations(m: BdcMoney, now: number): string[] {
  const v: string[] = [];
  const r = m.record;
  const a = r.amounts;
  const sum = (xs: { amountCents: number }[]) => xs.reduce((t, x) => t + x.amountCents, 0);
  const paid = sum(m.orders);
  const check = (ok: boolean, what: string) => {
    if (!ok) v.push(what);
  };

  check(paid === a.paidCents, `paid ${a.paidCents} in the record, ${paid} in the payment orders`);
  check(paid >= 0 && paid <= a.ceilingCents, `paid ${paid} outside 0…${a.ceilingCents}`);
  for (const kind of ['advance', 'balance'] as const)
    check(m.orders.filter((o) => o.kind === kind).length <= 1, `more than one ${kind} order`);
  if (r.va)
    check(
      a.financedCents === Math.min(a.ceilingCents, r.va.invoiceCents),
      `financed ${a.financedCents} ≠ min(ceiling ${a.ceilingCents}, invoice ${r.va.invoiceCents})`,
    );
  const ended = terminalStatuses.includes(r.status);
  const balance = m.orders.some((o) => o.kind === 'balance');
  check(!(balance && r.cancellation), 'a balance ordered after an accepted cancellation');
  check(!(balance && r.status === 'lapsed'), 'a balance ordered on a lapsed BDC');
  check(!(balance && !r.va), 'a balance ordered without an accepted VA');

  // demands: never more than what the éditeur held and was not already asked back; each settled within its amount
  check(sum(m.demands) <= paid, `demanded back ${sum(m.demands)}, more than the ${paid} paid`);
  for (const d of m.demands)
    check(
      d.receivedCents + d.writtenOffCents <= d.amountCents,
      `demand ${d.id}: received ${d.receivedCents} + written off ${d.writtenOffCents} > ${d.amountCents}`,
    );
  const reimbursement = m.demands.filter((d) => d.kind === 'reimbursement');
  check(reimbursement.length <= 1, 'more than one reimbursement demand');
  const own = reimbursement[0];
  check(
    a.toReimburseCents === (own?.amountCents ?? 0),
    `to reimburse ${a.toReimburseCents}, demanded ${own?.amountCents ?? 0}`,
  );
  check(
    a.reimbursedCents === (own?.receivedCents ?? 0),
    `reimbursed ${a.reimbursedCents}, received ${own?.receivedCents ?? 0}`,
  );
  check(
    (a.writtenOffCents ?? 0) === (own?.writtenOffCents ?? 0),
    `written off ${a.writtenOffCents ?? 0}, ledger ${own?.writtenOffCents ?? 0}`,
  );
  check(outstandingCents(r) >= 0, `outstanding ${outstandingCents(r)} < 0`);
  for (const c of m.controls) {
    const recovery = m.demands.find((d) => d.kind === 'recovery' && d.controlId === c.controlId);
    check(
      (c.recovery?.amountCents ?? 0) === (recovery?.amountCents ?? 0),
      `control ${c.controlId}: recovery ${c.recovery?.amountCents ?? 0}, ledger ${recovery?.amountCents ?? 0}`,
    );
    check(
      (c.recovery?.receivedCents ?? 0) === (recovery?.receivedCents ?? 0),
      `control ${c.controlId}: recovered ${c.recovery?.receivedCents ?? 0}, ledger ${recovery?.receivedCents ?? 0}`,
    );
  }

  // every order and demand has exactly one cause in the audit trail
  const lines = (trail: AuditEntry[], kind: string) => trail.filter((e) => e.kind === kind).length;
  check(
    lines(m.audit, 'advance_ordered') === m.orders.filter((o) => o.kind === 'advance').length,
    'advance orders and their audit lines differ',
  );
  check(
    lines(m.audit, 'balance_ordered') === m.orders.filter((o) => o.kind === 'balance').length,
    'balance orders and their audit lines differ',
  );
  check(
    lines(m.audit, 'reimbursement_demanded') === reimbursement.length,
    'reimbursement demands and their audit lines differ',
  );
  for (const c of m.controls)
    check(
      lines(c.audit, 'recovery_demanded') === m.demands.filter((d) => d.controlId === c.controlId).length,
      `control ${c.controlId}: recovery demands and their audit lines differ`,
    );

  // claims: a BDC that ended keeping no money has freed its ESSMS; one still running holds them all
  if (freed.includes(r.status)) check(m.claims.length === 0, `ended ${r.status} yet holds ${m.claims.length} ESSMS`);
  else if (!ended || r.status === 'completed' || r.status === 'written_off')
    check(
      m.claims.length === r.request.essms.length,
      `${r.status} holds ${m.claims.length} of its ${r.request.essms.length} ESSMS`,
    );

  // four eyes: every validated proposal was validated by as many different ordonnateurs as it
  // needed, none of them its proposer or who caused it (DOMAIN.md "Money decided by four eyes")
  const person = (a: Actor | undefined) => (a && a.role !== 'system' ? a.id : undefined);
  for (const p of m.proposals.filter((x) => x.state === 'validated')) {
    const by = p.validations.map((x) => x.by);
    const what = `${p.processId} ${p.kind}`;
    check(by.length >= p.validationsNeeded, `${what}: ${by.length} validation(s) of ${p.validationsNeeded}`);
    check(new Set(by.map((a) => a.id)).size === by.length, `${what}: validated twice by one person`);
    check(
      by.every((a) => a.role === 'ordonnateur'),
      `${what}: validated by a ${by.find((a) => a.role !== 'ordonnateur')?.role}`,
    );
    check(
      !by.some((a) => a.id === person(p.proposedBy) || a.id === person(p.causedBy)),
      `${what}: validated by its proposer or by who caused it`,
    );
  }

  // dates a person reports are never after now
  for (const [what, at] of [
    ['référencement decision', r.referencement.decidedAt],
    ['dossier', r.referencement.dossierFiledAt],
    ['VA signature', r.va?.signedAt],
  ] as const)
    check(!at || Date.parse(at) <= now, `${what} dated ${at}, after now`);
  return v;
}
