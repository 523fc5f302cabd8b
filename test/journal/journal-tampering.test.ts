import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { journalExport, type ExportScope } from '../../client/journal-export';
import { JournalSigner, newJournalKey } from '../../client/journal-keys';
import { checkpointLine, signCheckpoint } from '../../client/journal-keeper';
import { verifyJournal } from '../../client/journal-verify';
import { entryCanonical, leafOf, linkHash, statementText } from '../../domain/journal-chain';
import { JournalStore } from '../../db/journal';
import { JournalRecords } from '../../db/journal-records';
import type { Sql } from '../../db/sql';
import { vaRequestBody } from '../support/bdc-fixtures';
import { postgresBackend } from '../support/database';
import { harnessPerFile } from '../support/harness';

/**
 * Issue 25, on a real PostgreSQL after a real journey (registered, advance, a VA refused, a VA
 * accepted, balance): each tampering an administrator, a restore or a migration could do — an amount
 * updated, an audit line deleted, two entries swapped, the tail cut, a checkpoint forged, the chain
 * rewritten and signed again with another key — is detected by the engine's verification and by the
 * auditor's standalone verifier (scripts/journal-verify.mjs), each naming the entry. Every tampering
 * is undone after its test, and the journal verifies again.
 */
const h = harnessPerFile({ database: postgresBackend(), api: true });
const signer = new JournalSigner({ current: 'k1', keys: { k1: newJournalKey() } });
const intruder = new JournalSigner({ current: 'k1', keys: { k1: newJournalKey() } });
const verifier = path.resolve(__dirname, '..', '..', 'scripts', 'journal-verify.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-journal-'));
const keysFile = path.join(dir, 'keys.json');
fs.writeFileSync(keysFile, JSON.stringify({ keys: signer.publicKeys() }));

let sql: Sql;
let bdcId: string;
let otherBdcId: string;
const verify = () => verifyJournal(sql, signer.publicKeys());
const seqOf = async (kind: string, subject: string) =>
  Number(
    (
      await sql.query<{ seq: number }>('SELECT max(seq) AS seq FROM journal WHERE kind = $1 AND subject = $2', [
        kind,
        subject,
      ])
    )[0]!.seq,
  );

/** The export as a file, and what the standalone verifier says of it. */
async function exportFile(scope: ExportScope, name: string): Promise<string> {
  let text = '';
  for await (const line of journalExport(sql, scope)) text += line;
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
async function standalone(file: string, ...more: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [verifier, file, '--keys', keysFile, ...more]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}
const lines = (file: string) => fs.readFileSync(file, 'utf8').trimEnd().split('\n');
const write = (file: string, ls: string[]) => fs.writeFileSync(file, `${ls.join('\n')}\n`);

/** Runs a tampering, then puts the tables back as they were. */
async function tampered<T>(tables: string[], tamper: () => Promise<T>): Promise<T> {
  for (const t of tables) await sql.exec(`CREATE TABLE snap_${t} AS TABLE ${t}`);
  try {
    return await tamper();
  } finally {
    await sql.transaction(async (tx) => {
      for (const t of tables)
        await tx.exec(`DELETE FROM ${t}; INSERT INTO ${t} SELECT * FROM snap_${t}; DROP TABLE snap_${t};`);
    });
  }
}

beforeAll(async () => {
  sql = h.ledger.sql;
  const { bdcId: id, request } = await h.register();
  bdcId = id;
  await h.waitForStatus(bdcId, 'awaiting_va');
  const signedAt = new Date(await h.now()).toISOString();
  const acme = h.api.tokens.acme;
  const refused = vaRequestBody(request, signedAt, 584_000);
  refused.va.essms[0]!.tbb1['TBB.1.1'] = 0;
  expect((await h.api.call('POST', `/bdcs/${bdcId}/va`, { token: acme, body: refused })).status).toBe(422);
  await signCheckpoint(sql, signer, 'test');
  const valid = vaRequestBody(request, signedAt, 584_000);
  expect((await h.api.call('POST', `/bdcs/${bdcId}/va`, { token: acme, body: valid })).status).toBe(200);
  await h.waitForStatus(bdcId, 'completed');
  otherBdcId = (await h.register()).bdcId;
  await h.waitForStatus(otherBdcId, 'awaiting_va');
  await signCheckpoint(sql, signer, 'test');
});
afterEach(async () => {
  // every tampering undone, the journal holds again
  expect((await verify()).mismatches).toEqual([]);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a journey's entries chain, each fact with its entry, and both verifiers accept it", async () => {
  const entries = (await new JournalStore(sql).entries(1, 10_000)).filter((e) => e.bdcId === bdcId);
  expect([...new Set(entries.map((e) => e.kind))].sort()).toEqual([
    'bdc.audit',
    'bdc.refused',
    'bdc.registered',
    'bdc.state',
    'ledger.claims',
    'ledger.payment_order',
    'money.proposal',
  ]);
  const orders = entries.filter((e) => e.kind === 'ledger.payment_order').map((e) => JSON.parse(e.canonical).content);
  expect(orders.map((o) => [o.kind, o.amount_cents])).toEqual([
    ['advance', 175_200],
    ['balance', 408_800],
  ]);
  const outcome = await verify();
  expect(outcome).toMatchObject({ mismatches: [], checkpoints: 2 });
  expect(outcome.facts).toBeGreaterThan(entries.length);

  const whole = await standalone(await exportFile({}, 'whole.jsonl'));
  expect(whole.code).toBe(0);
  expect(whole.out).toMatch(/^OK: \d+ entries and 0 links chained/m);
  expect(whole.out).toMatch(/every entry is signed by a checkpoint verified with your key/);
  // one BDC's entries, linked to the checkpoints by the others' leaves only
  const mine = await exportFile({ bdcId }, 'bdc.jsonl');
  const result = await standalone(mine);
  expect(result.code).toBe(0);
  expect(result.out).toMatch(new RegExp(`^OK: ${entries.length} entries and [1-9]\\d* links chained`, 'm'));
  expect(fs.readFileSync(mine, 'utf8')).not.toContain(otherBdcId);
});

test('an UPDATE of an amount is detected, naming the entry', async () => {
  const key = `${bdcId}:balance`;
  const seq = await seqOf('ledger.payment_order', key);
  const outcome = await tampered(['payment_orders'], async () => {
    await sql.query('UPDATE payment_orders SET amount_cents = 508800 WHERE idempotency_key = $1', [key]);
    return verify();
  });
  expect(outcome.mismatches[0]).toMatchObject({
    seq,
    code: 'fact_changed',
    kind: 'ledger.payment_order',
    subject: key,
  });
  expect(outcome.mismatches[0]!.what).toContain('amount_cents: 408800 → 508800');
});

test('the same UPDATE made in the journal too breaks the chain at that entry, for both verifiers', async () => {
  const key = `${bdcId}:balance`;
  const seq = await seqOf('ledger.payment_order', key);
  const [outcome, file] = await tampered(['payment_orders', 'journal'], async () => {
    await sql.query('UPDATE payment_orders SET amount_cents = 508800 WHERE idempotency_key = $1', [key]);
    await sql.query(
      'UPDATE journal SET canonical = replace(canonical, \'"amount_cents":408800\', \'"amount_cents":508800\') WHERE seq = $1',
      [seq],
    );
    return [await verify(), await exportFile({}, 'edited.jsonl')] as const;
  });
  expect(outcome.mismatches[0]).toMatchObject({ seq, code: 'entry_changed' });
  const result = await standalone(file);
  expect(result.code).toBe(1);
  expect(result.out).toContain(`the first entry that does not match: ${seq}`);
});

test('a DELETE of an audit line is detected, naming its entry', async () => {
  const seq = await seqOf('bdc.audit', `${bdcId}#3`);
  const outcome = await tampered(['bdc_audit'], async () => {
    await sql.query('DELETE FROM bdc_audit WHERE bdc_id = $1 AND seq = 3', [bdcId]);
    return verify();
  });
  expect(outcome.mismatches[0]).toMatchObject({ seq, code: 'fact_removed', kind: 'bdc.audit', subject: `${bdcId}#3` });
});

test('two entries swapped are detected at the first of them', async () => {
  const a = await seqOf('ledger.payment_order', `${bdcId}:advance`);
  const b = a + 1;
  const outcome = await tampered(['journal'], async () => {
    await sql.query('UPDATE journal SET seq = 999999 WHERE seq = $1', [a]);
    await sql.query('UPDATE journal SET seq = $1 WHERE seq = $2', [a, b]);
    await sql.query('UPDATE journal SET seq = $1 WHERE seq = 999999', [b]);
    return verify();
  });
  expect(outcome.mismatches[0]).toMatchObject({ seq: a });
  expect(outcome.mismatches[0]!.code).toMatch(/chain_broken|entry_moved/);
});

test('a truncated tail, the head moved back to hide it, is detected from the checkpoint that signed it', async () => {
  const head = await new JournalStore(sql).head();
  const keep = head.seq - 3;
  const outcome = await tampered(['journal', 'journal_head'], async () => {
    await sql.query('DELETE FROM journal WHERE seq > $1', [keep]);
    await sql.query('UPDATE journal_head SET seq = $1, hash = (SELECT hash FROM journal WHERE seq = $1)', [keep]);
    return verify();
  });
  expect(outcome.mismatches).toContainEqual(
    expect.objectContaining({ seq: keep + 1, code: 'checkpoint_beyond_journal' }),
  );
  // and the facts whose entries were cut are in the database without one, or as they were after their last entry kept
  expect(outcome.mismatches.some((m) => m.code === 'fact_unjournaled')).toBe(true);
  expect(outcome.mismatches[0]!.seq).toBeLessThanOrEqual(keep + 1);
});

test('a forged checkpoint is detected', async () => {
  const head = await new JournalStore(sql).head();
  const last = (await new JournalRecords(sql).lastCheckpoint())!;
  const outcome = await tampered(['journal_checkpoints'], async () => {
    const signedAt = new Date().toISOString();
    const statement = statementText({
      journal: head.journalId,
      n: last.n + 1,
      seq: head.seq,
      hash: 'f'.repeat(64),
      signedAt,
      keyId: 'k1',
    });
    await sql.query(
      "INSERT INTO journal_checkpoints (n, seq, hash, signed_at, key_id, statement, signature, requested_by) VALUES ($1, $2, $3, $4, 'k1', $5, $6, 'intruder')",
      [last.n + 1, head.seq, 'f'.repeat(64), signedAt, statement, intruder.sign(statement).signature],
    );
    return verify();
  });
  expect(outcome.mismatches[0]).toMatchObject({ code: 'checkpoint_signature' });
  expect(outcome.mismatches[0]!.what).toContain(`checkpoint #${last.n + 1}`);
});

test('a chain rewritten from an amount on and signed again with another key is detected by both verifiers, naming the first entry no genuine checkpoint proves', async () => {
  const key = `${bdcId}:balance`;
  const seq = await seqOf('ledger.payment_order', key);
  const first = (await new JournalRecords(sql).checkpoints())[0]!;
  expect(first.seq).toBeLessThan(seq);
  const held = path.join(dir, 'held.txt');
  fs.writeFileSync(held, (await new JournalRecords(sql).checkpoints()).map(checkpointLine).join('\n'));
  const [outcome, file] = await tampered(
    ['payment_orders', 'journal', 'journal_head', 'journal_checkpoints'],
    async () => {
      await sql.query('UPDATE payment_orders SET amount_cents = 508800 WHERE idempotency_key = $1', [key]);
      // the intruder recomputes every entry from the changed one, moves the head, and signs the head again
      const entries = await new JournalStore(sql).entries(seq, 100_000);
      let prev = entries[0]!.prevHash;
      for (const e of entries) {
        const body = JSON.parse(e.canonical);
        if (e.seq === seq) body.content.amount_cents = 508800;
        const canonical = entryCanonical(body);
        const hash = linkHash(prev, leafOf(canonical));
        await sql.query('UPDATE journal SET canonical = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [
          e.seq,
          canonical,
          prev,
          hash,
        ]);
        prev = hash;
      }
      const head = await new JournalStore(sql).head();
      await sql.query('UPDATE journal_head SET hash = $1', [prev]);
      await sql.query('DELETE FROM journal_checkpoints WHERE n > 1');
      const signedAt = new Date().toISOString();
      const statement = statementText({
        journal: head.journalId,
        n: 2,
        seq: head.seq,
        hash: prev,
        signedAt,
        keyId: 'k1',
      });
      await sql.query(
        "INSERT INTO journal_checkpoints (n, seq, hash, signed_at, key_id, statement, signature, requested_by) VALUES (2, $1, $2, $3, 'k1', $4, $5, 'intruder')",
        [head.seq, prev, signedAt, statement, intruder.sign(statement).signature],
      );
      return [await verify(), await exportFile({}, 'resigned.jsonl')] as const;
    },
  );
  // nothing in the database contradicts the rewrite but the checkpoint: it is not the journal's key's
  expect(outcome.mismatches[0]).toMatchObject({ seq: first.seq + 1, code: 'checkpoint_signature' });
  expect(outcome.mismatches).toHaveLength(1);
  const result = await standalone(file, '--checkpoint', held);
  expect(result.code).toBe(1);
  expect(result.out).toContain(`the first entry that does not match: ${first.seq + 1}`);
  expect(result.out).toMatch(/checkpoint #2: its signature does not verify with key k1/);
  expect(result.out).toMatch(/your checkpoint #2 signed entry \d+ with hash .*: the past was rewritten after entry/);
});

test('the standalone verifier rejects each tampering of an export file', async () => {
  const genuine = await exportFile({}, 'genuine.jsonl');
  expect((await standalone(genuine)).code).toBe(0);
  const ls = lines(genuine);
  const at = (seq: number) => ls.findIndex((l) => l.startsWith(`{"type":"entry","seq":${seq},`));
  const order = await seqOf('ledger.payment_order', `${bdcId}:advance`);
  const cases: [string, (l: string[]) => string[], RegExp][] = [
    [
      'an amount changed',
      (l) => l.map((x, i) => (i === at(order) ? x.replace('"amount_cents\\":175200', '"amount_cents\\":275200') : x)),
      new RegExp(`does not match: ${order}\\b`),
    ],
    ['a line removed', (l) => l.filter((_, i) => i !== at(order)), new RegExp(`entry ${order} is missing`)],
    [
      'two lines swapped',
      (l) => l.map((x, i) => (i === at(order) ? l[at(order + 1)]! : i === at(order + 1) ? l[at(order)]! : x)),
      new RegExp(`does not match: ${order}\\b`),
    ],
    ['the tail cut', (l) => l.slice(0, at(order)), /the export is cut/],
    [
      'a checkpoint forged',
      (l) =>
        l.map((x) =>
          x.startsWith('{"type":"checkpoint"')
            ? x.replace(/"signature":"[^"]+"/, `"signature":"${intruder.sign('x').signature}"`)
            : x,
        ),
      /its signature does not verify/,
    ],
  ];
  for (const [name, edit, expected] of cases) {
    const file = path.join(dir, `${name.replace(/ /g, '-')}.jsonl`);
    write(file, edit(ls));
    const result = await standalone(file);
    expect({ name, code: result.code }).toEqual({ name, code: 1 });
    expect(result.out).toMatch(expected);
  }
  expect(amountLine(ls[at(order)]!)).toBe(175_200);
});

const amountLine = (l: string) => JSON.parse(JSON.parse(l).canonical).content.amount_cents as number;
