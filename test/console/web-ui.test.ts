import type { BrowserContext, Page, Response } from 'playwright-core';
import { bdcMessages } from '../../contract/bdc';
import { EncryptionCodec, newPayloadKey } from '../../temporal/payload-codec';
import { browserPerFile, screenshot } from '../support/browser';
import { otp, people, signIn } from '../support/people';
import { validVa } from '../support/bdc-fixtures';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';

// Issue 22, item 1: admins read BDCs' histories in the Temporal Web UI again. Every payload is
// encrypted; the dev server's UI (as `npm start` starts it) asks the console's codec endpoint to decode
// them, from the admin's browser, with the admin's console session — and nobody else's.
const codec = new EncryptionCodec({ current: 'a', keys: { a: newPayloadKey() } });
const h = harnessPerFile({ server: 'dev', api: true, webUi: true, dataConverter: { payloadCodecs: [codec] } });

const browser = browserPerFile();

async function signedIn(login: string): Promise<{ page: Page; context: BrowserContext }> {
  // tall: the UI's code views render only the lines on screen
  const context = await browser.context({
    baseURL: h.api.url,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1600, height: 4000 },
  });
  const page = await context.newPage();
  await signIn(page, login, { otp });
  return { page, context };
}

async function bdcWithVa() {
  const { bdcId, request } = await h.register({ ogEssmsCount: 3 });
  const va = validVa(request, new Date(await h.now()).toISOString(), 600_000);
  await h.send(bdcId, bdcMessages.vaSubmitted, va);
  return { bdcId, reference: request.reference, invoice: va.invoice.number, firstEssms: request.essms[0]! };
}

/**
 * What an admin does once per browser (README "Reading histories in the Web UI"): the dev server's UI
 * has no setting to send cookies to its codec endpoint (Temporal's UI server has one,
 * TEMPORAL_CODEC_INCLUDE_CREDENTIALS, set in docker-compose.yml); its « Codec Server » dialog has.
 */
async function sendCredentialsToTheCodec(page: Page) {
  await page
    .getByTestId(/^data-encoder-status/)
    .first()
    .click();
  await page.getByTestId('use-local-endpoint-input').check();
  await page.getByTestId('data-encoder-endpoint-input').fill(`${h.api.url}/console/codec`);
  await page.getByTestId('data-encoder-include-credentials').click();
  expect(await page.locator('#pass-access-credentials').isChecked()).toBe(true);
  await page.locator('#data-encoder-settings').getByTestId('confirm-modal-button').click();
}

const decodes = (page: Page) => {
  const seen: Response[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/console/codec/decode')) seen.push(r);
  });
  return seen;
};

test("an admin opens a BDC's history in the Web UI and reads its VA in clear", async () => {
  const { bdcId, reference, firstEssms } = await bdcWithVa();
  const { page, context } = await signedIn(people.admin);
  await page.goto(`/console/bdc/${encodeURIComponent(bdcId)}`);
  const [ui] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('link', { name: /Voir l’historique dans Temporal/ }).click(),
  ]);
  expect(ui!.url()).toContain(`${h.webUiUrl}/namespaces/default/workflows/`);
  const answers = decodes(ui!);
  await sendCredentialsToTheCodec(ui!);
  answers.length = 0; // what the page asked before: without the session, refused
  // payloads decoded from the first view: the BDC's request, in clear
  await ui!.reload();
  await ui!.getByText(`"reference": "${reference}"`).first().waitFor();
  // the VA is the input of an update: its event, opened, shows the invoice
  await ui!
    .getByRole('link', { name: /Event History/ })
    .or(ui!.getByRole('tab', { name: /Event History/ }))
    .first()
    .click();
  const accepted = ui!.getByText('Workflow Execution Update Accepted');
  await accepted.first().waitFor();
  // timers' summaries are payloads too: named after their deadline, in clear for the admin
  await ui!
    .getByText(/rappel : clôture \(VA et facture\), le \d\d\/\d\d\/\d{4} \d\d:\d\d/)
    .first()
    .waitFor();
  for (let i = 0; i < (await accepted.count()); i++) await accepted.nth(i).click();
  // its signature and its establishments, sealed in Temporal's database, read in clear
  await ui!.getByText('"signature": "pro-sante-connect"').first().waitFor();
  await ui!.getByText(`"finess": "${firstEssms}"`).first().waitFor();
  expect(answers.length).toBeGreaterThan(0);
  expect(answers.every((r) => r.status() === 200)).toBe(true);
  await screenshot(ui!, 'web-ui-admin-history');

  // the business status, in clear (a search attribute): one filter finds the BDCs of a status
  const list = (status: string) =>
    ui!.goto(`${h.webUiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`BdcStatus="${status}"`)}`);
  await list('completed');
  await ui!.getByRole('link', { name: bdcId }).first().waitFor();
  await list('lapsed');
  await ui!
    .getByText(/No Workflows|Aucun/i)
    .first()
    .waitFor();
  expect(await ui!.getByRole('link', { name: bdcId }).count()).toBe(0);
}, 120_000);

test('an operator signed in to the console reads nothing in clear: the codec endpoint refuses its session', async () => {
  const { bdcId, reference, invoice } = await bdcWithVa();
  const { page } = await signedIn(people.operator);
  await page.setViewportSize({ width: 1600, height: 4000 });
  await page.goto(`${h.webUiUrl}/namespaces/default/workflows`);
  const answers = decodes(page);
  await sendCredentialsToTheCodec(page);
  // the input and the result asked for, and refused: the page shows them sealed; then the events: the
  // VA's update, opened, and the timers. On a busy machine the Web UI may stop short of the last events
  // (the timers): the history is opened again, within one budget.
  await eventually(
    async () => {
      const asked = answers.length;
      await page.goto(`${h.webUiUrl}/namespaces/default/workflows/${encodeURIComponent(bdcId)}`);
      // this opening's own requests to decode, not an earlier one's
      await eventually(() => answers.length >= asked + 2);
      await page.getByText('bdcLifecycle').first().waitFor();
      await page
        .getByRole('link', { name: /Event History/ })
        .or(page.getByRole('tab', { name: /Event History/ }))
        .first()
        .click();
      const accepted = page.getByText('Workflow Execution Update Accepted');
      await accepted.first().waitFor();
      for (let i = 0; i < (await accepted.count()); i++) await accepted.nth(i).click();
      // the timers are the last events the Web UI draws
      await page.getByText('Timer Started').first().waitFor({ timeout: 45_000 });
      return true;
    },
    { budgetMs: 150_000, everyMs: 100, what: "the BDC's history drawn to its timers" },
  );
  expect(answers.map((r) => r.status())).toEqual(answers.map(() => 403));
  const text = await page.locator('body').innerText();
  for (const clear of [`"reference": "${reference}"`, 'pro-sante-connect', invoice, 'rappel : '])
    expect(text).not.toContain(clear);
}, 240_000);

/** The console's session cookie of a reader signed in through the browser, as a Cookie header. */
async function sessionCookie(login: string) {
  const { context } = await signedIn(login);
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

const sealedPayloads = async () => ({
  payloads: (
    await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"VA"') }])
  ).map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  })),
});

test("the codec endpoint answers the UI's preflight, and only the UI's; it decodes for an admin's session alone", async () => {
  const uiOrigin = new URL(h.webUiUrl).origin;
  const preflight = (origin: string) =>
    fetch(`${h.api.url}/console/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
  const fromUi = await preflight(uiOrigin);
  expect(fromUi.status).toBe(204);
  expect(fromUi.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
  expect(fromUi.headers.get('access-control-allow-headers')).toMatch(/x-namespace/);
  // the same UI reached as localhost is another origin (and another site: the cookie would not follow)
  for (const other of ['https://evil.example', uiOrigin.replace('127.0.0.1', 'localhost')]) {
    const refused = await preflight(other);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  }

  const body = JSON.stringify(await sealedPayloads());
  const decode = (headers: Record<string, string>) =>
    fetch(`${h.api.url}/console/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body,
    });
  const admin = await sessionCookie(people.admin);
  const ok = await decode({ origin: uiOrigin, cookie: admin });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('access-control-allow-origin')).toBe(uiOrigin);
  const [clear] = ((await ok.json()) as { payloads: { data: string }[] }).payloads;
  expect(Buffer.from(clear!.data, 'base64').toString()).toBe('"VA"');
  // an admin's cookie sent by a page of another origin: refused, and the browser may not read the answer
  const elsewhere = await decode({ origin: 'https://evil.example', cookie: admin });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  // no session; a session of every other role; an admin's API token is for /codec, not for the UI's endpoint
  expect((await decode({ origin: uiOrigin })).status).toBe(401);
  for (const login of [people.operator, people.ordonnateur, people.controleur, people.acme]) {
    const refused = await decode({ origin: uiOrigin, cookie: await sessionCookie(login) });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain('administrateur');
  }
  expect((await decode({ origin: uiOrigin, authorization: `Bearer ${h.api.tokens.admin}` })).status).toBe(401);
}, 120_000);
