import { say } from '../../domain/messages';
import type { PayloadCodec } from '@temporalio/common';
import { fromWire, toWire, wirePayloads as payloads } from '../codec-wire';
import { refuse } from '../../domain/refusal';
import type { Api } from '../context';

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
