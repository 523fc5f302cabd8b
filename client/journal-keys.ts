import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The journal's signing keys (Ed25519), configured and rotated as the payload keys are:
 * `{ "current": "<id>", "keys": { "<id>": "<32-byte private seed, base64>" } }` in JOURNAL_KEYS or the
 * file JOURNAL_KEYS_FILE; on the embedded default, a local key made once in DATA_DIR/journal-keys.json
 * (0600). Checkpoints are signed with the current key and name it; a key stays listed as long as the
 * checkpoints it signed are to be verified. Only the worker holds them (docker-compose mounts them
 * for the worker alone): the API asks the worker to sign or to verify.
 */
const keyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
export const journalKeysSchema = z
  .object({
    current: keyId,
    keys: z.record(
      keyId,
      z.string().refine((k) => Buffer.from(k, 'base64').length === 32, 'a key is a 32-byte Ed25519 seed, base64'),
    ),
  })
  .refine((k) => k.current in k.keys, 'the current key must be one of the keys');
export type JournalKeys = z.infer<typeof journalKeysSchema>;

// PKCS#8 of an Ed25519 key is this fixed prefix and the 32-byte seed (RFC 8410)
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// SPKI of an Ed25519 public key is this fixed prefix and the 32 raw bytes
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const newJournalKey = () => randomBytes(32).toString('base64');

/** The raw 32-byte public key, base64: what an auditor is given and the standalone verifier reads. */
export const rawPublicKey = (key: KeyObject) =>
  (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(SPKI_PREFIX.length).toString('base64');

export const publicKeyFromRaw = (raw: string) =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(raw, 'base64')]), format: 'der', type: 'spki' });

export class JournalSigner {
  private readonly privateKeys: Map<string, KeyObject>;
  readonly currentKeyId: string;
  constructor(config: JournalKeys) {
    this.currentKeyId = config.current;
    this.privateKeys = new Map(
      Object.entries(config.keys).map(([id, seed]) => [
        id,
        createPrivateKey({
          key: Buffer.concat([PKCS8_PREFIX, Buffer.from(seed, 'base64')]),
          format: 'der',
          type: 'pkcs8',
        }),
      ]),
    );
  }

  /** Every configured key's public half, raw and base64, by id. */
  publicKeys(): Record<string, string> {
    return Object.fromEntries([...this.privateKeys].map(([id, k]) => [id, rawPublicKey(createPublicKey(k))]));
  }

  sign(statement: string): { keyId: string; signature: string } {
    const key = this.privateKeys.get(this.currentKeyId)!;
    return { keyId: this.currentKeyId, signature: sign(null, Buffer.from(statement, 'utf8'), key).toString('base64') };
  }
}

/** Whether `signature` is `keyId`'s over `statement`, with the public keys given (raw, base64, by id). */
export function signatureHolds(
  publicKeys: Record<string, string>,
  keyId: string,
  statement: string,
  signature: string,
): boolean {
  const raw = publicKeys[keyId];
  if (!raw) return false;
  try {
    return verify(null, Buffer.from(statement, 'utf8'), publicKeyFromRaw(raw), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The keys from configuration (JOURNAL_KEYS, or the file JOURNAL_KEYS_FILE); on the embedded default
 * without either, a local key made once in DATA_DIR/journal-keys.json (0600).
 */
export function loadJournalKeys(source: {
  JOURNAL_KEYS?: string;
  JOURNAL_KEYS_FILE?: string;
  DATA_DIR: string;
}): JournalKeys {
  if (source.JOURNAL_KEYS) return journalKeysSchema.parse(JSON.parse(source.JOURNAL_KEYS));
  if (source.JOURNAL_KEYS_FILE)
    return journalKeysSchema.parse(JSON.parse(fs.readFileSync(source.JOURNAL_KEYS_FILE, 'utf8')));
  const file = path.join(source.DATA_DIR, 'journal-keys.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(source.DATA_DIR, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, JSON.stringify({ current: 'local-1', keys: { 'local-1': newJournalKey() } }, null, 2), {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (err) {
      // another process of this machine made it at the same instant: its key is the journal's
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
  return journalKeysSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
