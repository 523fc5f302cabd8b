import { randomUUID } from 'node:crypto';
import { verifyJournal } from '../../client/journal-verify';
import { bankDetailsDecisionRefusals } from '../../domain/payments';
import { samplePdf } from '../../scripts/samples/enrolment';
import { harnessPerFile } from '../support/harness';

// Issue 24: an éditeur enrolled through the API — SIRET, name, legal representative, mandate, VAT
// attestation — and its bank details proposed by its person, validated by an ordonnateur (four
// eyes), dated and journaled; an invalid IBAN refused with its French reason at its field.
// the éditeur enrols itself here: none is enrolled by the harness
const h = harnessPerFile({ api: true, enrolled: [] });
const acmePerson = 'editeur-acme/acme-api'; // the acme token's person, as the audit trail names them

async function attestation(): Promise<string> {
  const pdf = samplePdf('Attestation de TVA editeur-acme').toString('latin1');
  const sent = await h.api.call('POST', '/documents', {
    token: h.api.tokens.acme,
    raw: pdf,
    headers: { 'content-type': 'application/pdf', 'x-file-name': 'attestation-tva.pdf' },
  });
  expect(sent.status).toBe(201);
  return sent.body.sha256;
}

const enrolment = (vatAttestation: string, overrides: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  siret: '732 829 320 00074',
  name: 'Acmé Santé SAS',
  legalRepresentative: { name: 'Camille Martin', role: 'Présidente' },
  mandate: [{ name: 'Dominique Petit', email: 'dominique.petit@acme.example', personId: acmePerson }],
  vatAttestation,
  ...overrides,
});

test('an éditeur enrols, proposes its bank details; an ordonnateur validates them, and a change needs a second person again', async () => {
  const { api } = h;
  const vat = await attestation();

  // refused at each field, in French: a SIRET whose key is wrong, a mandate that does not name its sender
  const wrong = await api.call('PUT', '/editeurs/editeur-acme/enrolment', {
    token: api.tokens.acme,
    body: enrolment(vat, {
      siret: '73282932000075',
      mandate: [{ name: 'X', email: 'x@acme.example', personId: 'editeur-acme/someone-else' }],
    }),
  });
  expect(wrong.status).toBe(422);
  expect(wrong.body.refusals).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        code: 'invalid_siret',
        path: 'siret',
        message: 'ce SIRET n’est pas valide (14 chiffres et leur clé de contrôle)',
      }),
      expect.objectContaining({ code: 'not_in_mandate', path: 'mandate' }),
    ]),
  );
  // another éditeur cannot enrol acme; an operator cannot either
  expect(
    (await api.call('PUT', '/editeurs/editeur-acme/enrolment', { token: api.tokens.rival, body: enrolment(vat) }))
      .status,
  ).toBe(404);
  expect(
    (await api.call('PUT', '/editeurs/editeur-acme/enrolment', { token: api.tokens.operator, body: enrolment(vat) }))
      .status,
  ).toBe(403);

  // bank details before the enrolment: refused
  const early = await api.call('POST', '/editeurs/editeur-acme/bank-details', {
    token: api.tokens.acme,
    body: {
      eventId: randomUUID(),
      iban: 'FR14 2004 1010 0505 0001 3M02 606',
      bic: 'PSSTFRPPPAR',
      holder: 'Acmé Santé',
    },
  });
  expect(early.status).toBe(422);
  expect(early.body.refusals).toEqual([expect.objectContaining({ code: 'not_enrolled', path: 'editeurId' })]);

  const enrolled = await api.call('PUT', '/editeurs/editeur-acme/enrolment', {
    token: api.tokens.acme,
    body: enrolment(vat),
  });
  expect(enrolled.status).toBe(200);
  expect(enrolled.body.enrolment).toMatchObject({
    editeurId: 'editeur-acme',
    version: 1,
    siret: '73282932000074',
    name: 'Acmé Santé SAS',
    legalRepresentative: { name: 'Camille Martin', role: 'Présidente' },
    vatAttestation: vat,
    submittedBy: { role: 'editeur', id: acmePerson },
  });

  // an IBAN whose check digits are wrong: the reason, in French, at its field
  const invalid = await api.call('POST', '/editeurs/editeur-acme/bank-details', {
    token: api.tokens.acme,
    body: {
      eventId: randomUUID(),
      iban: 'FR14 2004 1010 0505 0001 3M02 607',
      bic: 'PSSTFRPPPAR',
      holder: 'Acmé Santé',
    },
  });
  expect(invalid.status).toBe(422);
  expect(invalid.body.refusals).toEqual([
    {
      code: 'invalid_iban',
      message: 'cet IBAN n’est pas valide (clé de contrôle ou longueur)',
      path: 'iban',
      value: 'FR14 2004 1010 0505 0001 3M02 607',
    },
  ]);

  // proposed: not in force until an ordonnateur validates
  const first = await api.call('POST', '/editeurs/editeur-acme/bank-details', {
    token: api.tokens.acme,
    body: {
      eventId: randomUUID(),
      iban: 'FR14 2004 1010 0505 0001 3M02 606',
      bic: 'psstfrpppar',
      holder: 'Acmé Santé',
    },
  });
  expect(first.status).toBe(201);
  expect(first.body.bankDetails).toMatchObject({
    iban: 'FR1420041010050500013M02606',
    bic: 'PSSTFRPPPAR',
    state: 'proposed',
    proposedBy: { role: 'editeur', id: acmePerson },
  });
  const firstId = first.body.bankDetails.id;
  expect((await api.call('GET', '/editeurs/editeur-acme', { token: api.tokens.acme })).body.payable).toBe(false);
  // a second change while one awaits: refused
  const second = await api.call('POST', '/editeurs/editeur-acme/bank-details', {
    token: api.tokens.acme,
    body: { eventId: randomUUID(), iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP', holder: 'Acmé Santé' },
  });
  expect(second.status).toBe(409);
  expect(second.body.refusals).toEqual([expect.objectContaining({ code: 'bank_details_pending' })]);
  // the éditeur, a comptable cannot validate; an ordonnateur does
  const validation = (id: number) => `/editeurs/editeur-acme/bank-details/${id}/validation`;
  for (const token of [api.tokens.acme, api.tokens.comptable, api.tokens.operator])
    expect((await api.call('POST', validation(firstId), { token, body: { eventId: randomUUID() } })).status).toBe(403);
  const awaiting = await api.call('GET', '/bank-details/awaiting', { token: api.tokens.ordonnateur });
  expect(awaiting.body.bankDetails.map((d: { id: number }) => d.id)).toEqual([firstId]);
  const validated = await api.call('POST', validation(firstId), {
    token: api.tokens.ordonnateur,
    body: { eventId: randomUUID() },
  });
  expect(validated.status).toBe(200);
  expect(validated.body.bankDetails).toMatchObject({
    state: 'valid',
    decidedBy: { role: 'ordonnateur', id: 'ordo-1' },
    validFrom: expect.any(String),
  });
  // decided already: a second decision is refused
  const again = await api.call('POST', validation(firstId), {
    token: api.tokens.ordonnateur2,
    body: { eventId: randomUUID() },
  });
  expect(again.status).toBe(422);
  expect(again.body.refusals).toEqual([expect.objectContaining({ code: 'wrong_state' })]);

  // a change: proposed, rejected with a reason (the first stays in force), proposed again, validated
  const change = async () =>
    (
      await api.call('POST', '/editeurs/editeur-acme/bank-details', {
        token: api.tokens.acme,
        body: {
          eventId: randomUUID(),
          iban: 'FR76 3000 6000 0112 3456 7890 189',
          bic: 'AGRIFRPP',
          holder: 'Acmé Santé',
        },
      })
    ).body.bankDetails.id as number;
  const refusedChange = await change();
  const rejected = await api.call('POST', `/editeurs/editeur-acme/bank-details/${refusedChange}/rejection`, {
    token: api.tokens.ordonnateur2,
    body: { eventId: randomUUID(), reason: 'RIB illisible' },
  });
  expect(rejected.body.bankDetails).toMatchObject({ state: 'rejected', rejectionReason: 'RIB illisible' });
  const accepted = await change();
  await api.call('POST', validation(accepted), { token: api.tokens.ordonnateur2, body: { eventId: randomUUID() } });

  const file = await api.call('GET', '/editeurs/editeur-acme', { token: api.tokens.acme });
  expect(file.body.payable).toBe(true);
  expect(
    file.body.bankDetails.map((d: { id: number; state: string; iban: string }) => [d.id, d.state, d.iban]),
  ).toEqual([
    [accepted, 'valid', 'FR7630006000011234567890189'],
    [refusedChange, 'rejected', 'FR7630006000011234567890189'],
    [firstId, 'superseded', 'FR1420041010050500013M02606'],
  ]);
  // dated: the first in force until the second's validation
  const [now, , old] = file.body.bankDetails;
  expect(old.validUntil).toBe(now.validFrom);
  // another éditeur does not read acme's file
  expect((await api.call('GET', '/editeurs/editeur-acme', { token: api.tokens.rival })).status).toBe(404);

  // journaled: the enrolment and every version of the bank details, each as it stands
  const entries = await h.ledger.sql.query<{ kind: string; subject: string }>(
    "SELECT kind, subject FROM journal WHERE kind LIKE 'editeur.%' ORDER BY seq",
  );
  expect(entries.map((e) => `${e.kind} ${e.subject}`)).toEqual([
    'editeur.enrolment editeur-acme#1',
    `editeur.bank_details ${firstId}`,
    `editeur.bank_details ${firstId}`,
    `editeur.bank_details ${refusedChange}`,
    `editeur.bank_details ${refusedChange}`,
    `editeur.bank_details ${accepted}`,
    `editeur.bank_details ${firstId}`,
    `editeur.bank_details ${accepted}`,
  ]);
  expect((await verifyJournal(h.ledger.sql, {})).mismatches).toEqual([]);
});

test('four eyes on bank details: never the person who proposed them, only an ordonnateur', () => {
  const proposed = { id: 7, state: 'proposed', proposedBy: { role: 'ordonnateur' as const, id: 'ordo-1' } };
  expect(bankDetailsDecisionRefusals(proposed, { role: 'ordonnateur', id: 'ordo-1' }, 7)).toEqual([
    expect.objectContaining({ code: 'own_proposal', path: 'actor' }),
  ]);
  expect(bankDetailsDecisionRefusals(proposed, { role: 'comptable', id: 'compta-1' }, 7)).toEqual([
    expect.objectContaining({ code: 'not_ordonnateur' }),
  ]);
  expect(bankDetailsDecisionRefusals(proposed, { role: 'ordonnateur', id: 'ordo-2' }, 7)).toEqual([]);
});

test('the OpenAPI document describes the routes of éditeurs and payments', async () => {
  const doc = await h.api.call('GET', '/openapi.json');
  expect(doc.status).toBe(200);
  expect(Object.keys(doc.body.paths)).toEqual(
    expect.arrayContaining([
      '/editeurs/{editeurId}/enrolment',
      '/editeurs/{editeurId}/bank-details',
      '/editeurs/{editeurId}/bank-details/{id}/validation',
      '/payment-runs',
      '/payment-runs/{runId}/status-report',
      '/bdcs/{bdcId}/payment-orders',
      '/reports/payments',
    ]),
  );
});
