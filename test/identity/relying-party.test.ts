import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { demoPeopleFile, startLocalProvider, type LocalProvider } from '../../identity/local-provider';
import { RelyingParty } from '../../identity/relying-party';
import { freePort } from '../../scripts/free-port';
import { launchBrowser } from '../support/browser';

// Issue 23: the console's relying party (openid-client) against the real local provider, through a real
// browser: a good ID token is taken; one for another audience, without its nonce, or expired is refused.
let browser: Browser;
let returns: http.Server;
let returnUrl: string;
const arrived: string[] = [];
beforeAll(async () => {
  browser = await launchBrowser();
  // where the provider sends the browser back: the URL is kept, as the console's return would read it
  returns = http.createServer((req, res) => {
    if (req.url!.startsWith('/console/connexion/retour')) arrived.push(new URL(req.url!, returnUrl).href);
    res.end('retour');
  });
  await new Promise<void>((r) => returns.listen(0, '127.0.0.1', r));
  returnUrl = `http://127.0.0.1:${(returns.address() as AddressInfo).port}/console/connexion/retour`;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => returns?.close(r));
});

/** A sign-in of a demo person at a provider (spoiling its ID tokens as `tamper` says): what the relying party makes of it. */
async function signInWith(tamper?: 'aud' | 'nonce' | 'exp') {
  const client = { client_id: 'rp-test', client_secret: 'a-secret-of-the-test-only-0123456789' };
  const provider: LocalProvider = await startLocalProvider({
    port: await freePort(),
    peopleFile: demoPeopleFile,
    clients: [{ ...client, redirect_uris: [returnUrl], post_logout_redirect_uris: [returnUrl] }],
    ...(tamper ? { tamper } : {}),
  });
  const rp = new RelyingParty({
    issuer: provider.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    scopes: 'openid email profile organization',
    redirectUri: returnUrl,
    postLogoutUri: returnUrl,
    secondFactorAmr: ['mfa'],
  });
  const context = await browser.newContext();
  try {
    const { url, transaction } = await rp.begin();
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('Identifiant').fill('paul.durand');
    await page.getByLabel('Mot de passe').fill('demo');
    await page.getByLabel(/Code à usage unique/).fill('123456');
    const before = arrived.length;
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/console\/connexion\/retour/);
    expect(arrived.length).toBe(before + 1);
    return await rp.finish(new URL(arrived.at(-1)!), transaction).then(
      (person) => ({ person }),
      (err: Error & { cause?: { claim?: string } }) => ({
        refused: `${err.message} ${JSON.stringify(err.cause ?? {})}`,
      }),
    );
  } finally {
    await context.close();
    await provider.stop();
  }
}

test('a sign-in with a second factor: the person, the claims of ProConnect’s shape, the second factor', async () => {
  const outcome = await signInWith();
  expect(outcome).toMatchObject({
    person: {
      subject: 'demo-paul-durand',
      claims: { given_name: 'Paul', usual_name: 'Durand', email: 'paul.durand@asp.localhost', siret: '13000548100010' },
      secondFactor: true,
    },
  });
});

test.each([
  // oauth4webapi's codes: a claim compared and found wrong; a required claim missing; a token past its time
  ['aud', /OAUTH_JWT_CLAIM_COMPARISON_FAILED/],
  ['nonce', /OAUTH_INVALID_RESPONSE/],
  ['exp', /exp|timestamp|expired/],
] as const)('an ID token with a wrong %s is refused', async (tamper, why) => {
  const outcome = await signInWith(tamper);
  expect(outcome).toHaveProperty('refused');
  expect((outcome as { refused: string }).refused).toMatch(why);
});
