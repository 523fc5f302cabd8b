import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/**
 * Temporal's codec protocol on the wire, shared by the CLI's endpoint (`/codec`, a bearer token) and
 * the Web UI's (`/console/codec`, an admin's console session): a payload as proto3 JSON, every bytes
 * field base64.
 */
export const wirePayload = z.object({
  metadata: z.record(z.string().max(256), z.string().max(4096)).optional(),
  data: z.string().max(4_000_000).optional(),
});
export const wirePayloads = z.object({ payloads: z.array(wirePayload).max(1_000) });
export type WirePayloads = z.infer<typeof wirePayloads>;

export const fromWire = (p: z.infer<typeof wirePayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
export const toWire = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
