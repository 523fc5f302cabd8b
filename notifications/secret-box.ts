import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SealedSecret } from '../db/notifications';

/**
 * An éditeur's webhook signing secret is kept sealed in the database: whoever reads the database (a
 * backup, a replica, a support query) cannot sign in the engine's name. Sealed with AES-256-GCM under
 * a key derived (HKDF-SHA256, its own label) from the payload encryption keys (PAYLOAD_KEYS, the
 * very keys Temporal's payloads are sealed with: one key material to provision and rotate), each
 * secret stored with the id of the key that sealed it. The contact it belongs to is authenticated with
 * it, so a sealed secret moved to another contact does not open.
 */
export interface KeyRing {
  current: string;
  keys: Record<string, string>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const LABEL = 'sons-engine webhook signing secret v1';

export class SecretBox {
  private readonly derived = new Map<string, Buffer>();

  constructor(private readonly ring: KeyRing) {
    if (!(ring.current in ring.keys)) throw new Error('the current payload key is not among the keys');
  }

  get currentKeyId(): string {
    return this.ring.current;
  }

  private key(keyId: string): Buffer {
    const material = this.ring.keys[keyId];
    if (!material)
      throw new Error(`a webhook secret is sealed with key ${keyId}, which is not configured (PAYLOAD_KEYS)`);
    let key = this.derived.get(keyId);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', Buffer.from(material, 'base64'), Buffer.alloc(0), LABEL, 32));
      this.derived.set(keyId, key);
    }
    return key;
  }

  /** Sealed: IV (12 bytes), ciphertext, tag (16 bytes). `owner` names the contact ("editeur:editeur-acme"): authenticated, not stored. */
  seal(secret: string, owner: string): SealedSecret {
    const keyId = this.ring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(keyId), iv);
    cipher.setAAD(Buffer.from(`${keyId}\n${owner}`));
    const sealed = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { keyId, sealed };
  }

  open({ keyId, sealed }: SealedSecret, owner: string): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key(keyId), sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${keyId}\n${owner}`));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** Who a webhook secret belongs to, as sealing authenticates it. */
export const secretOwner = (party: string, partyId: string) => `${party}:${partyId}`;
