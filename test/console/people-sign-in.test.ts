import { browserPerFile } from '../support/browser';
import { harnessPerFile } from '../support/harness';
import { demoPersonId, pagesOf, signIn } from '../support/people';

// Issue 23: people sign in to the console through a real OpenID provider (the local one of npm start,
// oidc-provider, with the demo people of identity/demo-people.json), in a real browser.
const h = harnessPerFile({ api: true, people: {} });

const browser = browserPerFile();

const withPage = pagesOf(h, browser);

test('a person signs in at the provider, acts under their own name, and signing out ends both sessions', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await withPage(async (page) => {
    await signIn(page, 'claire.martin');
    expect(await page.locator('header').textContent()).toContain('Claire Martin');
    // an action of hers, confirmed: its audit line names her, in the record and on the page
    await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
    await page.getByLabel('Motif de l’annulation').fill('OG dissoute');
    await page.locator('#action-annulation-section').getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
    await page.getByRole('button', { name: 'Confirmer' }).click();
    expect(await page.locator('main').textContent()).toContain('L’annulation est enregistrée.');
    const claire = await demoPersonId(h, 'demo-claire-martin');
    const line = (await h.state(bdcId)).audit.find((a) => a.kind === 'cancellation_requested');
    expect(line?.by).toEqual({ role: 'operator', id: claire, name: 'Claire Martin' });
    expect(await page.locator('main').textContent()).toContain('(Opérateur ASP Claire Martin)');

    // signing out ends the console's session and the provider's: the next sign-in asks for a password again
    await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
    // the provider's end of session, which asks first, then sends her back to the console's sign-in
    await page.waitForURL(/\/session\/end/);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(/\/console\/connexion/);
    await page.goto('/console/');
    await page.waitForURL(/\/console\/connexion/);
    await page.getByRole('link', { name: 'S’identifier avec ProConnect' }).click();
    expect(await page.getByLabel('Mot de passe').count()).toBe(1);
  });
});

test('a return from the provider without this browser’s sign-in, with a wrong state, or replayed is refused', async () => {
  await withPage(async (page, context) => {
    // no sign-in under way in this browser
    const stray = await page.goto('/console/connexion/retour?code=abc&state=' + 'x'.repeat(43));
    expect(stray?.status()).toBe(401);
    expect(await page.locator('main').textContent()).toContain('aucune connexion en cours dans ce navigateur');

    // a sign-in under way, answered with another state
    await page.goto('/console/connexion');
    await page.getByRole('link', { name: 'S’identifier avec ProConnect' }).click();
    await page.getByLabel('Identifiant').waitFor();
    const wrong = await page.goto('/console/connexion/retour?code=abc&state=' + 'y'.repeat(43));
    expect(wrong?.status()).toBe(401);
    expect(await page.locator('main').textContent()).toContain(
      'La connexion n’a pas abouti (la réponse du fournisseur d’identité n’a pas pu être vérifiée)',
    );

    // a real return, captured, then replayed once the person signed in and out
    let returned = '';
    page.on('request', (r) => {
      if (r.url().includes('/console/connexion/retour')) returned = r.url();
    });
    await signIn(page, 'claire.martin');
    expect(returned).toMatch(/code=/);
    await context.clearCookies();
    const replayed = await page.goto(returned);
    expect(replayed?.status()).toBe(401);
    await page.goto('/console/');
    await page.waitForURL(/\/console\/connexion/);
  });
});

test('without a second factor a person reads but takes no money action; the engine refuses it too', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  await h.api.call('POST', `/bdcs/${encodeURIComponent(bdcId)}/cancellation`, {
    token: h.api.tokens.operator,
    body: { eventId: 'cancel-2fa', reason: 'OG dissoute' },
  });
  await h.waitForStatus(bdcId, 'reimbursement_due');
  // the same person, signed in without then with the one-time code
  for (const otp of [undefined, '123456']) {
    await withPage(async (page) => {
      await signIn(page, 'claire.martin', { otp });
      await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
      const section = page.locator('section.fr-card', {
        has: page.getByRole('heading', { name: 'Enregistrer un remboursement reçu' }),
      });
      const button = section.getByRole('button', { name: 'Vérifier avant d’envoyer' });
      if (!otp) {
        expect(await button.isDisabled()).toBe(true);
        expect(await section.textContent()).toContain('elle demande un second facteur');
        // the form sent anyway (as a crafted request would): refused by the engine, nothing recorded
        const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
        const answer = await page.request.post(`/console/bdc/${encodeURIComponent(bdcId)}/remboursement`, {
          form: { _csrf: csrf, eventId: 'r-2fa', etape: 'confirmer', amountCents: '1752,00', receivedAt: '2024-01-15' },
        });
        expect(await answer.text()).toContain('une somme se décide avec un second facteur');
        expect((await h.money(bdcId)).receipts).toEqual([]);
      } else {
        expect(await button.isDisabled()).toBe(false);
      }
    });
  }
});

test('a role removed, or a person disabled, counts from the next request', async () => {
  await withPage(async (page) => {
    await signIn(page, 'nadia.haddad');
    expect(page.url()).toMatch(/\/console\/(bdc)?$/);
    const nadia = await demoPersonId(h, 'demo-nadia-haddad');
    await (await h.engine()).people.revoke(nadia, 'controleur', 'test-admin', 'mutation');
    await page.goto('/console/');
    await page.waitForURL(/\/console\/connexion/);
    // signing in again (still signed in at the provider): she holds no role, and is told so
    await page.getByRole('link', { name: 'S’identifier avec ProConnect' }).click();
    await page.waitForURL(/\/console\/connexion\/retour/);
    expect(await page.locator('main').textContent()).toContain('Vous n’avez encore aucun rôle dans SONS');
  });
});

test('a service account’s token opens no console session: there is no token sign-in any more', async () => {
  const tokenSignIn = await fetch(`${h.api.url}/console/connexion`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ jeton: h.api.tokens.operator }).toString(),
    redirect: 'manual',
  });
  expect(tokenSignIn.status).toBe(404);
  const page = await (await fetch(`${h.api.url}/console/connexion`)).text();
  expect(page).not.toContain('Jeton d’accès');
});

test('an admin manages people over the API: ordonnateur and comptable never together, a person disabled is out at the next request', async () => {
  const admin = { token: h.api.tokens.admin };
  const listed = await h.api.call('GET', '/people?search=Durand', admin);
  expect(listed.status).toBe(200);
  const paul = (listed.body.people as { personId: string; grants: { role: string }[] }[])[0]!;
  expect(paul.grants.map((g) => g.role)).toEqual(['ordonnateur']);
  const clash = await h.api.call('POST', `/people/${paul.personId}/roles`, { ...admin, body: { role: 'comptable' } });
  expect(clash.status).toBe(422);
  expect(clash.body.refusals[0]).toMatchObject({ code: 'incompatible_roles', path: 'role' });
  // an operator is no admin
  expect((await h.api.call('GET', '/people', { token: h.api.tokens.operator })).status).toBe(403);

  await withPage(async (page) => {
    await signIn(page, 'paul.durand', { otp: '123456' });
    const disabled = await h.api.call('POST', `/people/${paul.personId}/status`, {
      ...admin,
      body: { status: 'disabled', reason: 'départ' },
    });
    expect(disabled.body).toMatchObject({ status: 'disabled' });
    await page.goto('/console/');
    await page.waitForURL(/\/console\/connexion/);
  });
  await h.api.call('POST', `/people/${paul.personId}/status`, {
    ...admin,
    body: { status: 'active', reason: 'retour' },
  });
});

test('an éditeur’s person sees its own éditeur’s BDCs only', async () => {
  // the harness registers for editeur-acme; Julie Moreau acts for editeur-demo
  const { bdcId: theirs } = await h.register();
  const { bdcId: hers } = await h.register({ request: { editeurId: 'editeur-demo', reference: 'JM-1' } });
  await h.waitForStatus(hers, 'awaiting_va');
  await withPage(async (page) => {
    await signIn(page, 'julie.moreau');
    expect(await page.locator('header').textContent()).toContain('Julie Moreau');
    await page.goto('/console/bdc');
    const list = (await page.locator('main').textContent()) ?? '';
    expect(list).toContain('JM-1');
    expect(list).not.toContain(theirs.split(':')[2]);
    const other = await page.goto(`/console/bdc/${encodeURIComponent(theirs)}`);
    expect(other?.status()).toBe(404);
  });
});
