import { ApiClient } from '../cli/api-client';
import { importBdcs, importColumns } from '../cli/bdc-import';
import { createLogger, temporalLogger } from '../config/logger';
import { migrate } from '../db/migrations';
import { openPglite } from '../db/pglite';
import { parisCivilDate } from '../domain/calendar';
import { workflowBundle } from '../worker/create-worker';
import { startLocalEngine } from './local-engine';
import { sampleBdcRequest, vaRequestBody } from './samples/bdc';

/**
 * `npm run bench:api`: the latency of a VA submission through the API (HTTP, auth, validation, the
 * workflow update and its answer), over CALLS calls on the dev server. Prints p50, p90, p99 and max
 * in milliseconds; then the time of a bulk registration of IMPORT_ROWS rows (what `sons import` does).
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000);

async function main() {
  const sql = await openPglite();
  await migrate(sql);
  const local = await startLocalEngine({ server: 'dev', sql, workflowBundle: await workflowBundle(temporalLogger(createLogger('warn'))), api: true });
  const api = local.api!;
  try {
    const bdcs = [];
    for (let i = 0; i < CALLS; i++) {
      const request = sampleBdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
      await local.seed(request, 3);
      const { body } = await api.call('POST', '/bdcs', { token: api.tokens.operator, body: request });
      bdcs.push({ bdcId: body.bdcId as string, request });
    }
    const latencies: number[] = [];
    for (const b of bdcs) {
      const body = vaRequestBody(b.request, new Date(Date.now() - 60_000).toISOString(), 584_000);
      const start = process.hrtime.bigint();
      const { status } = await api.call('POST', `/bdcs/${b.bdcId}/va`, { token: api.tokens.acme, body });
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (status !== 200) throw new Error(`VA answered ${status}`);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => +latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);

    const rows = Array.from({ length: IMPORT_ROWS }, () => sampleBdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) }));
    for (const r of rows) await local.seed(r, 3);
    const started = Date.now();
    const imported = await importBdcs(new ApiClient(api.url, api.tokens.operator), [
      [...importColumns],
      ...rows.map((r) => [r.editeurId, r.reference, r.campaignId, r.solutionId, r.ogFiness, r.essms.join('|'), r.orderDate, String(r.solutionReferenced)]),
    ]);
    const seconds = (Date.now() - started) / 1000;
    if (imported.registered !== IMPORT_ROWS) throw new Error(`import registered ${imported.registered} of ${IMPORT_ROWS}`);
    process.stdout.write(`${JSON.stringify({
      vaSubmission: { calls: CALLS, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1) },
      bulkImport: { rows: IMPORT_ROWS, seconds: +seconds.toFixed(1), rowsPerSecond: Math.round(IMPORT_ROWS / seconds) },
    }, null, 2)}\n`);
  } finally {
    await local.close();
    await sql.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
