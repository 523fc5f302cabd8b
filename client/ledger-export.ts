import type { Ledger } from '../db/ledger';
import { formatEuros } from '../domain/money';
import { toCsv } from './csv';

/** Payment orders for the accounting system: UTF-8 CSV, amounts in euros with two decimals, columns fixed. */
export async function paymentOrdersCsv(ledger: Ledger): Promise<string> {
  const orders = await ledger.paymentOrdersForExport();
  return toCsv(orders, [
    { header: 'payment_order_id', value: (o) => o.id },
    { header: 'issued_at', value: (o) => o.issuedAt },
    { header: 'bdc_id', value: (o) => o.bdcId },
    { header: 'kind', value: (o) => o.kind },
    { header: 'amount_eur', value: (o) => formatEuros(o.amountCents) },
    { header: 'editeur_id', value: (o) => o.editeurId },
    { header: 'og_finess', value: (o) => o.ogFiness },
    { header: 'campaign_id', value: (o) => o.campaignId },
    { header: 'idempotency_key', value: (o) => o.idempotencyKey },
  ]);
}
