import { ConsoleClient } from '../support/console-client';
import { harnessPerFile } from '../support/harness';

// Issue 19, "Hostile world, round 2": the console over real HTTP, as an attacker on loopback speaks
// to it (no browser: what a browser would never send).
const h = harnessPerFile({ server: 'dev', api: true });

test('a session cookie copied before sign-out opens nothing after it', async () => {
  const mine = new ConsoleClient(h.api.url);
  expect(await mine.signIn(h.api.tokens.operator)).toBe(303);
  const copy = new ConsoleClient(h.api.url);
  for (const [name, value] of mine.cookies) copy.cookies.set(name, value);
  expect((await copy.fetch('/console/')).status).toBe(200);

  const _csrf = await mine.csrf('/console/');
  expect((await mine.post('/console/deconnexion', { _csrf })).status).toBe(303);
  const after = await copy.fetch('/console/');
  expect([after.status, after.headers.get('location')]).toEqual([302, '/console/connexion?suite=%2Fconsole%2F']);
});

test('a line break in the page to return to after signing in is not a 500', async () => {
  const browser = new ConsoleClient(h.api.url);
  const _csrf = await browser.csrf();
  const answer = await browser.post('/console/connexion', {
    _csrf,
    jeton: h.api.tokens.operator,
    suite: '/console/bdc\r\nSet-Cookie: pwned=1',
  });
  expect([answer.status, answer.headers.get('location'), answer.headers.getSetCookie().join()]).toEqual([
    303,
    '/console/',
    expect.not.stringContaining('pwned'),
  ]);
});

test('a malformed bulk registration file is refused next to its field, not a 500', async () => {
  const browser = new ConsoleClient(h.api.url);
  expect(await browser.signIn(h.api.tokens.operator)).toBe(303);
  const form = new FormData();
  form.set('_csrf', await browser.csrf('/console/imports'));
  const csv = 'editeur_id;reference;campaign_id;solution_id;og_finess;essms;order_date;solution_referenced\n"a;b\n';
  form.set('bdcs', new Blob([csv], { type: 'text/csv' }), 'bdc.csv');
  const answer = await browser.fetch('/console/imports/bdc', { method: 'POST', body: form });
  expect(answer.status).toBe(422);
  expect(await answer.text()).toContain('le fichier n’est pas un CSV lisible');
});

test('no script may run on a console page: the CSP has no unsafe-inline among its script sources', async () => {
  const page = await fetch(`${h.api.url}/console/connexion`);
  const csp = page.headers.get('content-security-policy')!;
  const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1];
  expect(scriptSrc).toBeDefined();
  expect(scriptSrc).not.toContain('unsafe-inline');
  expect(csp).toMatch(/script-src-attr 'none'/);
});
