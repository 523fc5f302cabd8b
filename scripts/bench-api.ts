import fs from 'node:fs';
import path from 'node:path';
import { createLogger, temporalLogger } from '../config/logger';
import { parisCivilDate } from '../domain/calendar';
import { bundleWorkflows } from '../worker/create-worker';
import { bdcRequest, vaRequestBody } from '../test/support/bdc-fixtures';
import { startHarness } from '../test/support/harness';
import { workflowBundlePath } from '../test/support/temporal';

/**
 * `npm run bench:api`: the latency of a VA submission through the API (HTTP, auth, validation, the
 * workflow update and its answer), over CALLS calls on the dev server, with the same harness as the
 * tests. Prints p50, p90, p99 and max in milliseconds.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 200);

async function main() {
  const { code } = await bundleWorkflows(temporalLogger(createLogger('warn')));
  fs.mkdirSync(path.dirname(workflowBundlePath), { recursive: true });
  fs.writeFileSync(workflowBundlePath, code);
  const h = await startHarness({ server: 'dev', api: true });
  try {
    const bdcs = [];
    for (let i = 0; i < CALLS; i++) {
      const request = bdcRequest({ campaignId: 'test-ms1', orderDate: parisCivilDate(new Date()) });
      await h.seed(request, 3);
      const { body } = await h.api.call('POST', '/bdcs', { token: h.api.tokens.operator, body: request });
      bdcs.push({ bdcId: body.bdcId as string, request });
    }
    for (const b of bdcs) await h.waitForStatus(b.bdcId, 'awaiting_va');
    const latencies: number[] = [];
    for (const b of bdcs) {
      const body = vaRequestBody(b.request, new Date(Date.now() - 60_000).toISOString(), 584_000);
      const start = process.hrtime.bigint();
      const { status } = await h.api.call('POST', `/bdcs/${b.bdcId}/va`, { token: h.api.tokens.acme, body });
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (status !== 200) throw new Error(`VA answered ${status}`);
    }
    latencies.sort((a, b) => a - b);
    const at = (q: number) => +latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    process.stdout.write(`${JSON.stringify({ vaSubmission: { calls: CALLS, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1) } }, null, 2)}\n`);
  } finally {
    await h.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
