/**
 * The console as a browser without a browser: a session cookie from a token (the sign-in form, its
 * CSRF token), then pages and forms with that cookie. For tests of what the console serves (files,
 * redirects), where Chromium would add nothing.
 */
export interface ConsoleSession {
  get(path: string): Promise<Response>;
  /**
   * a form (urlencoded, or multipart when it carries a Blob), with the CSRF token of the page it is on;
   * a list is a field sent once per value (checked boxes of one name)
   */
  post(path: string, form: Record<string, string | string[] | Blob>, formPage: string): Promise<Response>;
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export async function consoleSession(url: string, token: string): Promise<ConsoleSession> {
  let cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      cookies = new Map(cookies).set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return response;
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const get = async (path: string) =>
    keep(await fetch(`${url}${path}`, { headers: { cookie: cookie() }, redirect: 'manual' }));
  const post = async (path: string, form: Record<string, string | string[] | Blob>, formPage: string) => {
    const csrf = csrfOf(await (await get(formPage)).text());
    const multipart = Object.values(form).some((v) => v instanceof Blob);
    let body: FormData | URLSearchParams;
    if (multipart) {
      const data = new FormData();
      data.set('_csrf', csrf);
      for (const [k, v] of Object.entries(form)) {
        if (v instanceof Blob) data.set(k, v, `${k}.csv`);
        else for (const one of [v].flat()) data.append(k, one);
      }
      body = data;
    } else
      body = new URLSearchParams([
        ['_csrf', csrf],
        ...Object.entries(form).flatMap(([k, v]) => [v as string | string[]].flat().map((one) => [k, one])),
      ]);
    return keep(
      await fetch(`${url}${path}`, { method: 'POST', headers: { cookie: cookie() }, body, redirect: 'manual' }),
    );
  };
  const signedIn = await post('/console/connexion', { jeton: token, suite: '/console/' }, '/console/connexion');
  if (signedIn.status !== 303) throw new Error(`the console refused the token: ${signedIn.status}`);
  return { get, post };
}
