import type { Caller, EngineContext } from '../../client/context';
import { listProposals, validateProposal } from '../../client/proposals';
import { enrolInDatabase } from '../../scripts/samples/enrolment';

/** Two ordonnateurs — two different persons, as four eyes above the threshold want. */
export const ordonnateurs: Caller[] = [1, 2].map((n) => ({
  actor: { role: 'ordonnateur', id: `ordonnateur-de-garde-${n}` },
  scope: `ordonnateur.de-garde-${n}`,
}));

/**
 * Ordonnateurs on duty for the tests that are not about four eyes: every money proposal is validated
 * soon after it is made, by one person or by two when the amount needs two, through the engine's own
 * service — the very update an ordonnateur's validation sends. Tests of four eyes start their harness
 * with `ordonnateurs: 'absent'` and validate themselves.
 */
export function ordonnateursOnDuty(engine: () => Promise<EngineContext>, everyMs = 100): { stop(): Promise<void> } {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const enrolled = new Set<string>();
  const tick = async () => {
    const ctx = await engine();
    const proposed = await listProposals(ctx, { state: 'proposed' });
    // the ASP enrols an éditeur before ordering it money (DOMAIN.md "Éditeurs enrolled"): these tests'
    // éditeurs are enrolled, as a fixture, before their first order is validated
    // (once each: a tick every 100 ms need not ask the database again)
    for (const editeurId of new Set(
      proposed.filter((p) => p.kind === 'advance' || p.kind === 'balance').map((p) => p.editeurId),
    )) {
      if (enrolled.has(editeurId)) continue;
      await enrolInDatabase(ctx.sql, editeurId);
      enrolled.add(editeurId);
    }
    const decisions = proposed.flatMap((p) => {
      const done = p.validations.map((v) => v.by.id);
      const next = ordonnateurs.find((o) => !done.includes(o.actor.id));
      if (!next) return [];
      const sent = validateProposal(ctx, next, {
        process: p.process,
        processId: p.processId,
        proposalId: p.id,
        eventId: `${p.processId}:${p.id}:${next.actor.id}`,
      }).catch(() => undefined); // refused (decided meanwhile, the workflow busy): the next round sees it
      // a workflow that answers late (its worker paused by the test) holds up no other
      return [Promise.race([sent, new Promise((r) => setTimeout(r, 2_000))])];
    });
    await Promise.all(decisions);
  };
  const timer = setInterval(() => {
    if (stopped) return;
    round = round.then(tick).catch(() => undefined);
  }, everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
