import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parisCivilDate } from '../../domain/calendar';
import { importColumns } from '../../domain/bdc-import';
import { bdcRequest, importRow } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// The built `sons` binary against the API, as an operator runs it.
const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'sons.js');
const h = harnessPerFile({ server: 'dev', api: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sons-cli-'));
// a small import: the 1,000-row volume run is `npm run bench:api`'s
const ROWS = 40;

const sons = (args: string[], token = h.api.tokens.operator) =>
  run('node', [cli, ...args], {
    env: { ...process.env, LANG: 'fr_FR.UTF-8', LC_ALL: '', SONS_API_URL: h.api.url, SONS_TOKEN: token },
    maxBuffer: 1 << 24,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );

test(`sons import registers ${ROWS} BDCs, a re-run skips them all, refused rows come back with their reasons`, async () => {
  const requests = Array.from({ length: ROWS }, () =>
    bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) }),
  );
  for (const r of requests) await h.seed(r, 3);

  const file = path.join(dir, 'bdcs.csv');
  fs.writeFileSync(file, [importColumns.join(';'), ...requests.map((r) => importRow(r))].join('\n'));

  const first = await sons(['import', file, '--json']);
  expect(first.code).toBe(0);
  const summary = JSON.parse(first.stdout);
  expect(summary).toMatchObject({ registered: ROWS, skipped: 0, refused: 0 });

  const again = JSON.parse((await sons(['import', file, '--json'])).stdout);
  expect(again).toMatchObject({ registered: 0, skipped: ROWS, refused: 0 });

  const bad = path.join(dir, 'bad.csv');
  const fresh = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
  await h.seed(fresh, 3);
  fs.writeFileSync(
    bad,
    [
      importColumns.join(';'),
      importRow(fresh),
      importRow({ ...requests[0]!, reference: 'OTHER-REF' }),
      importRow({ ...fresh, reference: 'BAD-1', ogFiness: '123' }),
      importRow({ ...fresh, reference: 'BAD-2', campaignId: 'vague9' }),
    ].join('\n'),
  );
  const mixed = await sons(['import', bad]);
  expect(mixed.code).toBe(5);
  expect(mixed.stdout).toMatch(
    /^1 registered, 0 already registered \(skipped\), 3 refused → .*bad\.refused\.csv in [\d.]+ s\n$/,
  );
  const refused = fs.readFileSync(path.join(dir, 'bad.refused.csv'), 'utf8').split('\r\n');
  // a French spreadsheet's CSV (a byte-order mark, `;`), the reasons in French (the CLI's locale is not English)
  expect(refused[0]).toBe(`\uFEFF${importColumns.join(';')};line;reasons`);
  expect(refused[1]).toMatch(
    new RegExp(
      `^editeur-acme;OTHER-REF;.*;3;essms.0: l’ESSMS ${requests[0]!.essms[0]} est déjà financé par le BDC bdc:editeur-acme:${requests[0]!.reference}`,
    ),
  );
  expect(refused[2]).toContain(';4;body.ogFiness: un numéro FINESS compte 9 caractères (123)');
  expect(refused[3]).toContain(';5;campaignId: aucune campagne vague9');
});

test('sons bdc register and show: one BDC from a JSON file', async () => {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
  await h.seed(request, 3);
  const file = path.join(dir, 'one.json');
  fs.writeFileSync(file, JSON.stringify(request));
  const { code, stdout } = await sons(['bdc', 'register', file]);
  expect([code, stdout]).toEqual([0, `bdc:${request.editeurId}:${request.reference} registered\n`]);
  const shown = await sons(['bdc', 'show', `bdc:${request.editeurId}:${request.reference}`, '--json']);
  const view = JSON.parse(shown.stdout);
  expect(view).toMatchObject({ request: { reference: request.reference } });
  expect(view.audit[0]).toMatchObject({ by: { role: 'operator', id: 'ops-1' } });
});

test('the human table and --json of the same listing, and documented exit codes', async () => {
  const request = bdcRequest({
    campaignId: 'test-ms1',
    orderDate: parisCivilDate(new Date()),
    editeurId: 'editeur-listed',
  });
  await h.seed(request, 3);
  const file = path.join(dir, 'listed.json');
  fs.writeFileSync(file, JSON.stringify(request));
  expect((await sons(['bdc', 'register', file])).code).toBe(0);
  const listed = () => sons(['bdc', 'list', '--editeur', 'editeur-listed']);
  // the listing reads Temporal's visibility, which is eventually consistent
  const { code, stdout } = await eventually(async () => {
    const out = await listed();
    return out.stdout.includes(request.reference) && out;
  });
  expect(code).toBe(0);
  expect(stdout.split('\n')[0]).toMatch(/^bdcId\s+status\s+campaign\s+editeur\s+og\s+ceilingCents\s+nextDeadline$/);
  const json = JSON.parse((await sons(['bdc', 'list', '--editeur', 'editeur-listed', '--json'])).stdout);
  expect(json.bdcs.map((b: { bdcId: string }) => b.bdcId)).toEqual([`bdc:editeur-listed:${request.reference}`]);
  expect((await sons(['bdc', 'show', 'bdc-nobody'])).code).toBe(5);
  expect((await sons(['bdc', 'list'], 'sons_not-a-valid-token-at-all')).code).toBe(3);
  expect((await sons(['frobnicate'])).code).toBe(2);
});
