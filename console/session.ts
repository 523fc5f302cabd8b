import secureSession from '@fastify/secure-session';
import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sha256, type Principal, type TokenRegistry } from '../api/auth';
import { field } from './http';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** the SHA-256 of the token the reader signed in with: the session ends when the token is removed */
    tokenHash: string;
  }
}

/** How long a console session lasts without signing in again. */
const SESSION_HOURS = 8;

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
 * Sessions in a sealed cookie (HttpOnly, SameSite=Strict, Secure where TLS, scoped to /console) and
 * a CSRF token on every form, bound to the session.
 */
export async function sessions(app: FastifyInstance, options: { key: Buffer; secureCookies: boolean }): Promise<void> {
  await app.register(secureSession, {
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
  });
  // the token is a field of the form (multipart forms included)
  await app.register(csrf, {
    sessionPlugin: '@fastify/secure-session',
    getToken: (request) => field(request.body, '_csrf') || undefined,
  });
}

/** The reader a session names, while its token is still configured. */
export function sessionUser(request: FastifyRequest, tokens: TokenRegistry): Principal | undefined {
  const hash = request.session.get('tokenHash');
  return hash ? tokens.byHash(hash) : undefined;
}

/** Signs a reader in with its token: answers who it is, or undefined for a token we do not know. */
export function signIn(request: FastifyRequest, tokens: TokenRegistry, secret: string): Principal | undefined {
  const principal = tokens.authenticate(`Bearer ${secret.trim()}`);
  if (!principal) return undefined;
  // a new session for a new sign-in: nothing of the previous one is kept (no fixation)
  request.session.regenerate();
  request.session.set('tokenHash', sha256(secret.trim()));
  return principal;
}

export function signOut(request: FastifyRequest): void {
  request.session.delete();
}
