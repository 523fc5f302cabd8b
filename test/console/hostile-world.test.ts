import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ConsoleBrowser } from '../../scripts/samples/console-browser';
import { eventually } from '../support/eventually';
import { harnessPerFile } from '../support/harness';
import { otp, people } from '../support/people';

// Issue 19, "Hostile world, round 2": the console over real HTTP, as an attacker on loopback speaks
// to it (no browser: what a browser would never send).

const h = harnessPerFile({ server: 'dev', api: true });

/**
 * Bytes the console's uploads keep on disk now: every file of its upload area (this process's, under
 * the temporary directory), measured from outside as an attacker's victim would see it.
 */
function storedBytes(): number {
  let total = 0;
  const tmp = os.tmpdir();
  for (const area of fs.readdirSync(tmp).filter((d) => d.startsWith(`sons-uploads-${process.pid}-`)))
    for (const entry of fs.readdirSync(path.join(tmp, area), { recursive: true, withFileTypes: true }))
      if (entry.isFile())
        total += fs.statSync(path.join(entry.parentPath, entry.name), { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

const MB = 1_000_000;

interface Upload {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** bytes of the file sent before the answer came */
  sentBytes: number;
  /** the most the uploads kept on disk, measured after each chunk sent */
  maxStoredBytes: number;
}

/**
 * A multipart form whose file is `fileBytes` long, sent 256 KiB at a time with the disk measured
 * between chunks; it stops sending as soon as the answer comes (as an attacker need not). With `hold`,
 * it waits for that promise after its first chunk; with `abandon`, it cuts the connection after that many bytes.
 */
function upload(
  route: string,
  {
    cookie,
    fields = {},
    fileField = 'f',
    fileBytes,
    hold,
    abandon,
  }: {
    cookie?: string;
    fields?: Record<string, string>;
    fileField?: string;
    fileBytes: number;
    hold?: Promise<unknown>;
    abandon?: number;
  },
): Promise<Upload> {
  const boundary = `----sons${randomUUID()}`;
  const head =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const request = http.request(new URL(route, h.api.url), {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(Buffer.byteLength(head) + fileBytes + Buffer.byteLength(tail)),
      ...(cookie ? { cookie } : {}),
    },
  });
  let sentBytes = 0;
  let maxStoredBytes = 0;
  const answered = new Promise<Omit<Upload, 'sentBytes' | 'maxStoredBytes'>>((resolve) => {
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (c: string) => (body += c));
      response.on('end', () => resolve({ status: response.statusCode!, body, headers: response.headers }));
      response.on('error', () => resolve({ status: response.statusCode!, body, headers: response.headers }));
    });
    // the connection cut without an answer (abandoned, or closed by the server before answering)
    request.on('close', () => resolve({ status: 0, body: '', headers: {} }));
  });
  let done = false;
  void answered.then(() => (done = true));
  request.on('error', () => undefined);
  return (async () => {
    request.write(head);
    // lines of a CSV that is not the import's: read as quickly as any file of its size
    const chunk = Buffer.from('a;b\n'.repeat(64 * 1024));
    while (sentBytes < fileBytes && !done && !request.destroyed) {
      if (hold && sentBytes > 0) await Promise.race([hold, answered]);
      if (abandon !== undefined && sentBytes >= abandon) {
        request.destroy();
        break;
      }
      const n = Math.min(chunk.length, fileBytes - sentBytes);
      const flushed = request.write(chunk.subarray(0, n));
      sentBytes += n;
      if (!flushed) await Promise.race([once(request, 'drain'), answered, once(request, 'close')]);
      maxStoredBytes = Math.max(maxStoredBytes, storedBytes());
    }
    if (!done && !request.destroyed) request.end(tail);
    return { ...(await answered), sentBytes, maxStoredBytes };
  })();
}

test('a session cookie copied before sign-out opens nothing after it', async () => {
  const mine = await new ConsoleBrowser(h.api.url).signedInAs(people.operator, { otp });
  const copy = new ConsoleBrowser(h.api.url);
  for (const [name, value] of mine.cookies) copy.cookies.set(name, value);
  expect((await copy.fetch('/console/')).status).toBe(200);

  const _csrf = await mine.csrf('/console/');
  expect((await mine.post('/console/deconnexion', { _csrf })).status).toBe(303);
  const after = await copy.fetch('/console/');
  expect([after.status, after.headers.get('location')]).toEqual([302, '/console/connexion?suite=%2Fconsole%2F']);
});

test('a line break in the page to return to after signing in is not a 500', async () => {
  const browser = new ConsoleBrowser(h.api.url);
  const answer = await browser.signInAs(people.operator, { otp, suite: '/console/bdc\r\nSet-Cookie: pwned=1' });
  expect([answer.status, new URL(answer.url).pathname, [...browser.cookies.keys()]]).toEqual([
    200,
    '/console/',
    expect.not.arrayContaining(['pwned']),
  ]);
});

test('a malformed bulk registration file is refused next to its field, not a 500', async () => {
  const browser = await new ConsoleBrowser(h.api.url).signedInAs(people.operator, { otp });
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

test('a 30 MB multipart sent to a public route is refused before 1 MB of it is stored', async () => {
  const sent = await upload('/console/deconnexion', { fileBytes: 30 * MB });
  process.stdout.write(
    `[measure] 30 MB multipart to /console/deconnexion: ${sent.status}, ${(sent.maxStoredBytes / MB).toFixed(1)} MB stored at most, ${(sent.sentBytes / MB).toFixed(1)} MB sent before the answer\n`,
  );
  expect(sent.status).toBeGreaterThanOrEqual(400);
  expect(sent.status).toBeLessThan(500);
  expect(sent.maxStoredBytes).toBeLessThan(MB);
  await eventually(() => storedBytes() === 0);
});

test('a form that takes files stores nothing without a session, nor with a CSRF token not its own', async () => {
  const anonymous = await upload('/console/imports/bdc', { fields: { _csrf: 'x' }, fileBytes: 30 * MB });
  expect([anonymous.status, anonymous.maxStoredBytes < MB]).toEqual([302, true]);
  const browser = await new ConsoleBrowser(h.api.url).signedInAs(people.operator, { otp });
  const forged = await upload('/console/imports/bdc', {
    cookie: browser.cookieHeader,
    fields: { _csrf: 'not-the-token' },
    fileField: 'bdcs',
    fileBytes: 30 * MB,
  });
  expect([forged.status, forged.maxStoredBytes < MB]).toEqual([403, true]);
  expect(forged.body).toContain('le formulaire a expiré ou ne vient pas de cette console');
});

test('a file over 10 MiB is refused with a 413 saying the limit, and nothing of it is kept', async () => {
  const browser = await new ConsoleBrowser(h.api.url).signedInAs(people.operator, { otp });
  // the page that draws the form sets the CSRF secret in the cookie: the token first, then the cookie
  const _csrf = await browser.csrf('/console/imports');
  const big = await upload('/console/imports/bdc', {
    cookie: browser.cookieHeader,
    fields: { _csrf },
    fileField: 'bdcs',
    fileBytes: 12 * 2 ** 20,
  });
  expect(big.status).toBe(413);
  expect(big.body).toContain('10 Mio');
  expect(big.maxStoredBytes).toBeLessThanOrEqual(10 * 2 ** 20 + 256 * 1024);
  await eventually(() => storedBytes() === 0);
});

test('a person has at most two uploads at once: the third is a 429 with Retry-After; an abandoned one leaves nothing', async () => {
  const browser = await new ConsoleBrowser(h.api.url).signedInAs(people.operator, { otp });
  const form = async () => ({
    fields: { _csrf: await browser.csrf('/console/imports') },
    cookie: browser.cookieHeader,
    fileField: 'bdcs',
    fileBytes: 2 * MB,
  });
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  const held = [
    upload('/console/imports/bdc', { ...(await form()), hold }),
    upload('/console/imports/bdc', { ...(await form()), hold }),
  ];
  try {
    // both have begun storing their files
    await eventually(() => storedBytes() >= 2 * 256 * 1024);
    const third = await upload('/console/imports/bdc', await form());
    expect([third.status, Number(third.headers['retry-after']) > 0]).toEqual([429, true]);
  } finally {
    release();
  }
  // not CSV of the import's columns: refused once read, which frees the person's uploads
  expect((await Promise.all(held)).map((u) => u.status)).toEqual([422, 422]);
  const abandoned = await upload('/console/imports/bdc', { ...(await form()), abandon: MB });
  expect(abandoned.status).toBe(0);
  await eventually(() => storedBytes() === 0);
  expect((await upload('/console/imports/bdc', await form())).status).toBe(422);
});
