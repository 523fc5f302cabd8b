import { eurosFr } from '../../domain/french';
import { endToEndId } from '../../domain/sepa/pain001';
import { enrolInDatabase } from '../../scripts/samples/enrolment';
import { consoleSession } from '../support/console-session';
import { people } from '../support/people';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { validateAgainst } from '../support/sepa';

// Issue 24: « Paiements », the comptables' page: two validated advances selected, confirmed as one
// payment run whose pain.001 file is downloaded and valid; the bank's answers entered by hand — one
// paid, one rejected (account closed) and shown as back with the ordonnateurs.
const h = harnessPerFile({ api: true });
const ADVANCE = 175_200; // DOMAIN.md's worked example

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

test('a comptable releases two orders from the page, downloads the file and enters the bank’s answers', async () => {
  await enrolInDatabase(h.ledger.sql, 'editeur-acme');
  const bdcIds = [(await h.register({ ogEssmsCount: 3 })).bdcId, (await h.register({ ogEssmsCount: 3 })).bdcId];
  const orders = await eventually(
    async () => {
      const rows = await h.ledger.sql.query<{ id: string; bdc_id: string }>(
        "SELECT id, bdc_id FROM payment_orders WHERE state = 'validated' AND bdc_id = ANY($1::text[]) ORDER BY id",
        [bdcIds],
      );
      if (rows.length !== 2) throw new Error(`${rows.length} of 2 advances validated`);
      return rows.map((r) => Number(r.id));
    },
    { what: 'the two advances validated', budgetMs: 120_000 },
  );

  // an operator does not reach the page; the comptable does
  const operator = await consoleSession(h.api.url, people.operator);
  expect((await operator.get('/console/paiements')).status).toBe(403);
  const comptable = await consoleSession(h.api.url, people.comptable);
  const before = await (await comptable.get('/console/paiements')).text();
  expect(before).toContain('Ordres validés, à mettre en paiement');
  for (const id of orders) expect(before).toContain(`name="ordre-${id}"`);
  expect(before).toContain(`Total des ordres validés : <span class="sons-money">${eurosFr(2 * ADVANCE)}</span>`);

  // the selection, then its confirmation: nothing is released before it
  const asked = await comptable.post(
    '/console/paiements/mise-en-paiement',
    Object.fromEntries(orders.map((id) => [`ordre-${id}`, 'oui'])),
    '/console/paiements',
  );
  const confirmation = await asked.text();
  expect(confirmation).toContain('Confirmez-vous la mise en paiement ?');
  expect(confirmation).toContain(`2 ordre(s) pour <span class="sons-money">${eurosFr(2 * ADVANCE)}</span>`);
  expect((await h.ledger.sql.query('SELECT 1 FROM payment_runs')).length).toBe(0);
  const form = { etape: 'confirmer', run: hidden(confirmation, 'run'), ordres: hidden(confirmation, 'ordres') };
  expect(form.ordres).toBe(orders.join(','));
  // a form forged with no run id and no order: refused on the page, nothing released
  const forged = await comptable.post(
    '/console/paiements/mise-en-paiement',
    { etape: 'confirmer', run: '', ordres: 'x' },
    '/console/paiements',
  );
  expect(forged.status).toBe(422);
  expect((await h.ledger.sql.query('SELECT 1 FROM payment_runs')).length).toBe(0);
  const done = await comptable.post('/console/paiements/mise-en-paiement', form, '/console/paiements');
  expect(done.status).toBe(303);
  // the confirmation sent twice (a double click) is the same run
  expect((await comptable.post('/console/paiements/mise-en-paiement', form, '/console/paiements')).status).toBe(303);
  const runs = await h.ledger.sql.query<{ run_id: string; control_sum_cents: string }>(
    'SELECT run_id, control_sum_cents FROM payment_runs',
  );
  expect(runs.map((r) => [r.run_id, Number(r.control_sum_cents)])).toEqual([[form.run, 2 * ADVANCE]]);

  const file = await comptable.get(`/console/paiements/${form.run}/fichier.xml`);
  expect(file.headers.get('content-type')).toContain('application/xml');
  const xml = await file.text();
  expect(validateAgainst('pain.001.001.09.xsd', xml).ok).toBe(true);
  expect(xml).toContain('<CtrlSum>3504.00</CtrlSum>');

  // the bank's answers by hand: the first paid, the second rejected, account closed
  const answer = (order: number, issue: string) =>
    comptable.post(`/console/paiements/${form.run}/reponse`, { ordre: String(order), issue }, '/console/paiements');
  // the first by the bank's status report (pain.002), uploaded on the page
  const [{ message_id: messageId, key }] = (await h.ledger.sql.query<{ message_id: string; key: string }>(
    'SELECT r.message_id, o.idempotency_key AS key FROM payment_runs r, payment_orders o WHERE o.id = $1',
    [orders[0]],
  )) as [{ message_id: string; key: string }];
  const report = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>
  <GrpHdr><MsgId>BANK-CONSOLE-1</MsgId><CreDtTm>2024-03-05T08:00:00Z</CreDtTm></GrpHdr>
  <OrgnlGrpInfAndSts><OrgnlMsgId>${messageId}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
  <OrgnlPmtInfAndSts><OrgnlPmtInfId>${messageId}</OrgnlPmtInfId>
    <TxInfAndSts><OrgnlEndToEndId>${endToEndId(key)}</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
  </OrgnlPmtInfAndSts>
</CstmrPmtStsRpt></Document>`;
  const uploaded = await comptable.post(
    `/console/paiements/${form.run}/compte-rendu`,
    { rapport: new Blob([report], { type: 'application/xml' }) },
    '/console/paiements',
  );
  expect(uploaded.status).toBe(303);
  expect(uploaded.headers.get('location')).toBe('/console/paiements?rapport=1&inchanges=0');
  expect((await answer(orders[1]!, 'AC04')).status).toBe(303);
  // a contrary answer afterwards is refused, in French, on the page
  const contrary = await answer(orders[0]!, 'AC01');
  expect(contrary.status).toBe(422);
  expect(await contrary.text()).toContain('est déjà payé');

  const states = await h.ledger.sql.query<{ state: string; cents: string }>(
    'SELECT state, sum(amount_cents)::int8 AS cents FROM payment_orders GROUP BY state ORDER BY state',
  );
  expect(states.map((s) => [s.state, Number(s.cents)])).toEqual([
    ['paid', ADVANCE],
    ['rejected', ADVANCE],
  ]);
  const after = await (await comptable.get('/console/paiements')).text();
  expect(after).toContain('Rejetés par la banque, renvoyés aux ordonnateurs');
  expect(after).toContain('compte clos (AC04)');
});
