import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';

/**
 * Payloads (workflow inputs, update arguments and answers, activity inputs and results: VAs,
 * invoices, amounts) are encrypted with AES-256-GCM before they leave the engine, so histories are
 * opaque in Temporal's database and to anyone without the key. Each payload names its key id, so keys
 * rotate: encoding uses the current key, decoding any key still configured.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const Payload = temporal.api.common.v1.Payload;

/** The keys: `{ current: "<id>", keys: { "<id>": "<32 bytes, base64>" } }` (PAYLOAD_KEYS or its file). */
export const payloadKeysSchema = z
  .object({
    current: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    keys: z.record(
      z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
      z.string().refine((k) => Buffer.from(k, 'base64').length === 32, 'a key is 32 bytes, base64'),
    ),
  })
  .refine((k) => k.current in k.keys, 'the current key must be one of the keys');
export type PayloadKeys = z.infer<typeof payloadKeysSchema>;

const utf8 = (s: string) => new TextEncoder().encode(s);

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, Buffer>;
  constructor(private readonly config: PayloadKeys) {
    this.keys = new Map(Object.entries(config.keys).map(([id, k]) => [id, Buffer.from(k, 'base64')]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.config.current;
    const key = this.keys.get(keyId)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // the key id is authenticated with the data: a payload cannot be moved under another key
      cipher.setAAD(utf8(keyId));
      const sealed = Buffer.concat([
        iv,
        cipher.update(Payload.encode(payload).finish()),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(keyId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (new TextDecoder().decode(payload.metadata?.encoding ?? new Uint8Array()) !== ENCRYPTED_ENCODING)
        return payload;
      const keyId = new TextDecoder().decode(payload.metadata?.[KEY_ID] ?? new Uint8Array());
      const key = this.keys.get(keyId);
      if (!key) throw new Error(`payload encrypted with key ${keyId}, which is not configured (PAYLOAD_KEYS)`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(utf8(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return Payload.decode(plain) as Payload;
    });
  }
}

export const newPayloadKey = () => randomBytes(32).toString('base64');

/**
 * The keys from configuration (PAYLOAD_KEYS, or the file PAYLOAD_KEYS_FILE); on the embedded default
 * without either, a local key made once in DATA_DIR/payload-keys.json (0600).
 */
export function loadPayloadKeys(source: {
  PAYLOAD_KEYS?: string;
  PAYLOAD_KEYS_FILE?: string;
  DATA_DIR: string;
}): PayloadKeys {
  if (source.PAYLOAD_KEYS) return payloadKeysSchema.parse(JSON.parse(source.PAYLOAD_KEYS));
  if (source.PAYLOAD_KEYS_FILE)
    return payloadKeysSchema.parse(JSON.parse(fs.readFileSync(source.PAYLOAD_KEYS_FILE, 'utf8')));
  const file = path.join(source.DATA_DIR, 'payload-keys.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(source.DATA_DIR, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, JSON.stringify({ current: 'local-1', keys: { 'local-1': newPayloadKey() } }, null, 2), {
      mode: 0o600,
      flag: 'wx',
    });
  }
  return payloadKeysSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
