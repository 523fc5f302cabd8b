/**
 * Signs in to the console as a browser does, over HTTP: answers the session's cookie and the CSRF
 * token of its forms (one token serves every form of the session), for a fuzzer to send.
 */
export async function consoleSession(api: string, token: string): Promise<{ cookie: string; csrf: string }> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const go = async (path: string, init: { method?: string; body?: string } = {}) => {
    const send = () =>
      fetch(`${api}${path}`, {
        ...init,
        redirect: 'manual',
        headers: {
          ...(jar.size ? { cookie: cookie() } : {}),
          ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
    // a connection that fails (reset, refused while the engine restarts) is tried again, a few times;
    // the last failure says its cause
    let response: Response | undefined;
    for (let attempt = 1; !response; attempt++)
      response = await send().catch(async (err: Error & { cause?: { code?: string; message?: string } }) => {
        if (attempt >= 5)
          throw new Error(`${path}: ${err.message} (${err.cause?.code ?? err.cause?.message ?? 'no cause'})`);
        await new Promise((r) => setTimeout(r, 1_000));
        return undefined;
      });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  };
  const csrfOf = async (path: string) => {
    const found = /name="_csrf" value="([^"]+)"/.exec(await (await go(path)).text())?.[1];
    if (!found) throw new Error(`no CSRF token on ${path}`);
    return found;
  };
  // a sign-in counts against its source's allowance of requests without a token, which a fuzzer of the
  // public forms may have spent: waited for as the 429 says
  for (let attempt = 0; ; attempt++) {
    const signIn = await go('/console/connexion', {
      method: 'POST',
      body: new URLSearchParams({
        _csrf: await csrfOf('/console/connexion'),
        jeton: token,
        suite: '/console/',
      }).toString(),
    });
    if (signIn.status === 303) break;
    if (signIn.status !== 429 || attempt >= 3) throw new Error(`the console refused to sign in (${signIn.status})`);
    await new Promise((r) => setTimeout(r, (Number(signIn.headers.get('retry-after')) || 60) * 1000));
  }
  // a new session has a new CSRF secret: the token of a page drawn after signing in
  const csrf = await csrfOf('/console/signalement');
  return { cookie: cookie(), csrf };
}
