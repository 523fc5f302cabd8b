import { randomUUID } from 'node:crypto';
import { samplePdf } from '../../scripts/samples/enrolment';
import { consoleSession } from '../support/console-session';
import { demoPersonId, people } from '../support/people';
import { harnessPerFile } from '../support/harness';

// Issue 24: bank details by four eyes in the console — the éditeur's person proposes them (a wrong
// IBAN said in French at its field, then a confirmation), an ordonnateur validates them.
// the éditeur enrols itself here: none is enrolled by the harness
const h = harnessPerFile({ api: true, enrolled: [] });
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

test('an éditeur proposes its bank details from the console, an ordonnateur validates them there', async () => {
  const { api } = h;
  // the people who act here, as the provider signs them in: the éditeur's mandated person, an ordonnateur
  const [marc, paul] = [await demoPersonId(h, 'test-marc-lefevre'), await demoPersonId(h, 'demo-paul-durand')];
  const vat = (
    await api.call('POST', '/documents', {
      token: api.tokens.acme,
      raw: samplePdf('Attestation de TVA').toString('latin1'),
      headers: { 'content-type': 'application/pdf' },
    })
  ).body.sha256;
  const enrolled = await api.call('PUT', '/editeurs/editeur-acme/enrolment', {
    token: api.tokens.acme,
    body: {
      eventId: randomUUID(),
      siret: '73282932000074',
      name: 'Acmé Santé SAS',
      legalRepresentative: { name: 'Camille Martin', role: 'Présidente' },
      mandate: [
        // the service account that enrols it over the API, and the person who proposes its bank details
        { name: 'Dominique Petit', email: 'dominique@acme.example', personId: 'editeur-acme/acme-api' },
        { name: 'Marc Lefèvre', email: 'marc.lefevre@acme.example', personId: marc },
      ],
      vatAttestation: vat,
    },
  });
  expect(enrolled.status).toBe(200);

  const acme = await consoleSession(api.url, people.acme);
  const first = await (await acme.get('/console/coordonnees-bancaires')).text();
  expect(first).toContain('Acmé Santé SAS');
  expect(first).toContain('Paiements impossibles');

  // a wrong IBAN: said at its field, in French, before any confirmation
  const wrong = await acme.post(
    '/console/coordonnees-bancaires',
    { iban: 'FR14 2004 1010 0505 0001 3M02 607', bic: 'PSSTFRPPPAR', holder: 'Acmé Santé', evenement: randomUUID() },
    '/console/coordonnees-bancaires',
  );
  expect(wrong.status).toBe(422);
  const wrongHtml = await wrong.text();
  expect(wrongHtml).toContain('id="f-iban-erreur"');
  expect(wrongHtml).toContain('cet IBAN n’est pas valide (clé de contrôle ou longueur)');

  const form = {
    iban: 'FR14 2004 1010 0505 0001 3M02 606',
    bic: 'PSSTFRPPPAR',
    holder: 'Acmé Santé',
    evenement: randomUUID(),
  };
  const confirming = await (
    await acme.post('/console/coordonnees-bancaires', form, '/console/coordonnees-bancaires')
  ).text();
  expect(confirming).toContain('Confirmez-vous ces coordonnées bancaires ?');
  expect((await h.ledger.sql.query('SELECT 1 FROM bank_details')).length).toBe(0);
  const confirmed = { ...form, etape: 'confirmer' };
  expect((await acme.post('/console/coordonnees-bancaires', confirmed, '/console/coordonnees-bancaires')).status).toBe(
    303,
  );
  // the confirmation sent twice is one proposal
  expect((await acme.post('/console/coordonnees-bancaires', confirmed, '/console/coordonnees-bancaires')).status).toBe(
    303,
  );
  expect(await (await acme.get('/console/coordonnees-bancaires')).text()).toContain('en attente de validation');

  // the comptable does not decide; the ordonnateur does, after a confirmation
  const comptable = await consoleSession(api.url, people.comptable);
  expect((await comptable.get('/console/coordonnees-bancaires/a-valider')).status).toBe(403);
  const ordo = await consoleSession(api.url, people.ordonnateur);
  const list = await (await ordo.get('/console/coordonnees-bancaires/a-valider')).text();
  expect(list).toContain('FR1420041010050500013M02606');
  const [row] = await h.ledger.sql.query<{ id: string }>('SELECT id FROM bank_details');
  const path = `/console/coordonnees-bancaires/a-valider/${row!.id}`;
  const asked = await (
    await ordo.post(
      path,
      { editeur: 'editeur-acme', decision: 'valider', evenement: randomUUID() },
      '/console/coordonnees-bancaires/a-valider',
    )
  ).text();
  expect(asked).toContain('Confirmez-vous la validation ?');
  const decided = await ordo.post(
    path,
    { editeur: 'editeur-acme', decision: 'valider', evenement: hidden(asked, 'evenement'), etape: 'confirmer' },
    '/console/coordonnees-bancaires/a-valider',
  );
  expect(decided.status).toBe(303);
  const [details] = await h.ledger.sql.query<{
    state: string;
    decided_by: { id: string };
    proposed_by: { id: string };
  }>('SELECT state, decided_by, proposed_by FROM bank_details');
  expect([details!.state, details!.proposed_by.id, details!.decided_by.id]).toEqual(['valid', marc, paul]);
  const after = await (await acme.get('/console/coordonnees-bancaires')).text();
  expect(after).toContain('Paiements possibles');
  expect(after).toContain('en vigueur');
});
