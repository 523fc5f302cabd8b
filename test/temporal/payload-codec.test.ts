import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EncryptionCodec, loadPayloadKeys, newPayloadKey } from '../../temporal/payload-codec';
import { bdcMessages } from '../../contract/bdc';
import { validVa } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';

// Issue 14: VAs and invoices are opaque in Temporal's histories; only the engine's keys open them.
const keyA = newPayloadKey();
const keyB = newPayloadKey();
const codec = new EncryptionCodec({ current: 'a', keys: { a: keyA } });
const h = harnessPerFile({ dataConverter: { payloadCodecs: [codec] }, api: true });

const plain = (value: unknown) => defaultPayloadConverter.toPayload(value);

test('a payload comes back as it went in; its bytes do not show the plain text', async () => {
  const [sealed] = await codec.encode([plain({ invoice: 'F-SECRET-42' })]);
  expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('F-SECRET-42');
  const [opened] = await codec.decode([sealed!]);
  expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ invoice: 'F-SECRET-42' });
});

test('keys rotate: a new current key encodes, the old one still decodes; a removed key is refused', async () => {
  const [underA] = await codec.encode([plain('VA signée')]);
  const rotated = new EncryptionCodec({ current: 'b', keys: { a: keyA, b: keyB } });
  const [underB] = await rotated.encode([plain('VA signée')]);
  expect(Buffer.from(underB!.metadata!['encryption-key-id']!).toString()).toBe('b');
  expect((await rotated.decode([underA!, underB!])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
    'VA signée',
    'VA signée',
  ]);
  const withoutA = new EncryptionCodec({ current: 'b', keys: { b: keyB } });
  await expect(withoutA.decode([underA!])).rejects.toThrow(/key a, which is not configured/);
});

test('a payload altered, or moved under another key id, is refused', async () => {
  const [sealed] = await codec.encode([plain(175_200)]);
  const data = Buffer.from(sealed!.data!);
  data.writeUInt8(data.readUInt8(data.length - 20) ^ 1, data.length - 20);
  await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow();
  const both = new EncryptionCodec({ current: 'a', keys: { a: keyA, b: keyA } });
  const moved = { ...sealed!, metadata: { ...sealed!.metadata, 'encryption-key-id': Buffer.from('b') } };
  await expect(both.decode([moved])).rejects.toThrow();
});

test('plain payloads of BDCs started before encryption still decode', async () => {
  const [opened] = await codec.decode([plain({ status: 'awaiting_va' })]);
  expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ status: 'awaiting_va' });
});

test('the embedded default makes one local key, readable by its owner only, and keeps it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-keys-'));
  const first = loadPayloadKeys({ DATA_DIR: dir });
  expect(fs.statSync(path.join(dir, 'payload-keys.json')).mode & 0o777).toBe(0o600);
  expect(loadPayloadKeys({ DATA_DIR: dir })).toEqual(first);
  expect(() =>
    loadPayloadKeys({ DATA_DIR: dir, PAYLOAD_KEYS: JSON.stringify({ current: 'x', keys: { y: keyA } }) }),
  ).toThrow(/current key/);
  expect(() =>
    loadPayloadKeys({ DATA_DIR: dir, PAYLOAD_KEYS: JSON.stringify({ current: 'x', keys: { x: 'c2hvcnQ=' } }) }),
  ).toThrow(/32 bytes/);
});

test("a BDC's history on the server holds no VA nor invoice in clear; the engine reads it whole", async () => {
  const { bdcId, request } = await h.register({ ogEssmsCount: 3 });
  const va = validVa(request, new Date(await h.now()).toISOString(), 600_000);
  const after = await h.send(bdcId, bdcMessages.vaSubmitted, va);
  expect(after.amounts).toMatchObject({ financedCents: 584_000, balanceCents: 408_800 });
  expect((await h.result(bdcId)).amounts.paidCents).toBe(584_000);

  // what Temporal stores, read without the key
  const raw = new Client({ connection: h.env.connection, namespace: h.env.namespace ?? 'default' });
  const history = await raw.workflow.getHandle(bdcId).fetchHistory();
  const stored = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  // search attributes (the OG's FINESS, the status) stay in clear: admins filter on them
  for (const secret of [va.invoice.number, 'pro-sante-connect', 'activeRecordsRate'])
    expect(stored.includes(secret)).toBe(false);
  const decodedInputs = await codec.decode(
    history.events!.flatMap(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? [],
    ),
  );
  expect(decodedInputs.map((p) => JSON.stringify(defaultPayloadConverter.fromPayload(p))).join()).toContain(
    va.invoice.number,
  );
});

test("admins read a history's payloads in clear through /codec/decode; nobody else can", async () => {
  const { bdcId, request } = await h.register({ ogEssmsCount: 3 });
  const va = validVa(request, new Date(await h.now()).toISOString(), 600_000);
  await h.send(bdcId, bdcMessages.vaSubmitted, va);
  const raw = new Client({ connection: h.env.connection, namespace: h.env.namespace ?? 'default' });
  const history = await raw.workflow.getHandle(bdcId).fetchHistory();
  const sealed = history.events!.flatMap(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? [],
  );
  // the codec protocol's wire form, as the Temporal CLI sends it: proto3 JSON, bytes in base64
  const body = {
    payloads: sealed.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    })),
  };
  const answer = await h.api.call('POST', '/codec/decode', { token: h.api.tokens.admin, body });
  expect(answer.status).toBe(200);
  const clear = (answer.body.payloads as { data: string }[])
    .map((p) => Buffer.from(p.data, 'base64').toString('utf8'))
    .join();
  expect(clear).toContain(va.invoice.number);
  for (const token of [h.api.tokens.operator, h.api.tokens.acme])
    expect((await h.api.call('POST', '/codec/decode', { token, body })).status).toBe(403);
  expect((await h.api.call('POST', '/codec/decode', { body })).status).toBe(401);
  // sealed under a key the engine does not hold: a refusal, not a 500
  const [foreign] = await new EncryptionCodec({ current: 'x', keys: { x: keyB } }).encode([plain('x')]);
  const refused = await h.api.call('POST', '/codec/decode', {
    token: h.api.tokens.admin,
    body: {
      payloads: [
        {
          metadata: {
            encoding: Buffer.from('binary/encrypted').toString('base64'),
            'encryption-key-id': Buffer.from('x').toString('base64'),
          },
          data: Buffer.from(foreign!.data!).toString('base64'),
        },
      ],
    },
  });
  expect([refused.status, refused.body.refusals[0].code]).toEqual([422, 'undecodable_payload']);
  // there is no /codec/encode: nothing outside the engine seals an event
  expect((await h.api.call('POST', '/codec/encode', { token: h.api.tokens.admin, body })).status).toBe(404);
});
