import fs from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../cli/api-client';
import { eurosFr } from '../domain/french';

/** The demo's people over the API: each a token of `npm start`'s dev credentials. */
export interface DemoPeople {
  url: string;
  editeur: string;
  comptable: ApiClient;
}

type Order = { id: number; bdcId: string; kind: string; amountCents: number; validatedBy: { id: string }[] };

/**
 * The demo's money from validated to released (DOMAIN.md "Paying"): a comptable releases every
 * validated order of the éditeur (enrolled at the demo's start) as one payment run, and its pain.001
 * file is written beside the engine's data. Answers the file's path.
 */
export async function demoPaymentRun(people: DemoPeople, stamp: string, dataDir: string, say: (l: string) => void) {
  const { orders } = await people.comptable.request<{ orders: Order[] }>(
    'GET',
    `/payment-orders?state=validated&editeurId=${encodeURIComponent(people.editeur)}`,
  );
  if (!orders.length) {
    say('   no validated order to release');
    return undefined;
  }
  const runId = `demo-run-${stamp}`;
  const { run } = await people.comptable.request<{
    run: { runId: string; controlSumCents: number; transfers: number };
  }>('POST', '/payment-runs', { runId, orderIds: orders.map((o) => o.id) });
  const file = path.join(dataDir, 'payment-runs', `${runId}.xml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await people.comptable.download(`/payment-runs/${encodeURIComponent(runId)}/file`, file);
  for (const o of orders)
    say(
      `   ${o.bdcId.padEnd(40)} ${o.kind.padEnd(8)} ${eurosFr(o.amountCents).padStart(12)}  validated by ${o.validatedBy.map((v) => v.id).join(' and ')}`,
    );
  say(
    `   run ${run.runId} released by the comptable: ${run.transfers} transfer(s), ${eurosFr(run.controlSumCents)} — its pain.001.001.09 file: ${file}`,
  );
  return file;
}
