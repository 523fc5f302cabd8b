import { z } from 'zod';
import { paymentOrdersCsv, summaryCsv } from '../../client/exports';
import { reconcileLedger } from '../../client/reconciliation';
import { paymentsReport, summaryReport } from '../../client/reports';
import { who, type Api, type ApiDeps } from '../context';

/** Reports, reconciliation and the accounting export. */
export function reportRoutes(app: Api, { engine }: ApiDeps) {
  app.get(
    '/reports/summary',
    {
      config: { roles: who.readers },
      schema: {
        summary:
          'BDCs and euros — committed, advanced, paid, demanded back, received, written off, outstanding — by campaign, status and éditeur: the sums of the ledger',
      },
    },
    async () => ({ lines: await summaryReport(engine) }),
  );

  app.get(
    '/reports/summary.csv',
    { config: { roles: who.readers }, schema: { summary: 'The summary report as CSV (euros with two decimals)' } },
    async (_request, reply) => reply.type('text/csv; charset=utf-8').send(summaryCsv(await summaryReport(engine))),
  );

  app.get(
    '/ledger/reconciliation',
    {
      config: { roles: who.readers },
      schema: {
        summary: "Every difference between the BDCs' states and the ledger",
        response: {
          200: z.object({
            bdcs: z.number(),
            differences: z.array(z.object({ bdcId: z.string(), kind: z.string(), what: z.string() })),
          }),
        },
      },
    },
    async () => reconcileLedger(engine),
  );

  app.get(
    '/reports/payments',
    {
      config: { roles: who.moneyReaders },
      schema: {
        summary:
          'Payment orders by state (validated, released, paid, rejected) with their cents, the money proposals awaiting validation with their ageing (days since proposed), the payment runs and their control sums, and every difference between runs, transfers and orders',
      },
    },
    async () => paymentsReport(engine),
  );

  app.get(
    '/ledger/payment-orders.csv',
    { config: { roles: who.readers }, schema: { summary: 'Payment orders for the accounting system (CSV, UTF-8)' } },
    async (_request, reply) => reply.type('text/csv; charset=utf-8').send(await paymentOrdersCsv(engine.ledger)),
  );
}
