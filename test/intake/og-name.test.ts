import { randomUUID } from 'node:crypto';
import { importJob, startBdcImport } from '../../client/imports';
import { importColumns } from '../../domain/bdc-import';
import type { BdcRequest } from '../../domain/bdc';
import { bdcRequest, importRow } from '../support/bdc-fixtures';
import { consoleSession } from '../support/console-session';
import { eventually } from '../support/eventually';
import { harnessOperator, harnessPerFile } from '../support/harness';
import { people } from '../support/people';
import { parisCivilDate } from '../../domain/calendar';

// Issue 22, item 5: a BDC labelled by its OG's name, not only its FINESS juridique. The order names its
// OG (its raison sociale): the registration carries it — the API's `ogName`, a bulk file's optional
// `og_name` column after the required ones (a file without it still imports) — and the BDC's page and
// the lists show it beside the FINESS.
const h = harnessPerFile({ api: true });
const today = () => parisCivilDate(new Date());

async function seeded(overrides: Partial<BdcRequest> = {}): Promise<BdcRequest> {
  const request = bdcRequest({ campaignId: 'test-ms1', orderDate: today(), ...overrides });
  await h.seed(request, 3);
  await h.grant(request.solutionId, request.editeurId);
  return request;
}

test('the API registers the OG’s name as the order states it, trimmed; a name of nothing is refused at its field', async () => {
  const request = await seeded();
  const register = (ogName: unknown) =>
    h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, body: { ...request, ogName, eventId: randomUUID() } });
  const empty = await register('   ');
  expect(empty.status).toBe(422);
  expect(empty.body.refusals).toEqual([expect.objectContaining({ path: 'body.ogName' })]);
  const registered = await register('  Association Les Tilleuls ');
  expect(registered.status).toBeLessThan(300);
  const bdcId = registered.body.bdcId as string;
  expect((await h.state(bdcId)).request.ogName).toBe('Association Les Tilleuls');
  const listed = await h.api.call('GET', `/bdcs?reference=${encodeURIComponent(request.reference)}`, {
    token: h.api.tokens.operator,
  });
  expect(listed.body.bdcs).toEqual([
    expect.objectContaining({ bdcId, og: request.ogFiness, ogName: 'Association Les Tilleuls' }),
  ]);

  // the console: the BDC's page and the list name the OG
  const operator = await consoleSession(h.api.url, people.operator);
  const page = await (await operator.get(`/console/bdc/${encodeURIComponent(bdcId)}`)).text();
  expect(page).toContain('<dt>OG</dt><dd>Association Les Tilleuls</dd>');
  const list = await (await operator.get(`/console/bdc?reference=${encodeURIComponent(request.reference)}`)).text();
  expect(list).toContain(`Association Les Tilleuls (${request.ogFiness})`);
});

test('a registration sent again with the OG’s name added is the same registration: answered as the first, not refused', async () => {
  const request = await seeded();
  const eventId = randomUUID();
  const send = (body: object) =>
    h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, body: { ...body, eventId } });
  const first = await send(request);
  const again = await send({ ...request, ogName: 'Association Les Tilleuls' });
  expect(first.status).toBeLessThan(300);
  expect([again.status, again.body.bdcId]).toEqual([first.status, first.body.bdcId]);
  // and a name that would hide the FINESS after it is refused at its field
  const hidden = await h.api.call('POST', '/bdcs', {
    token: h.api.tokens.operator,
    body: { ...(await seeded()), ogName: 'EHPAD \u202e', eventId: randomUUID() },
  });
  expect([hidden.status, hidden.body.refusals?.[0]?.path]).toEqual([422, 'body.ogName']);
});

test('a bulk file may name each OG in an optional og_name column; its refused rows come back with that column', async () => {
  const named = await seeded();
  const unnamed = await seeded();
  const csv = [
    [...importColumns, 'og_name'].join(';'),
    importRow(named, 'EHPAD Les Glycines'),
    importRow(unnamed, ''),
    importRow({ ...named, reference: `BAD-${randomUUID().slice(0, 6)}`, ogFiness: '123' }, 'Mauvais OG'),
  ].join('\n');
  const ctx = await h.engine();
  const importId = await startBdcImport(ctx, harnessOperator, { text: csv, fileName: 'og.csv' });
  const job = await eventually(
    async () => {
      const j = await importJob(ctx, importId);
      return j.finished ? j : undefined;
    },
    { budgetMs: 60_000, what: 'the import done' },
  );
  expect(job.outcome).toMatchObject({ registered: 2, refused: 1 });
  const [header, refusedRow] = job.refusedCsv!.replace(/^\uFEFF/, '').split(/\r?\n/);
  expect(header).toBe([...importColumns, 'og_name', 'line', 'reasons'].join(';'));
  expect(refusedRow).toContain(';Mauvais OG;4;');
  const of = async (r: BdcRequest) => (await h.state(`bdc:${r.editeurId}:${r.reference}`)).request.ogName;
  expect([await of(named), await of(unnamed)]).toEqual(['EHPAD Les Glycines', undefined]);
});
