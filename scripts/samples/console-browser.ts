/**
 * The console as a browser reaches it, over plain HTTP and without a browser: for the tests that read
 * what it serves, the drill's fuzzers and the scripts. One cookie jar for the console and its OpenID
 * provider (a browser keys cookies by host, not port), redirects followed by hand so that every answer
 * can be read, and a person's sign-in at the provider's own form, as a person types it.
 */
export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** the Cookie header this browser sends */
  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** a request to a path of the console, or to an address (the provider's), its cookies kept */
  async fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(this.cookies.size ? { cookie: this.cookieHeader } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** the CSRF token of the first form of a page */
  async csrf(path: string): Promise<string> {
    const page = await (await this.fetch(path)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }

  /** posts a form as a browser does (urlencoded; a list is a field sent once per value) */
  post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(Object.entries(form).flatMap(([k, v]) => [v].flat().map((one) => [k, one]))).toString(),
    });
  }

  /** follows redirects from an answer, as a browser does, up to the first page that is not one */
  async follow(response: Response): Promise<Response> {
    let at = response;
    for (let hops = 0; at.status >= 300 && at.status < 400 && at.headers.get('location'); hops++) {
      if (hops > 10) throw new Error(`more than 10 redirects from ${response.url}`);
      await at.arrayBuffer();
      at = await this.fetch(new URL(at.headers.get('location')!, at.url).href);
    }
    return at;
  }

  /**
   * Signs a person in through the console's OpenID provider, at the provider's own form (the local
   * provider's: identity/provider-process.mjs), with a second factor's code when one is given. Answers
   * the console's page after the sign-in: its home when the console opened a session, otherwise the
   * page that says why.
   */
  async signInAs(
    login: string,
    { password = 'demo', otp, suite = '/console/' }: { password?: string; otp?: string; suite?: string } = {},
  ): Promise<Response> {
    const form = await this.follow(
      await this.fetch(`/console/connexion/fournisseur?suite=${encodeURIComponent(suite)}`),
    );
    const action = /<form method="post" action="([^"]+)"/.exec(await form.text())?.[1];
    if (!action) throw new Error(`no sign-in form at the provider (${form.status} ${form.url})`);
    const sent = await this.post(new URL(action.replace(/&amp;/g, '&'), form.url).href, {
      login,
      password,
      ...(otp ? { otp } : {}),
    });
    return this.follow(sent);
  }

  /** signs in as `signInAs` does, and fails unless the console opened a session */
  async signedInAs(login: string, options: Parameters<ConsoleBrowser['signInAs']>[1] = {}): Promise<this> {
    const page = await this.signInAs(login, options);
    if (page.status !== 200 || !new URL(page.url).pathname.startsWith('/console') || /connexion/.test(page.url))
      throw new Error(`the console did not sign ${login} in: ${page.status} at ${page.url}`);
    return this;
  }
}
