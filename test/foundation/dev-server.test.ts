import { bdcMessages } from '../../contract/bdc';
import { freshFiness, validVa } from '../support/bdc-fixtures';
import { harnessPerFile } from '../support/harness';
import { eventually } from '../support/eventually';

// Smoke test of the real Temporal server `npm start` runs: the client starts a BDC, the worker runs
// it, the client reads its result and the BDC is found through its search attributes.
const h = harnessPerFile({ server: 'dev' });

/** The workflow ids a visibility query finds now. */
async function listed(query: string): Promise<string[]> {
  const found: string[] = [];
  for await (const wf of h.env.client.workflow.list({ query })) found.push(wf.workflowId);
  return found;
}

test('a BDC started through the client runs to its result on the dev server', async () => {
  // an OG with a single ESSMS (tranche A)
  const { bdcId, request } = await h.register({ ogEssmsCount: 1, request: { essms: [freshFiness()] } });
  await h.send(bdcId, bdcMessages.vaSubmitted, validVa(request, new Date().toISOString(), 900_000));
  const result = await h.result(bdcId);
  expect(result.status).toBe('completed');
  expect(result.amounts).toMatchObject({ ceilingCents: 400_000, advanceCents: 120_000, paidCents: 400_000 });
  const orders = (await h.ledger.entries(bdcId)).get(bdcId)!.paymentOrders;
  expect(orders.map((o) => o.amountCents)).toEqual([120_000, 280_000]);

  // visibility is eventually consistent: poll the admins' filter until the BDC shows up
  const query = `BdcStatus = 'completed' AND BdcEssms = '${request.essms[0]}' AND BdcEditeur = '${request.editeurId}'`;
  expect(
    await eventually(async () => {
      const found = await listed(query);
      return found.length > 0 && found;
    }),
  ).toEqual([bdcId]);
});

test("the README's Web UI filters find BDCs on the dev server", async () => {
  const { bdcId, request } = await h.register();
  const view = await h.waitForStatus(bdcId, 'awaiting_va');
  const closing = view.deadlines.find((d) => d.name === 'closing')!.at;
  const dayAfter = new Date(Date.parse(closing) + 86_400_000).toISOString();
  const filters = [
    `BdcStatus = 'awaiting_va' AND BdcEditeur = '${request.editeurId}'`,
    `BdcEssms = '${request.essms[1]}'`,
    `BdcOgFiness = '${request.ogFiness}' AND BdcCampaign = 'test-ms1' AND BdcCouloir = 'MS1'`,
    `BdcNextDeadline < '${dayAfter}' AND BdcStatus IN ('awaiting_va', 'awaiting_referencement')`,
    `BdcCeilingCents >= 500000 AND BdcSolution = '${request.solutionId}'`,
  ];
  for (const query of filters) {
    await eventually(async () => (await listed(query)).includes(bdcId), { what: `the filter ${query}` });
  }
  expect(await listed('BdcReimbursementOverdue = true')).not.toContain(bdcId);
});
