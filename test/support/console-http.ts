/**
 * The console read over plain HTTP, as a browser signed in with a token would: its cookies kept, the
 * sign-in form's CSRF token sent back. For tests that read figures off pages (no script runs there).
 */
export interface ConsoleSession {
  get(path: string): Promise<{ status: number; text: string }>;
  /** posts a form of `page` (read first for its CSRF token) to `path` */
  post(page: string, path: string, fields: Record<string, string>): Promise<{ status: number; text: string }>;
}

export async function consoleSession(baseUrl: string, token: string): Promise<ConsoleSession> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${baseUrl}/console/connexion`);
  keep(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in form');
  const signedIn = await fetch(`${baseUrl}/console/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, jeton: token, suite: '/console/' }).toString(),
  });
  keep(signedIn);
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  const get = async (path: string) => {
    const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: cookie() }, redirect: 'manual' });
    keep(res);
    return { status: res.status, text: await res.text() };
  };
  return {
    get,
    async post(page, path, fields) {
      const token = /name="_csrf" value="([^"]+)"/.exec((await get(page)).text)?.[1];
      if (!token) throw new Error(`no CSRF token on ${page}`);
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
        body: new URLSearchParams({ ...fields, _csrf: token }).toString(),
      });
      keep(res);
      return { status: res.status, text: await res.text() };
    },
  };
}

/** A French amount read off a page or a French CSV ("1 752,00 €", "-157,00") as cents. */
export function centsOfFrench(text: string): number {
  const cleaned = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d{1,2})?$/.test(cleaned)) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  return Math.round(Number(cleaned) * 100);
}
