import { ConsoleBrowser } from '../../scripts/samples/console-browser';
import { otp } from './people';

/**
 * The console as a browser without a browser: a person signed in at the tests' provider, then pages
 * and forms with that session. For tests of what the console serves (files, redirects), where Chromium
 * would add nothing.
 */
export interface ConsoleSession {
  get(path: string): Promise<Response>;
  /**
   * a form (urlencoded, or multipart when it carries a Blob), with the CSRF token of the page it is on;
   * a list is a field sent once per value (checked boxes of one name)
   */
  post(path: string, form: Record<string, string | string[] | Blob>, formPage: string): Promise<Response>;
}

/** A session of `login` (test/support/people.ts), signed in with the second factor when the person has one. */
export async function consoleSession(url: string, login: string): Promise<ConsoleSession> {
  const browser = await new ConsoleBrowser(url).signedInAs(login, { otp });
  return {
    get: (path) => browser.fetch(path),
    async post(path, form, formPage) {
      const _csrf = await browser.csrf(formPage);
      if (!Object.values(form).some((v) => v instanceof Blob))
        return browser.post(path, { _csrf, ...(form as Record<string, string | string[]>) });
      const data = new FormData();
      data.set('_csrf', _csrf);
      for (const [k, v] of Object.entries(form)) {
        if (v instanceof Blob) data.set(k, v, `${k}.csv`);
        else for (const one of [v].flat()) data.append(k, one);
      }
      return browser.fetch(path, { method: 'POST', body: data });
    },
  };
}
