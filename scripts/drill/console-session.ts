import pRetry from 'p-retry';
import { ConsoleBrowser } from '../samples/console-browser';

/** A person of the drill's provider (identity/demo-people.json) and the role an admin grants them. */
export interface DrillPerson {
  login: string;
  /** the name the admin finds them by in « Personnes » */
  usualName: string;
  role: 'operator' | 'editeur';
  editeurId?: string;
}

/**
 * A person's console session, opened as it is in production: the person signs in at the provider, is
 * known to SONS but holds no role yet (refused, in words); an admin grants the role over the API; the
 * person signs in again. Answers the session's cookie (the provider's too, as a browser keeps both)
 * and the CSRF token of its forms (one token serves every form of a session), for a fuzzer to send.
 */
export async function personSession(
  api: string,
  adminToken: string,
  person: DrillPerson,
): Promise<{ cookie: string; csrf: string }> {
  // the engine may still be coming back from a fault, and a sign-in counts against its source's allowance
  // of requests without a token, which the fuzzers of the public forms may have spent: tried again
  const again = { retries: 5, minTimeout: 2_000, factor: 2 };
  const first = await pRetry(() => new ConsoleBrowser(api).signInAs(person.login, { otp: '123456' }), again);
  if (first.status !== 403 && first.status !== 200)
    throw new Error(`${person.login}: the console answered ${first.status} at ${first.url}`);
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const found = (await (
    await fetch(`${api}/people?search=${encodeURIComponent(person.usualName)}`, { headers: admin })
  ).json()) as { people: { personId: string; grants: { role: string }[] }[] };
  const known = found.people[0];
  if (!known) throw new Error(`${person.login} signed in but SONS does not know them`);
  if (!known.grants.some((g) => g.role === person.role)) {
    const granted = await fetch(`${api}/people/${encodeURIComponent(known.personId)}/roles`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ role: person.role, ...(person.editeurId ? { editeurId: person.editeurId } : {}) }),
    });
    if (!granted.ok) throw new Error(`granting ${person.role} to ${person.login}: ${granted.status}`);
  }
  const browser = await pRetry(() => new ConsoleBrowser(api).signedInAs(person.login, { otp: '123456' }), again);
  // a new session has a new CSRF secret: the token of a page drawn after signing in
  return { cookie: browser.cookieHeader, csrf: await browser.csrf('/console/signalement') };
}
