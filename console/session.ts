import secureSession from '@fastify/secure-session';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Principal } from '../api/auth';
import { currentSession, endSession, openSession, SESSION_HOURS } from '../client/sessions';
import { atWork, personNow } from '../client/people';
import type { SignedInPerson } from '../identity/relying-party';
import type { ConsoleDeps } from './context';
import { field } from './http';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** the id of the session the server holds: all the cookie says of who signed in (besides the form's CSRF secret) */
    sid: string;
  }
}
declare module 'fastify' {
  interface FastifyRequest {
    /** a sign-in under way: what the provider must send back (console/pages/sign-in.tsx) */
    signInTransaction: import('@fastify/secure-session').Session<{
      state: string;
      nonce: string;
      verifier: string;
      suite: string;
    }>;
    /** the reader the session names, once looked up (null: none), so that a request asks the database once */
    consoleUser?: Principal | null;
    /** the names its pages show things by (console/views/names.ts), looked up for a signed-in reader */
    consoleNames?: import('./views/names').Names;
  }
}

/**
 * The key that seals session cookies: configured (CONSOLE_SESSION_KEY, …_FILE), or on the embedded
 * default made once, 0600, in DATA_DIR/console-session.key.
 */
export function loadSessionKey(source: {
  CONSOLE_SESSION_KEY?: string;
  CONSOLE_SESSION_KEY_FILE?: string;
  DATA_DIR: string;
}): Buffer {
  const fromText = (text: string) => {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32) throw new Error('the console session key must be 32 bytes, base64');
    return key;
  };
  if (source.CONSOLE_SESSION_KEY) return fromText(source.CONSOLE_SESSION_KEY);
  if (source.CONSOLE_SESSION_KEY_FILE) return fromText(fs.readFileSync(source.CONSOLE_SESSION_KEY_FILE, 'utf8'));
  const file = path.join(source.DATA_DIR, 'console-session.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(source.DATA_DIR, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return fromText(fs.readFileSync(file, 'utf8'));
}

/**
 * Sessions held by the server (client/sessions.ts), their id in a sealed cookie (HttpOnly,
 * SameSite=Strict, Secure where TLS, scoped to /console), and a CSRF token on every form, bound to
 * the cookie.
 */
export async function sessions(app: FastifyInstance, options: { key: Buffer; secureCookies: boolean }): Promise<void> {
  await app.register(secureSession, [
    {
      sessionName: 'session',
      key: options.key,
      cookieName: 'sons_session',
      expiry: SESSION_HOURS * 3600,
      cookie: {
        path: '/console',
        httpOnly: true,
        sameSite: 'strict',
        secure: options.secureCookies,
        maxAge: SESSION_HOURS * 3600,
      },
    },
    {
      // the provider sends the person back by a top-level navigation from its own site: a Strict
      // cookie would not come with it; this one only holds state, nonce and PKCE verifier, 10 minutes
      sessionName: 'signInTransaction',
      key: options.key,
      cookieName: 'sons_connexion',
      expiry: 600,
      cookie: {
        path: '/console/connexion',
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        maxAge: 600,
      },
    },
  ]);
  // the token is a field of the form (multipart forms included)
  await app.register(csrf, {
    sessionPlugin: '@fastify/secure-session',
    getToken: (request) => field(request.body, '_csrf') || undefined,
  });
}

/**
 * The person a session names: the session held by the server, neither ended nor expired, and the
 * person still active with a role. A session that no longer names one is ended — among them those a
 * token opened before the console signed in people only.
 */
export async function sessionUser(
  request: FastifyRequest,
  { engine }: Pick<ConsoleDeps, 'engine'>,
): Promise<Principal | undefined> {
  if (request.consoleUser !== undefined) return request.consoleUser ?? undefined;
  const id = request.session.get('sid');
  const session = id ? await currentSession(engine, id) : undefined;
  let user: Principal | undefined;
  if (id && session?.subject.kind === 'api_token') await endSession(engine, id, 'credential_revoked');
  if (id && session?.subject.kind === 'oidc') {
    // the person as it stands now: a role revoked or a person disabled counts from this request
    user = await personPrincipal(engine, session.subject, session.expiresAt);
    if (!user) await endSession(engine, id, 'revoked');
  }
  request.consoleUser = user ?? null;
  return user;
}

/** A person's principal while it is active and holds a role: it acts in its first role unless a page takes another. */
async function personPrincipal(
  engine: ConsoleDeps['engine'],
  subject: { personId: string; secondFactor: boolean },
  expiresAt: string,
): Promise<Principal | undefined> {
  const person = await personNow(engine, subject.personId);
  if ('refused' in person) return undefined;
  return {
    name: person.name,
    role: person.roles[0]!,
    ...(person.editeurId ? { editeurId: person.editeurId } : {}),
    expiresAt,
    person: { id: person.personId, roles: person.roles, secondFactor: subject.secondFactor },
  };
}

/**
 * Opens a session for a person the provider signed in: known (or made known) by its issuer and
 * subject, with the claims it signed in with; refused while it holds no role or is disabled.
 */
export async function signInPerson(
  request: FastifyRequest,
  { engine }: Pick<ConsoleDeps, 'engine'>,
  signedIn: SignedInPerson,
): Promise<{ refused: 'no_role' | 'person_disabled' } | Principal> {
  const person = atWork(await engine.people.signedIn(signedIn.issuer, signedIn.subject, signedIn.claims));
  if ('refused' in person) return person;
  request.session.regenerate();
  const subject = {
    kind: 'oidc' as const,
    issuer: signedIn.issuer,
    subject: signedIn.subject,
    roles: person.roles,
    ...(person.editeurId ? { editeurId: person.editeurId } : {}),
    personId: person.personId,
    secondFactor: signedIn.secondFactor,
    idToken: signedIn.idToken,
  };
  const id = await openSession(engine, subject);
  request.session.set('sid', id);
  const user = (await personPrincipal(engine, subject, (await currentSession(engine, id))!.expiresAt))!;
  request.consoleUser = user;
  return user;
}

/**
 * Ends the session on the server (a copy of its cookie opens nothing any more), then forgets the
 * cookie; answers the ID token a person signed in with, for the provider's end of session.
 */
export async function signOut(
  request: FastifyRequest,
  { engine }: Pick<ConsoleDeps, 'engine'>,
): Promise<string | undefined> {
  const id = request.session.get('sid');
  const session = id ? await currentSession(engine, id) : undefined;
  if (id) await endSession(engine, id, 'signed_out');
  request.session.delete();
  request.consoleUser = null;
  return session?.subject.kind === 'oidc' ? session.subject.idToken : undefined;
}
