import { randomUUID } from 'node:crypto';
import { eurosFr } from '../../domain/french';
import { consoleSession } from '../support/console-session';
import { people } from '../support/people';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 24: « Ordres à valider », the ordonnateurs' page: the proposals awaiting validation, totalled;
// many selected, checked by the rule of four eyes before the confirmation, then validated or rejected
// as a batch of individual decisions — each once, even when the confirmation is sent twice.
const h = harnessPerFile({ api: true, ordonnateurs: 'absent' });
const ADVANCE = 175_200; // DOMAIN.md's worked example
const PAGE = '/console/ordres-a-valider';

const hidden = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => m[1]!);
const decoded = (s: string) => s.replaceAll('&#39;', "'").replaceAll('&amp;', '&');

async function proposed(bdcIds: string[]) {
  return eventually(
    async () => {
      const rows = await h.ledger.sql.query<{ bdc_id: string; proposal_id: string }>(
        "SELECT bdc_id, proposal_id FROM money_proposals WHERE state = 'proposed' AND bdc_id = ANY($1::text[])",
        [bdcIds],
      );
      if (rows.length !== bdcIds.length) throw new Error(`${rows.length} of ${bdcIds.length} advances proposed`);
      return rows;
    },
    { what: 'the advances proposed', budgetMs: 120_000 },
  );
}

const orders = async (bdcIds: string[]) =>
  (
    await h.ledger.sql.query<{ bdc_id: string; amount_cents: string }>(
      'SELECT bdc_id, amount_cents FROM payment_orders WHERE bdc_id = ANY($1::text[]) ORDER BY bdc_id',
      [bdcIds],
    )
  ).map((r) => [r.bdc_id, Number(r.amount_cents)]);

test('an ordonnateur validates two advances with one confirmation, sent twice; each order is written once', async () => {
  const register = async () => (await h.register({ ogEssmsCount: 3 })).bdcId;
  const bdcIds = [await register(), await register(), await register()];
  await proposed(bdcIds);

  // an operator does not reach the page; a controleur reads it and selects nothing
  const operator = await consoleSession(h.api.url, people.operator);
  expect((await operator.get(PAGE)).status).toBe(403);
  const controleur = await consoleSession(h.api.url, people.controleur);
  const read = await (await controleur.get(PAGE)).text();
  expect(read).toContain(`3 proposition(s) en attente pour <span class="sons-money">${eurosFr(3 * ADVANCE)}</span>`);
  expect(read).not.toContain('name="choix"');

  const ordonnateur = await consoleSession(h.api.url, people.ordonnateur);
  const listed = await (await ordonnateur.get(PAGE)).text();
  const choices = [...listed.matchAll(/name="choix" value="([^"]*)"/g)].map((m) => decoded(m[1]!));
  expect(choices).toHaveLength(3);
  const two = choices.filter((c) => !c.includes(bdcIds[2]!));

  // the selection, then its confirmation with its count and its sum: nothing is validated before it
  const asked = await (await ordonnateur.post(PAGE, { choix: two, decision: 'valider' }, PAGE)).text();
  expect(asked).toContain('Confirmez-vous la validation de 2 proposition(s) ?');
  expect(asked).toContain(`2 proposition(s) pour <span class="sons-money">${eurosFr(2 * ADVANCE)}</span>`);
  expect(await orders(bdcIds)).toEqual([]);

  const confirmation = {
    etape: 'confirmer',
    lot: hidden(asked, 'lot')[0]!,
    decision: 'valider',
    motif: '',
    choix: hidden(asked, 'choix').map(decoded),
  };
  const done = await (await ordonnateur.post(PAGE, confirmation, PAGE)).text();
  expect(done).toContain('2 proposition(s) validée(s), 0 refusée(s)');
  // the same confirmation again (a double click, a reload): each process answers as it did the first time
  const again = await (await ordonnateur.post(PAGE, confirmation, PAGE)).text();
  expect(again).toContain('2 proposition(s) validée(s), 0 refusée(s)');
  const validated = [...two.map((c) => bdcIds.find((id) => c.includes(id))!)].sort();
  await eventually(
    async () => {
      expect(await orders(bdcIds)).toEqual(validated.map((id) => [id, ADVANCE]));
      return true;
    },
    {
      what: 'two advances ordered, once each',
    },
  );

  // the third rejected: a rejection without its reason is refused on the page, before any confirmation
  const third = choices.filter((c) => c.includes(bdcIds[2]!));
  const unexplained = await ordonnateur.post(PAGE, { choix: third, decision: 'rejeter', motif: '' }, PAGE);
  expect(unexplained.status).toBe(422);
  expect(await unexplained.text()).toContain('Un rejet se motive');
  const rejecting = await (
    await ordonnateur.post(PAGE, { choix: third, decision: 'rejeter', motif: 'OG inconnu de l’ARS' }, PAGE)
  ).text();
  expect(rejecting).toContain('Confirmez-vous le rejet de 1 proposition(s) ?');
  const rejected = await (
    await ordonnateur.post(
      PAGE,
      {
        etape: 'confirmer',
        lot: hidden(rejecting, 'lot')[0]!,
        decision: 'rejeter',
        motif: 'OG inconnu de l’ARS',
        choix: third.map(decoded),
      },
      PAGE,
    )
  ).text();
  expect(rejected).toContain('1 proposition(s) rejetée(s), 0 refusée(s)');
  await eventually(
    async () => {
      expect((await h.state(bdcIds[2]!)).status).toBe('needs_attention');
      return true;
    },
    {
      what: 'the rejected BDC needing attention',
    },
  );
  expect(await orders(bdcIds)).toEqual(validated.map((id) => [id, ADVANCE]));
});

test('above the threshold one ordonnateur’s second validation is refused before the confirmation; a second person’s pays', async () => {
  const { bdcId } = await h.register({ ogEssmsCount: 3, campaign: { fourEyesThresholdCents: 100_000 } });
  await proposed([bdcId]);
  const first = await consoleSession(h.api.url, people.ordonnateur);
  const choice = (html: string) =>
    [...html.matchAll(/name="choix" value="([^"]*)"/g)].map((m) => decoded(m[1]!)).filter((c) => c.includes(bdcId));
  const [mine] = choice(await (await first.get(PAGE)).text());
  const asked = await (await first.post(PAGE, { choix: [mine!], decision: 'valider' }, PAGE)).text();
  const confirm = { etape: 'confirmer', lot: hidden(asked, 'lot')[0]!, decision: 'valider', motif: '', choix: [mine!] };
  expect(await (await first.post(PAGE, confirm, PAGE)).text()).toContain('1 proposition(s) validée(s)');
  expect(await orders([bdcId])).toEqual([]);

  // it waits for a second person: the report ages it, day by day
  const waiting = async () =>
    (await h.api.call('GET', '/reports/payments', { token: h.api.tokens.controleur })).body.awaitingValidation;
  expect((await waiting()).ageing[0]).toEqual({ days: '0-1', count: 1, cents: ADVANCE });
  await h.env.sleep('3 days');
  expect((await waiting()).ageing.slice(0, 2)).toEqual([
    { days: '0-1', count: 0, cents: 0 },
    { days: '2-7', count: 1, cents: ADVANCE },
  ]);
  expect(await (await first.get(PAGE)).text()).toContain('2 à 7 jours');

  // the same person again: no box to tick, and a crafted selection is told why before any confirmation
  const page = await (await first.get(PAGE)).text();
  expect(choice(page)).toEqual([]);
  expect(page).toContain('1 / 2');
  const crafted = await (await first.post(PAGE, { choix: [mine!], decision: 'valider' }, PAGE)).text();
  expect(crafted).toContain('Confirmez-vous la validation de 0 proposition(s) ?');
  expect(crafted).toContain('1 proposition(s) ne seront pas envoyées');
  expect(crafted).not.toContain('>Confirmer<');

  // a second ordonnateur validates: the advance is ordered
  const second = await consoleSession(h.api.url, people.ordonnateur2);
  const asked2 = await (await second.post(PAGE, { choix: [mine!], decision: 'valider' }, PAGE)).text();
  const confirm2 = { ...confirm, lot: hidden(asked2, 'lot')[0]! };
  expect(await (await second.post(PAGE, confirm2, PAGE)).text()).toContain('1 proposition(s) validée(s)');
  await eventually(
    async () => {
      expect(await orders([bdcId])).toEqual([[bdcId, ADVANCE]]);
      return true;
    },
    {
      what: 'the advance ordered after two validations',
    },
  );
});

test('an advance for an éditeur not enrolled is said before the confirmation, and nothing is sent or paid', async () => {
  const editeurId = `editeur-nouveau-${randomUUID().slice(0, 6)}`;
  const { bdcId } = await h.register({ ogEssmsCount: 3, request: { editeurId } });
  await proposed([bdcId]);
  const ordonnateur = await consoleSession(h.api.url, people.ordonnateur);
  const [choice] = [...(await (await ordonnateur.get(PAGE)).text()).matchAll(/name="choix" value="([^"]*)"/g)]
    .map((m) => decoded(m[1]!))
    .filter((c) => c.includes(bdcId));
  const asked = await (await ordonnateur.post(PAGE, { choix: [choice!], decision: 'valider' }, PAGE)).text();
  expect(asked).toContain('Confirmez-vous la validation de 0 proposition(s) ?');
  expect(decoded(asked)).toContain(`aucun ordre n’est validé pour ${editeurId} : l’éditeur n’est pas inscrit`);
  expect(asked).not.toContain('>Confirmer<');
  expect(await orders([bdcId])).toEqual([]);
});
