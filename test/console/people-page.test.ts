import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { accessibilityViolations, browserPerFile, screenshot } from '../support/browser';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { demoPersonId, pagesOf, signIn } from '../support/people';

// Issue 23: the admin's « Personnes » page — people listed, a role granted or revoked, a person
// disabled, each confirmed first, through the real provider in a real browser — and the exports
// naming the person who acted.
const h = harnessPerFile({ api: true, people: {} });

const browser = browserPerFile();
const withPage = pagesOf(h, browser);

const main = async (page: Page) => (await page.locator('main').textContent()) ?? '';

/** The admin, from the navigation to a person's page. */
async function openPerson(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Personnes' }).click();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** Fills an action's form, checks it, and confirms it (console/actions.tsx's two steps). */
async function confirmAction(
  page: Page,
  slug: string,
  fill: (section: ReturnType<Page['locator']>) => Promise<unknown>,
) {
  const section = page.locator(`#action-${slug}-section`);
  await fill(section);
  await section.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
  expect(await page.locator(`#action-${slug}-section`).textContent()).toContain('Confirmez-vous ?');
  await page.locator(`#action-${slug}-section`).getByRole('button', { name: 'Confirmer' }).click();
}

test('an admin grants a role in the page, revokes it, disables the person: each counts from its next request', async () => {
  const nadia = await demoPersonId(h, 'demo-nadia-haddad');
  await withPage(async (hers) => {
    await signIn(hers, 'nadia.haddad');
    // a controleur opens no operator's page
    expect((await hers.goto('/console/imports'))?.status()).toBe(403);

    await withPage(async (page) => {
      await signIn(page, 'admin.local', { otp: '123456' });
      await openPerson(page, 'Nadia Haddad');
      expect(await main(page)).toContain('nadia.haddad@asp.localhost');
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, '30-personne');

      await confirmAction(page, 'attribution', (s) =>
        s.getByRole('combobox', { name: 'Rôle *' }).selectOption({ label: 'Opérateur ASP' }),
      );
      expect(await main(page)).toContain('Le rôle est attribué');
      const roles = page.getByRole('table', { name: 'Rôles' });
      expect(await roles.textContent()).toContain('Opérateur ASP');
      // who granted it, by name
      expect(await roles.textContent()).toContain('Alex Admin');
      // her next request: the page is hers now
      expect((await hers.goto('/console/imports'))?.status()).toBe(200);

      await confirmAction(page, 'retrait', async (s) => {
        await s.getByLabel('Rôle à retirer').selectOption({ label: 'Opérateur ASP' });
        await s.getByLabel('Motif du retrait').fill('fin de l’intérim');
      });
      expect(await main(page)).toContain('Le rôle est retiré');
      expect((await hers.goto('/console/imports'))?.status()).toBe(403);
      const [grant] = await h.ledger.sql.query<{ revoked_by: string; revoke_reason: string }>(
        "SELECT revoked_by, revoke_reason FROM role_grants WHERE person_id = $1 AND role = 'operator'",
        [nadia],
      );
      expect(grant).toEqual({
        revoked_by: await demoPersonId(h, 'demo-admin-local'),
        revoke_reason: 'fin de l’intérim',
      });

      await confirmAction(page, 'desactivation', (s) => s.getByLabel('Motif').fill('départ'));
      expect(await main(page)).toContain('La personne est désactivée.');
      await hers.goto('/console/');
      await hers.waitForURL(/\/console\/connexion/);

      await confirmAction(page, 'reactivation', (s) => s.getByLabel('Motif').fill('retour'));
      expect(await main(page)).toContain('La personne est réactivée.');
      await page.getByRole('link', { name: 'Personnes' }).first().click();
      const row = page.getByRole('row', { name: /Nadia Haddad/ });
      expect(await row.textContent()).toContain('Contrôleur');
      expect(await row.textContent()).toContain('Active');
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, '31-personnes');
    });
  });
});

test('granting ordonnateur to a comptable is refused in French next to the role, confirmed or not', async () => {
  const luc = await demoPersonId(h, 'demo-luc-petit');
  const rule = 'ordonnateur et comptable sont des fonctions incompatibles (décret GBCP n° 2012-1246, art. 9)';
  await withPage(async (page) => {
    await signIn(page, 'admin.local', { otp: '123456' });
    await openPerson(page, 'Luc Petit');
    const section = page.locator('#action-attribution-section');
    await section.getByRole('combobox', { name: 'Rôle *' }).selectOption({ label: 'Ordonnateur' });
    await section.getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
    expect(await page.locator('#f-role-erreur').textContent()).toContain(rule);
    expect(await page.locator('#action-attribution-section').textContent()).not.toContain('Confirmez-vous ?');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, '32-role-incompatible');

    // a confirmation sent anyway (two admins at once): the grant's own rule refuses it, on the page
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const sent = await page.request.post(`/console/personnes/${luc}/attribution`, {
      form: { _csrf: csrf, eventId: 'grant-clash', etape: 'confirmer', role: 'ordonnateur' },
    });
    expect(sent.status()).toBe(422);
    expect(await sent.text()).toContain(rule);
  });
  const [held] = await h.ledger.sql.query<{ roles: string[] }>(
    'SELECT array_agg(role) AS roles FROM role_grants WHERE person_id = $1 AND revoked_at IS NULL',
    [luc],
  );
  expect(held!.roles).toEqual(['comptable']);
});

test('a non-admin cannot open the page, nor send its forms', async () => {
  const luc = await demoPersonId(h, 'demo-luc-petit');
  await withPage(async (page) => {
    await signIn(page, 'claire.martin');
    expect(await page.getByRole('navigation', { name: 'Menu principal' }).textContent()).not.toContain('Personnes');
    const answer = await page.goto('/console/personnes');
    expect(answer?.status()).toBe(403);
    expect(await main(page)).toContain('ne permet pas cette action');
    expect((await page.goto(`/console/personnes/${luc}`))?.status()).toBe(403);
    await page.goto('/console/');
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const sent = await page.request.post(`/console/personnes/${luc}/attribution`, {
      form: { _csrf: csrf, eventId: 'grant-self', etape: 'confirmer', role: 'admin' },
    });
    expect(sent.status()).toBe(403);
  });
  const [admin] = await h.ledger.sql.query(
    "SELECT 1 FROM role_grants WHERE person_id = $1 AND role = 'admin' AND revoked_at IS NULL",
    [luc],
  );
  expect(admin).toBeUndefined();
});

test('the audit trail an operator downloads names the person beside its id', async () => {
  const { bdcId } = await h.register();
  await h.waitForStatus(bdcId, 'awaiting_va');
  const claire = await demoPersonId(h, 'demo-claire-martin');
  await withPage(async (page) => {
    await signIn(page, 'claire.martin');
    await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
    await page.getByLabel('Motif de l’annulation').fill('OG dissoute');
    await page.locator('#action-annulation-section').getByRole('button', { name: 'Vérifier avant d’envoyer' }).click();
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await eventually(async () => (await h.state(bdcId)).audit.some((a) => a.kind === 'cancellation_requested'), {
      what: 'the cancellation in the audit trail',
    });

    await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Exports' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Piste d’audit/ }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const [header, ...lines] = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(header).toBe('Date;BDC;Contrôle;Action;Rôle;Identifiant de l’auteur;Nom de l’auteur');
    const hers = lines.filter((l) => l.includes(bdcId) && l.includes(claire));
    expect(hers.length).toBeGreaterThan(0);
    for (const line of hers) expect(line.endsWith(`;Opérateur ASP;${claire};Claire Martin`)).toBe(true);
    // the registration, by the harness's service account: its id alone
    const registered = lines.find((l) => l.includes(bdcId) && !l.includes(claire) && !l.includes(';Moteur;'));
    expect(registered).toMatch(/;[^;]+;$/);

    // one BDC's trail; a period's
    const ofBdc = (
      await (await page.request.get(`/console/exports/piste-d-audit.csv?bdc=${encodeURIComponent(bdcId)}`)).text()
    )
      .split('\r\n')
      .slice(1)
      .filter(Boolean);
    expect(ofBdc.length).toBeGreaterThan(1);
    expect(ofBdc.every((l) => l.split(';')[1] === bdcId)).toBe(true);
    // a period that is not a date is refused, not read as no period (the whole trail would come down)
    const unreadable = await page.request.get('/console/exports/piste-d-audit.csv?du=31/12/2025');
    expect(unreadable.status()).toBe(422);
    expect(await unreadable.text()).toContain('une date AAAA-MM-JJ est attendue');
    const longAgo = await (
      await page.request.get('/console/exports/piste-d-audit.csv?du=2000-01-01&au=2000-01-31')
    ).text();
    expect(
      longAgo
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .filter(Boolean),
    ).toEqual([header]);
  });
});

test('an admin changes neither its own roles nor its own status: another admin does', async () => {
  const me = await demoPersonId(h, 'demo-admin-local');
  const rule = 'personne ne change ses propres rôles ni son propre statut';
  const rolesOf = async () =>
    (
      await h.ledger.sql.query<{ role: string }>(
        'SELECT role FROM role_grants WHERE person_id = $1 AND revoked_at IS NULL ORDER BY role',
        [me],
      )
    ).map((r) => r.role);
  const before = await rolesOf();
  await withPage(async (page) => {
    await signIn(page, 'admin.local', { otp: '123456' });
    await page.goto(`/console/personnes/${me}`);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    // an admin granting itself ordonnateur could then validate money alone
    for (const [slug, form] of [
      ['attribution', { role: 'ordonnateur' }],
      ['retrait', { revokedRole: 'admin', revokeReason: 'essai' }],
      ['desactivation', { statusReason: 'essai' }],
    ] as const) {
      const checked = await page.request.post(`/console/personnes/${me}/${slug}`, {
        form: { _csrf: csrf, eventId: `self-${slug}`, ...form },
      });
      expect(await checked.text()).toContain(rule);
      const sent = await page.request.post(`/console/personnes/${me}/${slug}`, {
        form: { _csrf: csrf, eventId: `self-${slug}`, etape: 'confirmer', ...form },
      });
      expect(sent.status()).toBe(422);
      expect(await sent.text()).toContain(rule);
    }
  });
  expect(await rolesOf()).toEqual(before);
  const [status] = await h.ledger.sql.query<{ status: string }>('SELECT status FROM people WHERE person_id = $1', [me]);
  expect(status!.status).toBe('active');
});
