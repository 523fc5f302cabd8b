import { say } from '../../domain/messages';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { refuse } from '../../domain/refusal';
import type { Api } from '../context';

/** A payload as the codec protocol carries it: proto3 JSON, every bytes field base64. */
const wirePayload = z.object({
  metadata: z.record(z.string().max(256), z.string().max(4096)).optional(),
  data: z.string().max(4_000_000).optional(),
});
const payloads = z.object({ payloads: z.array(wirePayload).max(1_000) });

const fromWire = (p: z.infer<typeof wirePayload>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * Temporal's codec protocol, decode only, for admins: `temporal workflow show --codec-endpoint
 * <API>/codec --codec-auth "Bearer <admin token>"` reads a BDC's history in clear; nobody else can.
 * No /encode: nothing outside the engine writes an encrypted event.
 */
export function codecRoutes(app: Api, codec: PayloadCodec | undefined) {
  app.post(
    '/codec/decode',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: "Decodes a history's payloads (Temporal's codec protocol), for admins",
        body: payloads,
        response: { 200: payloads },
      },
    },
    async (request) => {
      if (!codec) throw refuse('no_codec', say('no_codec'), 'url');
      const decoded = await codec.decode(request.body.payloads.map(fromWire)).catch((err: Error) => {
        throw refuse('undecodable_payload', say('undecodable_payload', { problem: err.message }), 'payloads');
      });
      return { payloads: decoded.map(toWire) };
    },
  );
}
