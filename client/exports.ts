import { stringify } from 'csv-stringify/sync';
import type { Ledger } from '../db/ledger';
import { formatEuros } from '../domain/money';
import type { SummaryLine } from './reports';

/** RFC 4180 CSV with a header and CRLF line ends: one column per (header, value of a row). */
export function toCsv<T>(rows: T[], columns: { header: string; value: (row: T) => string | number }[]): string {
  return stringify(rows.map((r) => columns.map((c) => c.value(r))), { header: true, columns: columns.map((c) => c.header), record_delimiter: 'windows' });
}

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

/** The summary report as CSV, euros with two decimals. */
export function summaryCsv(lines: SummaryLine[]): string {
  return toCsv(lines, [
    { header: 'campaign', value: (l) => l.campaign },
    { header: 'status', value: (l) => l.status },
    { header: 'editeur', value: (l) => l.editeur },
    { header: 'bdcs', value: (l) => l.bdcs },
    { header: 'committed_eur', value: (l) => formatEuros(l.committedCents) },
    { header: 'advanced_eur', value: (l) => formatEuros(l.advancedCents) },
    { header: 'paid_eur', value: (l) => formatEuros(l.paidCents) },
    { header: 'to_reimburse_eur', value: (l) => formatEuros(l.toReimburseCents) },
    { header: 'reimbursed_eur', value: (l) => formatEuros(l.reimbursedCents) },
  ]);
}
