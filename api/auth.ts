import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { Caller } from '../client/context';
import type { Actor } from '../domain/bdc-view';
import { idSchema } from '../domain/schemas';
import type { PersonRole } from '../domain/roles';

/**
 * Bearer tokens mapped to a role. Only SHA-256 hashes of the secrets are configured (API_TOKENS_FILE
 * or API_TOKENS, a JSON array); an éditeur token is bound to one éditeur id.
 */
export { personRoles as roles } from '../domain/roles';
export type Role = PersonRole;

// names and éditeur ids follow the one grammar of identifiers (domain/ids.ts): they scope event ids
// and filter lists, so nothing else may reach them. A token stops being accepted at its expiry (entries
// made before tokens expired have none: start-up warns about them).
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const expiresAt = z.iso.datetime({ offset: true }).optional();
const tokenEntrySchema = z.discriminatedUnion('role', [
  z.object({ name: idSchema, role: z.literal('operator'), sha256: sha256Schema, expiresAt }),
  z.object({ name: idSchema, role: z.literal('ordonnateur'), sha256: sha256Schema, expiresAt }),
  z.object({ name: idSchema, role: z.literal('comptable'), sha256: sha256Schema, expiresAt }),
  z.object({ name: idSchema, role: z.literal('controleur'), sha256: sha256Schema, expiresAt }),
  z.object({ name: idSchema, role: z.literal('admin'), sha256: sha256Schema, expiresAt }),
  z.object({ name: idSchema, role: z.literal('editeur'), editeurId: idSchema, sha256: sha256Schema, expiresAt }),
]);
export const tokensSchema = z.array(tokenEntrySchema);
export type TokenEntry = z.infer<typeof tokenEntrySchema>;

export interface Principal {
  name: string;
  role: Role;
  /** for an éditeur: the only éditeur whose BDCs it may see */
  editeurId?: string;
  /** when the token it signed in with stops being accepted, if it ever does */
  expiresAt?: string;
  /**
   * A person signed in through the OpenID provider (absent: a service account's token): who, every
   * role it holds now (`role` is the one it acts in on this request), and whether its sign-in used a
   * second factor — without one it reads, but takes no money action.
   */
  person?: { id: string; roles: Role[]; secondFactor: boolean };
}

export const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** How long a token made without saying lasts. */
export const TOKEN_DAYS = 90;

/** The secret of an `Authorization: Bearer <secret>` header, if it has the form of one. */
export const bearerSecret = (header: string | undefined) =>
  /^Bearer ([A-Za-z0-9._~+/=-]{16,256})$/.exec(header ?? '')?.[1];

/**
 * The tokens configured (their hashes), each accepted until its expiry, unless revoked: the
 * revocations are asked at each request (the database's, shared by every API process), so that a
 * revocation takes effect at once without a restart; a tokens file is read again when it changes, so
 * that a token's role (and a token added or removed) does too.
 */
export class TokenRegistry {
  private byEntries?: { from: TokenEntry[]; map: Map<string, TokenEntry> };
  constructor(
    /** the tokens, or where to read them at each request (a tokens file read again when it changes) */
    private readonly source: TokenEntry[] | { current(): TokenEntry[] },
    private readonly checks: { isRevoked?: (sha256: string) => Promise<boolean>; now?: () => number } = {},
  ) {}

  private get entries(): Map<string, TokenEntry> {
    const from = Array.isArray(this.source) ? this.source : this.source.current();
    if (this.byEntries?.from !== from) this.byEntries = { from, map: new Map(from.map((e) => [e.sha256, e])) };
    return this.byEntries.map;
  }

  /** the principal of a secret's SHA-256, while its token is configured, unexpired and not revoked */
  async byHash(hash: string): Promise<Principal | undefined> {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.expiresAt && Date.parse(e.expiresAt) <= (this.checks.now?.() ?? Date.now())) return undefined;
    if (await this.checks.isRevoked?.(hash)) return undefined;
    return {
      name: e.name,
      role: e.role,
      ...(e.role === 'editeur' ? { editeurId: e.editeurId } : {}),
      ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}),
    };
  }

  /** the principal of an `Authorization: Bearer <secret>` header, if the secret is accepted */
  authenticate(header: string | undefined): Promise<Principal | undefined> {
    const secret = bearerSecret(header);
    return secret ? this.byHash(sha256(secret)) : Promise.resolve(undefined);
  }

  /** the tokens of a name (a name is what an operator revokes) */
  named(name: string): { sha256: string; name: string }[] {
    return [...this.entries.values()].filter((e) => e.name === name).map((e) => ({ sha256: e.sha256, name: e.name }));
  }

  /** the names of tokens configured without an expiry */
  withoutExpiry(): string[] {
    return [...this.entries.values()].filter((e) => !e.expiresAt).map((e) => e.name);
  }
}

/** The actor the workflow's audit trail records for a principal. */
export function actorOf(p: Principal): Actor {
  // a person is named by its id (stable, from issuer and subject) and its name, in the role it acts in
  if (p.person) return { role: p.role, id: p.person.id, name: p.name };
  return { role: p.role, id: p.role === 'editeur' ? `${p.editeurId}/${p.name}` : p.name };
}

/** The caller an engine service sees: its audit actor and, for an éditeur, its own éditeur. */
export function callerOf(p: Principal): Caller {
  // a person's event ids are its own whatever role it acts in; a token's, its role's and name's
  const scope = p.person
    ? `person.${p.person.id}`
    : p.role === 'editeur'
      ? `editeur.${p.editeurId}.${p.name}`
      : `${p.role}.${p.name}`;
  return {
    actor: actorOf(p),
    scope,
    ...(p.role === 'editeur' ? { editeurId: p.editeurId } : {}),
    ...(p.person ? { secondFactor: p.person.secondFactor } : {}),
  };
}

/** A new secret and the entry that configures it (the secret itself is never stored); it expires after `days`. */
export function newToken(
  entry: { name: string; role: Role; editeurId?: string },
  { days = TOKEN_DAYS, now = Date.now() }: { days?: number; now?: number } = {},
): {
  secret: string;
  entry: TokenEntry;
} {
  const secret = `sons_${randomBytes(24).toString('base64url')}`;
  const expiresAt = new Date(now + days * 86_400_000).toISOString();
  return { secret, entry: tokenEntrySchema.parse({ ...entry, sha256: sha256(secret), expiresAt }) };
}

export function loadTokens(source: { API_TOKENS_FILE?: string; API_TOKENS?: string }): TokenEntry[] {
  const raw =
    source.API_TOKENS ??
    (source.API_TOKENS_FILE && fs.existsSync(source.API_TOKENS_FILE)
      ? fs.readFileSync(source.API_TOKENS_FILE, 'utf8')
      : '[]');
  return tokensSchema.parse(JSON.parse(raw));
}
