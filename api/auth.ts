import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { Caller } from '../client/context';
import type { Actor } from '../domain/bdc-view';
import { idSchema } from '../domain/schemas';

/**
 * Bearer tokens mapped to a role. Only SHA-256 hashes of the secrets are configured (API_TOKENS_FILE
 * or API_TOKENS, a JSON array); an éditeur token is bound to one éditeur id.
 */
export const roles = ['operator', 'admin', 'editeur'] as const;
export type Role = (typeof roles)[number];

// names and éditeur ids follow the one grammar of identifiers (domain/ids.ts): they scope event ids
// and filter lists, so nothing else may reach them
const tokenEntrySchema = z.discriminatedUnion('role', [
  z.object({ name: idSchema, role: z.literal('operator'), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ name: idSchema, role: z.literal('admin'), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({
    name: idSchema,
    role: z.literal('editeur'),
    editeurId: idSchema,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
]);
export const tokensSchema = z.array(tokenEntrySchema);
export type TokenEntry = z.infer<typeof tokenEntrySchema>;

export interface Principal {
  name: string;
  role: Role;
  /** for an éditeur: the only éditeur whose BDCs it may see */
  editeurId?: string;
}

export const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export class TokenRegistry {
  private readonly principals: Map<string, Principal>;
  constructor(entries: TokenEntry[]) {
    this.principals = new Map(
      entries.map((e) => [
        e.sha256,
        { name: e.name, role: e.role, ...(e.role === 'editeur' ? { editeurId: e.editeurId } : {}) },
      ]),
    );
  }
  /** the principal of a secret's SHA-256, if it is still configured (a console session holds the hash) */
  byHash(hash: string): Principal | undefined {
    return this.principals.get(hash);
  }
  /** the principal of an `Authorization: Bearer <secret>` header, if the secret is known */
  authenticate(header: string | undefined): Principal | undefined {
    const secret = /^Bearer ([A-Za-z0-9._~+/=-]{16,256})$/.exec(header ?? '')?.[1];
    return secret ? this.principals.get(sha256(secret)) : undefined;
  }
}

/** The actor the workflow's audit trail records for a principal. */
export function actorOf(p: Principal): Actor {
  return { role: p.role, id: p.role === 'editeur' ? `${p.editeurId}/${p.name}` : p.name };
}

/** The caller an engine service sees: its audit actor and, for an éditeur, its own éditeur. */
export function callerOf(p: Principal): Caller {
  const scope = p.role === 'editeur' ? `editeur.${p.editeurId}.${p.name}` : `${p.role}.${p.name}`;
  return { actor: actorOf(p), scope, ...(p.role === 'editeur' ? { editeurId: p.editeurId } : {}) };
}

/** A new secret and the entry that configures it (the secret itself is never stored). */
export function newToken(entry: { name: string; role: Role; editeurId?: string }): {
  secret: string;
  entry: TokenEntry;
} {
  const secret = `sons_${randomBytes(24).toString('base64url')}`;
  return { secret, entry: tokenEntrySchema.parse({ ...entry, sha256: sha256(secret) }) };
}

export function loadTokens(source: { API_TOKENS_FILE?: string; API_TOKENS?: string }): TokenEntry[] {
  const raw =
    source.API_TOKENS ??
    (source.API_TOKENS_FILE && fs.existsSync(source.API_TOKENS_FILE)
      ? fs.readFileSync(source.API_TOKENS_FILE, 'utf8')
      : '[]');
  return tokensSchema.parse(JSON.parse(raw));
}
