import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JournalSigner, loadJournalKeys, newJournalKey, signatureHolds } from '../../client/journal-keys';
import { signCheckpoint } from '../../client/journal-keeper';
import { verifyJournal } from '../../client/journal-verify';
import { loadConfig } from '../../config/env';
import { freshFiness } from '../support/bdc-fixtures';
import { openTestDatabase } from '../support/database';

// The journal's keys are configured and rotated as the payload keys are: a local key made once on the
// embedded default; a new key made current signs the next checkpoints while the old one still
// verifies the checkpoints it signed.

test('a local key is made once in DATA_DIR (0600) and read again; a configured key is validated', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-journal-keys-'));
  try {
    const first = loadJournalKeys({ DATA_DIR: dir });
    expect(fs.statSync(path.join(dir, 'journal-keys.json')).mode & 0o777).toBe(0o600);
    expect(loadJournalKeys({ DATA_DIR: dir })).toEqual(first);
    expect(() =>
      loadJournalKeys({ DATA_DIR: dir, JOURNAL_KEYS: JSON.stringify({ current: 'x', keys: { y: newJournalKey() } }) }),
    ).toThrow(/current key must be one of the keys/);
    expect(() =>
      loadJournalKeys({ DATA_DIR: dir, JOURNAL_KEYS: JSON.stringify({ current: 'x', keys: { x: 'c2hvcnQ=' } }) }),
    ).toThrow(/32-byte Ed25519 seed/);
    const signer = new JournalSigner(first);
    const { keyId, signature } = signer.sign('statement');
    expect(signatureHolds(signer.publicKeys(), keyId, 'statement', signature)).toBe(true);
    expect(signatureHolds(signer.publicKeys(), keyId, 'another statement', signature)).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  expect(() => loadConfig({ JOURNAL_CHECKPOINT_RECIPIENTS: 'not an address' })).toThrow(
    /JOURNAL_CHECKPOINT_RECIPIENTS/,
  );
  expect(
    loadConfig({ JOURNAL_CHECKPOINT_RECIPIENTS: 'a@b.example, auditor:ccomptes' }).JOURNAL_CHECKPOINT_RECIPIENTS,
  ).toEqual(['a@b.example', 'auditor:ccomptes']);
});

test('rotation: the new current key signs the next checkpoints, the old one still verifies its own; a key dropped too soon is reported', async () => {
  const { ledger } = await openTestDatabase();
  try {
    const k1 = newJournalKey();
    const k2 = newJournalKey();
    const register = () =>
      ledger.registerBdc({
        bdcId: `bdc-k-${freshFiness()}`,
        editeurId: 'editeur-acme',
        campaignId: 'vague1-ms1',
        ogFiness: freshFiness(),
        essms: [freshFiness()],
        ceilingCents: 400_000,
      });
    await register();
    const before = new JournalSigner({ current: 'k1', keys: { k1 } });
    expect((await signCheckpoint(ledger.sql, before, 'test'))!.keyId).toBe('k1');
    await register();
    const after = new JournalSigner({ current: 'k2', keys: { k1, k2 } });
    expect((await signCheckpoint(ledger.sql, after, 'test'))!.keyId).toBe('k2');
    expect((await verifyJournal(ledger.sql, after.publicKeys())).mismatches).toEqual([]);
    const dropped = new JournalSigner({ current: 'k2', keys: { k2 } });
    expect((await verifyJournal(ledger.sql, dropped.publicKeys())).mismatches).toEqual([
      expect.objectContaining({ seq: 1, code: 'checkpoint_unknown_key' }),
    ]);
  } finally {
    await ledger.sql.close();
  }
});
