import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The journal's chain, as an auditor recomputes it (scripts/journal-verify.mjs does the same with
 * nothing but Node): each entry's canonical form is RFC 8785 JSON (JCS) of its number, instant, kind,
 * subject, BDC and content; its leaf is SHA-256 of that text; its hash is SHA-256 of the previous
 * entry's hash and its leaf (32 bytes each). Chaining leaves rather than texts lets an export prove a
 * BDC's entries with the mere leaves of the others between them and a checkpoint.
 */

/** The hash before the first entry. */
export const GENESIS = '0'.repeat(64);

export interface JournalEntryBody {
  seq: number;
  at: string;
  kind: string;
  subject: string;
  bdcId?: string;
  content: unknown;
}

/** RFC 8785: one text for one JSON value, whatever the order its keys were built in. */
export function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('a journal value must be JSON');
  return text;
}

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** An entry's canonical form: what its leaf hashes. */
export const entryCanonical = (e: JournalEntryBody) =>
  canonical({
    seq: e.seq,
    at: e.at,
    kind: e.kind,
    subject: e.subject,
    ...(e.bdcId ? { bdcId: e.bdcId } : {}),
    content: e.content,
  });

export const leafOf = (canonicalText: string) => sha256Hex(canonicalText);

/** hash_n = SHA-256(hash_{n-1} || leaf_n), over the 32 bytes of each. */
export const linkHash = (prevHash: string, leaf: string) =>
  sha256Hex(Buffer.concat([Buffer.from(prevHash, 'hex'), Buffer.from(leaf, 'hex')]));

/** What a checkpoint signs: this journal's head at an instant, numbered, with the key that signs it. */
export interface CheckpointStatement {
  journal: string;
  n: number;
  seq: number;
  hash: string;
  signedAt: string;
  keyId: string;
}

export const statementText = (s: CheckpointStatement) =>
  canonical({
    type: 'sons-journal-checkpoint',
    journal: s.journal,
    n: s.n,
    seq: s.seq,
    hash: s.hash,
    signedAt: s.signedAt,
    keyId: s.keyId,
  });

export function parseStatement(text: string): CheckpointStatement | undefined {
  try {
    const s = JSON.parse(text) as Record<string, unknown>;
    if (s.type !== 'sons-journal-checkpoint') return undefined;
    const statement = {
      journal: String(s.journal),
      n: Number(s.n),
      seq: Number(s.seq),
      hash: String(s.hash),
      signedAt: String(s.signedAt),
      keyId: String(s.keyId),
    };
    // only its own canonical form is a statement: no second text signs the same head
    return statementText(statement) === text ? statement : undefined;
  } catch {
    return undefined;
  }
}

/** The differences between two contents, field by field (top level), for a mismatch's message. */
export function differences(expected: unknown, found: unknown): string[] {
  const a = (expected ?? {}) as Record<string, unknown>;
  const b = (found ?? {}) as Record<string, unknown>;
  if (typeof a !== 'object' || typeof b !== 'object') return [`${canonical(expected)} → ${canonical(found)}`];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const shown = (v: unknown) => (v === undefined ? '(absent)' : canonical(v).slice(0, 80));
  return keys
    .filter((k) => canonical(a[k] ?? null) !== canonical(b[k] ?? null))
    .map((k) => `${k}: ${shown(a[k])} → ${shown(b[k])}`);
}
