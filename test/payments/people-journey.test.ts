import { randomUUID } from 'node:crypto';
import { parisCivilDate } from '../../domain/calendar';
import { consoleSession } from '../support/console-session';
import { demoPersonId, people } from '../support/people';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issues 23 and 24: one BDC's money from its cause to the bank, each step taken in the console by a
// person signed in at the provider — Claire Martin (gestionnaire) records the référencement, Paul
// Durand (ordonnateur) validates the advance she caused, Luc Petit (comptable) releases it and enters
// the bank's answer — and the audit trail names each of them, in the role they acted in.
const h = harnessPerFile({ api: true, ordonnateurs: 'absent' });
const ADVANCE = 175_200; // DOMAIN.md's worked example: 30 % of 5 840,00 €
const hidden = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) =>
    m[1]!.replaceAll('&#39;', "'").replaceAll('&amp;', '&'),
  );
const cents = async (bdcId: string) =>
  (
    await h.ledger.sql.query<{ state: string; amount_cents: string }>(
      'SELECT state, amount_cents FROM payment_orders WHERE bdc_id = $1',
      [bdcId],
    )
  ).map((o) => [o.state, Number(o.amount_cents)]);

test('a BDC’s advance from the décision to the bank, each step by a person: the audit trail names them', async () => {
  const { bdcId } = await h.register({ request: { solutionReferenced: false }, ogEssmsCount: 3 });
  await h.waitForStatus(bdcId, 'awaiting_referencement');
  const bdcPage = `/console/bdc/${encodeURIComponent(bdcId)}`;

  // Claire records the ANS decision on the BDC's page: checked, then confirmed
  const claire = await consoleSession(h.api.url, people.operator);
  const decision = {
    eventId: randomUUID(),
    decision: 'granted',
    decidedOn: parisCivilDate(new Date(await h.env.currentTimeMs())),
  };
  const checked = await claire.post(`${bdcPage}/referencement`, { ...decision, etape: 'verifier' }, bdcPage);
  expect(await checked.text()).toContain('Confirmez-vous');
  const recorded = await claire.post(`${bdcPage}/referencement`, { ...decision, etape: 'confirmer' }, bdcPage);
  expect(recorded.status).toBe(303);
  await eventually(
    async () =>
      (await h.ledger.sql.query("SELECT 1 FROM money_proposals WHERE bdc_id = $1 AND state = 'proposed'", [bdcId]))
        .length === 1,
    { what: 'the advance proposed' },
  );
  expect(await cents(bdcId)).toEqual([]);

  // Paul validates it in « Ordres à valider »: one proposal, its sum, a confirmation
  const paul = await consoleSession(h.api.url, people.ordonnateur);
  const PAGE = '/console/ordres-a-valider';
  const mine = hidden(await (await paul.get(PAGE)).text(), 'choix').filter((c) => c.includes(bdcId));
  expect(mine).toHaveLength(1);
  const asked = await (await paul.post(PAGE, { choix: mine, decision: 'valider' }, PAGE)).text();
  expect(asked).toContain('Confirmez-vous la validation de 1 proposition(s) ?');
  const validated = await paul.post(
    PAGE,
    {
      etape: 'confirmer',
      lot: hidden(asked, 'lot')[0]!,
      decision: 'valider',
      motif: '',
      choix: hidden(asked, 'choix'),
    },
    PAGE,
  );
  expect(await validated.text()).toContain('1 proposition(s) validée(s), 0 refusée(s)');
  await eventually(async () => JSON.stringify(await cents(bdcId)) === JSON.stringify([['validated', ADVANCE]]), {
    what: 'the advance ordered for 1 752,00 €',
  });

  // Luc releases it as a payment run, then enters the bank's answer: paid
  const luc = await consoleSession(h.api.url, people.comptable);
  const [{ id: orderId }] = (await h.ledger.sql.query<{ id: string }>(
    'SELECT id FROM payment_orders WHERE bdc_id = $1',
    [bdcId],
  )) as [{ id: string }];
  const confirm = await (
    await luc.post('/console/paiements/mise-en-paiement', { [`ordre-${orderId}`]: 'oui' }, '/console/paiements')
  ).text();
  const run = hidden(confirm, 'run')[0]!;
  const released = await luc.post(
    '/console/paiements/mise-en-paiement',
    { etape: 'confirmer', run, ordres: hidden(confirm, 'ordres')[0]! },
    '/console/paiements',
  );
  expect(released.status).toBe(303);
  expect(await cents(bdcId)).toEqual([['released', ADVANCE]]);
  const paid = await luc.post(
    `/console/paiements/${run}/reponse`,
    { ordre: orderId, issue: 'paye' },
    '/console/paiements',
  );
  expect(paid.status).toBe(303);
  expect(await cents(bdcId)).toEqual([['paid', ADVANCE]]);

  // who did what: the BDC's audit trail and its order's events, each naming the person and their role
  const [claireId, paulId, lucId] = await Promise.all(
    ['demo-claire-martin', 'demo-paul-durand', 'demo-luc-petit'].map((s) => demoPersonId(h, s)),
  );
  const audit = (await h.state(bdcId)).audit.map((a) => [a.kind, a.by?.role, a.by?.name ?? a.by?.id]);
  const { body } = await h.api.call('GET', `/bdcs/${encodeURIComponent(bdcId)}/payment-orders`, {
    token: h.api.tokens.comptable,
  });
  const events = (
    body.orders as {
      amountCents: number;
      events: { state: string; actor: { role: string; id: string; name?: string } }[];
    }[]
  ).flatMap((o) => o.events.map((e) => [e.state, e.actor.role, e.actor.name ?? e.actor.id, e.actor.id, o.amountCents]));
  process.stdout.write(
    `[journey] ${bdcId}\n${audit.map((l) => `  audit  ${l.join(' · ')}`).join('\n')}\n${events
      .map((e) => `  order  ${e.join(' · ')}`)
      .join('\n')}\n`,
  );
  expect(audit).toEqual(
    expect.arrayContaining([
      ['referencement_granted', 'operator', 'Claire Martin'],
      ['proposed', 'system', 'sons-engine'],
      ['validated', 'ordonnateur', 'Paul Durand'],
    ]),
  );
  expect(events).toEqual([
    ['released', 'comptable', 'Luc Petit', lucId, ADVANCE],
    ['paid', 'comptable', 'Luc Petit', lucId, ADVANCE],
  ]);
  // the person who caused the advance is not the one who validated it, nor the one who paid it
  expect(new Set([claireId, paulId, lucId]).size).toBe(3);
});
