import { randomUUID } from 'node:crypto';
import { parisCivilDate, addCalendarDays } from '../../domain/calendar';
import { bdcRequest, vaRequestBody } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 15 through real HTTP: controls, contacts and signalements as the API exposes them.
const h = harnessPerFile({ server: 'dev', api: true, mail: true });
const today = () => parisCivilDate(new Date());

test('an OG reports a doubtful quote without a token; operators read it and answer; the OG receives the answer by email', async () => {
  const signalementId = randomUUID();
  const report = {
    signalementId,
    ogFiness: '010003820',
    editeurId: 'editeur-acme',
    quoteCents: 1_500_000,
    description: 'Le devis dépasse largement le barème pour 2 ESSMS.',
    contactEmail: 'direction@og.example',
  };
  const first = await h.api.call('POST', '/signalements', { body: report });
  expect([first.status, first.body]).toEqual([201, '']);
  const bad = await h.api.call('POST', '/signalements', {
    body: { ...report, signalementId: randomUUID(), contactEmail: 'pas un email' },
  });
  expect(bad.status).toBe(422);
  expect((await h.api.call('GET', '/signalements', { token: h.api.tokens.acme })).status).toBe(403);
  const listed = await h.api.call('GET', '/signalements?status=open', { token: h.api.tokens.operator });
  expect(listed.body.signalements.map((s: { signalementId: string }) => s.signalementId)).toContain(signalementId);
  const answered = await h.api.call('POST', `/signalements/${signalementId}/answer`, {
    token: h.api.tokens.operator,
    body: { answer: 'Le devis a été transmis au contrôle ; merci de votre vigilance.' },
  });
  expect(answered.body).toMatchObject({ status: 'answered', answeredBy: 'ops-1' });
  const [mail] = await eventually(
    async () => {
      const m = (await h.mailbox.messages()).filter((x) => x.to === 'direction@og.example');
      return m.length > 0 && m;
    },
    { what: 'the answer emailed to the OG' },
  );
  expect(mail!.subject).toMatch(/^SONS — réponse à votre signalement du \d{1,2} \S+ \d{4}$/);
  expect(mail!.text).toContain('Le devis a été transmis au contrôle');
  // the id is in none of the email's lines: neither its subject nor its headers
  expect(JSON.stringify([mail!.subject, mail!.messageId, [...mail!.headers]])).not.toContain(signalementId);
});

test('issue 19: the public route is no oracle — a real order, a known signalementId: 201 and nothing else', async () => {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today() });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  const registered = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...request, eventId: randomUUID() },
  });
  const bdcId = registered.body.bdcId as string;
  const report = {
    signalementId: randomUUID(),
    ogFiness: request.ogFiness,
    editeurId: request.editeurId,
    bdcReference: request.reference,
    description: 'Le devis de ce bon de commande nous semble anormal.',
    contactEmail: 'direction@og-oracle.example',
  };
  // a real reference and a made-up one answer alike: the BDC's id is never given back
  const real = await h.api.call('POST', '/signalements', { body: report });
  const madeUp = await h.api.call('POST', '/signalements', {
    body: { ...report, signalementId: randomUUID(), bdcReference: 'NO-SUCH-ORDER' },
  });
  expect([real.status, real.body, real.body.length]).toEqual([201, '', 0]);
  expect([madeUp.status, madeUp.body]).toEqual([201, '']);
  // and the API's document says so
  const doc = await h.api.call('GET', '/openapi.json');
  expect(doc.body.paths['/signalements'].post.responses['201'].description).toMatch(/^no body/);
  await h.api.call('POST', `/signalements/${report.signalementId}/answer`, {
    token: h.api.tokens.operator,
    body: { answer: 'Nous avons demandé des explications à l’éditeur.' },
  });
  // the id sent again, with anything: nothing of the stored record (the OG's email, the answer, who answered)
  const again = await h.api.call('POST', '/signalements', {
    body: { ...report, contactEmail: 'attaquant@evil.example' },
  });
  expect([again.status, again.body]).toEqual([201, '']);
  for (const leaked of ['direction@og-oracle', 'explications', 'ops-1', bdcId])
    expect(JSON.stringify(again)).not.toContain(leaked);
  // recorded against the BDC for operators, as before
  const listed = await h.api.call('GET', `/signalements?bdcId=${encodeURIComponent(bdcId)}`, {
    token: h.api.tokens.operator,
  });
  expect(listed.body.signalements).toEqual([
    expect.objectContaining({ signalementId: report.signalementId, contactEmail: 'direction@og-oracle.example' }),
  ]);
  // the éditeur reported against never reads the answer to the OG in its BDC's notifications
  await eventually(
    async () => (await h.mailbox.messages()).some((m) => m.to === 'direction@og-oracle.example') || undefined,
    { what: 'the answer emailed' },
  );
  const seenByEditeur = await h.api.call('GET', `/bdcs/${encodeURIComponent(bdcId)}/notifications`, {
    token: h.api.tokens.acme,
  });
  expect(seenByEditeur.status).toBe(200);
  expect(JSON.stringify(seenByEditeur.body)).not.toMatch(/og-oracle|explications|signalement/);
  const seenByOperator = await h.api.call('GET', `/bdcs/${encodeURIComponent(bdcId)}/notifications`, {
    token: h.api.tokens.operator,
  });
  expect(seenByOperator.body.notifications).toEqual([
    expect.objectContaining({ template: 'signalement_answer', address: 'direction@og-oracle.example' }),
  ]);
});

test('an éditeur sets its own contact, never another’s', async () => {
  // a public address, written as one: this machine resolves no public name (a webhook's name is resolved and checked)
  const own = await h.api.call('PUT', '/contacts/editeur/editeur-acme', {
    token: h.api.tokens.acme,
    body: {
      emails: ['dsi@acme.example'],
      webhookUrl: 'https://93.184.216.34/sons',
      webhookSecret: 'whsec_0123456789abcdef',
    },
  });
  expect(own.body).toEqual({
    party: 'editeur',
    partyId: 'editeur-acme',
    emails: ['dsi@acme.example'],
    webhookUrl: 'https://93.184.216.34/sons',
    webhookSigned: true,
  });
  expect(
    (
      await h.api.call('PUT', '/contacts/editeur/editeur-rival', {
        token: h.api.tokens.acme,
        body: { emails: ['x@acme.example'] },
      })
    ).status,
  ).toBe(403);
  expect(
    (
      await h.api.call('PUT', '/contacts/operators/asp', {
        token: h.api.tokens.operator,
        body: { emails: ['pilotage@asp.example'] },
      })
    ).status,
  ).toBe(200);
});

test('a control drawn, redrawn and decided through the API', async () => {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today() });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  const { body } = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...request, eventId: randomUUID() },
  });
  await h.waitForStatus(body.bdcId, 'awaiting_va');
  await h.api.call('POST', `/bdcs/${body.bdcId}/va`, {
    token: h.api.tokens.acme,
    body: vaRequestBody(request, new Date(Date.now() - 60_000).toISOString(), 584_000),
  });
  await h.waitForStatus(body.bdcId, 'completed');
  const drawn = await h.api.call('POST', '/controls/draws', {
    token: h.api.tokens.operator,
    body: {
      eventId: randomUUID(),
      seed: 'api-draw',
      size: 1,
      assignedTo: 'controleur-2',
      documents: ['contrat'],
      documentsDueOn: addCalendarDays(today(), 10),
      endedBefore: new Date(Date.now() + 1_000).toISOString(),
    },
  });
  expect(drawn.status).toBe(201);
  expect(drawn.body.sample).toHaveLength(1);
  const redrawn = await h.api.call('GET', `/controls/draws/${encodeURIComponent(drawn.body.drawId)}/redraw`, {
    token: h.api.tokens.admin,
  });
  expect(redrawn.body).toMatchObject({ samePopulation: true, sameSample: true });
  const controlId = `control:${drawn.body.drawId}:${drawn.body.sample[0].bdcId}`;
  await eventually(
    async () =>
      (await h.api.call('GET', `/controls/${encodeURIComponent(controlId)}`, { token: h.api.tokens.operator })).body
        .version > 0,
    { what: 'the control opened' },
  );
  const refused = await h.api.call('POST', `/controls/${encodeURIComponent(controlId)}/decision`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), outcome: 'failed', findings: 'x', reasons: [] },
  });
  expect(refused.status).toBe(422);
  expect(refused.body.refusals.map((r: { code: string }) => r.code)).toEqual(['reasons_missing', 'recovery_missing']);
  const passed = await h.api.call('POST', `/controls/${encodeURIComponent(controlId)}/decision`, {
    token: h.api.tokens.operator,
    body: { eventId: randomUUID(), outcome: 'passed', findings: 'pièces conformes' },
  });
  expect(passed.body).toMatchObject({ status: 'passed', decision: { outcome: 'passed' } });
  expect((await h.api.call('POST', '/controls/draws', { token: h.api.tokens.acme, body: {} })).status).toBe(403);
});
