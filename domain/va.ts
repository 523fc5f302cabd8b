import type { BdcRecord, VaDocuments } from './bdc-view';
import { check, checkEvent, isRecord, Problems } from './checks';
import type { BdcEvent } from './events';
import { say } from './messages';
import { pendingProposal } from './proposals';
import type { Refusal } from './refusal';

/** How the OG's legal representative may sign the VA (seed 003). */
export const signatureMethods = [
  'cpx',
  'pro-sante-connect',
  'rgs-certificate',
  'eidas-simple',
  'eidas-advanced',
  'eidas-qualified',
] as const;

/** What the VA attests for one ESSMS (seed 003). */
export interface VaEssms {
  finess: string;
  duiDeployed: boolean;
  tbb1: Record<string, number>;
  esmsNumerique: {
    activeRecordsRate: number;
    activeRecordsWithProjectRate: number;
    activeRecordsWithEventRate: number;
  };
}

export interface VaDocument {
  va: { signedAt: string; signature: (typeof signatureMethods)[number]; essms: VaEssms[] };
  invoice: { number: string; ogFiness: string; amountCents: number; issuedOn: string };
  /** the uploaded PDFs of the signed VA and of the invoice, by their SHA-256 */
  documents?: VaDocuments;
}

export interface VaSubmission extends BdcEvent, VaDocument {
  /** when the VA reached the ASP, stamped by the receiving boundary (API, client), not by the éditeur */
  receivedAt: string;
}

/** Until an operator lists a campaign's indicators, an identifier has this form (DOMAIN.md). */
const TBB1_FORM = /^TBB\.1\.[1-9]\d{0,2}$/;

/**
 * Every reason a VA is refused, its form and the business rules together (one answer lists them
 * all): the BDC must await it, every ESSMS of the BDC and no other, each with its DUI deployed and
 * its TBB.1 indicators — the campaign's list, each non-zero — signed after the order and by the
 * closing date, received by the closing date, invoiced to the BDC's OG.
 */
export function vaRefusals(
  bdc: Pick<
    BdcRecord,
    'status' | 'request' | 'deadlines' | 'va' | 'cancellation' | 'campaign' | 'orderDayStartsAt' | 'proposals'
  >,
  raw: unknown,
  /** what the BDC's workflow accepted and has not recorded yet: they count as accepted */
  pending: { va?: VaDocument; cancellation?: { reason: string } } = {},
): Refusal[] {
  const p = new Problems();
  const cancellation = bdc.cancellation ?? pending.cancellation;
  const accepted = bdc.va?.invoiceNumber ?? pending.va?.invoice.number;
  if (cancellation)
    p.add(
      'cancellation_pending',
      say('va_cancellation_pending', { reason: cancellation.reason }),
      'status',
      bdc.status,
    );
  else if (accepted !== undefined)
    p.add('va_accepted', say('va_already_accepted', { invoice: accepted }), 'va', accepted);
  else if (
    bdc.status !== 'advance_issued' &&
    bdc.status !== 'awaiting_va' &&
    // the work may be proven while its advance waits for the ordonnateurs
    !(bdc.status === 'awaiting_validation' && pendingProposal(bdc.proposals)?.kind === 'advance')
  ) {
    p.add('wrong_state', say('va_wrong_state', { status: bdc.status }), 'status', bdc.status);
  }
  if (!p.ok) return p.list;

  const e = checkEvent(p, raw);
  const receivedAt = check.instant(p, e, 'receivedAt');
  const va = check.object(p, e, 'va');
  const invoice = check.object(p, e, 'invoice');
  const closing = bdc.deadlines.find((d) => d.name === 'closing');
  const after = (a: string, b: string) => Date.parse(a) > Date.parse(b);

  if (va) {
    const signedAt = check.instant(p, va, 'signedAt', 'va');
    check.oneOf(p, va, 'signature', signatureMethods, 'va');
    const essms = check.array(p, va, 'essms', 'va', 1);
    if (essms) {
      const named = essms.map((x) => (isRecord(x) ? x.finess : undefined));
      bdc.request.essms.forEach((finess) => {
        if (!named.includes(finess)) p.add('va_missing_essms', say('va_missing_essms', { finess }), 'va.essms', finess);
      });
      essms.forEach((x, i) => essmsRefusals(p, bdc, x, `va.essms.${i}`));
    }
    if (signedAt) {
      if (after(bdc.orderDayStartsAt, signedAt))
        p.add(
          'va_signed_before_order',
          say('va_signed_before_order', { orderDate: bdc.request.orderDate }),
          'va.signedAt',
          signedAt,
        );
      if (closing && after(signedAt, closing.at))
        p.add(
          'va_signed_after_closing',
          say('va_signed_after_closing', { closing: closing.at }),
          'va.signedAt',
          signedAt,
        );
      if (receivedAt && after(signedAt, receivedAt))
        p.add('va_signed_after_receipt', say('va_signed_after_receipt'), 'va.signedAt', signedAt);
    }
  }
  if (receivedAt && closing && after(receivedAt, closing.at))
    p.add(
      'va_received_after_closing',
      say('va_received_after_closing', { closing: closing.at }),
      'receivedAt',
      receivedAt,
    );
  const documents = check.object(p, e, 'documents', '', true);
  if (documents) for (const key of ['signedVa', 'invoice']) check.sha256(p, documents, key, 'documents');
  if (invoice) {
    check.string(p, invoice, 'number', 'invoice', { max: 64 });
    const og = check.finess(p, invoice, 'ogFiness', 'invoice');
    check.cents(p, invoice, 'amountCents', 'invoice');
    check.civilDate(p, invoice, 'issuedOn', 'invoice');
    if (og && og !== bdc.request.ogFiness) {
      p.add('invoice_other_og', say('invoice_other_og', { og, bdcOg: bdc.request.ogFiness }), 'invoice.ogFiness', og);
    }
  }
  return p.list;
}

function essmsRefusals(p: Problems, bdc: Pick<BdcRecord, 'request' | 'campaign'>, raw: unknown, path: string): void {
  if (!isRecord(raw)) {
    p.add('invalid_type', say('object_expected'), path, raw);
    return;
  }
  const finess = check.finess(p, raw, 'finess', path);
  const label = finess ?? String(raw.finess);
  if (finess && !bdc.request.essms.includes(finess))
    p.add('va_foreign_essms', say('va_foreign_essms', { finess }), `${path}.finess`, finess);
  const deployed = check.boolean(p, raw, 'duiDeployed', path);
  if (deployed === false)
    p.add('va_dui_not_deployed', say('va_dui_not_deployed', { finess: label }), `${path}.duiDeployed`, false);
  const tbb1 = check.object(p, raw, 'tbb1', path);
  if (tbb1) tbb1Refusals(p, bdc.campaign.tbb1Indicators, tbb1, label, `${path}.tbb1`);
  const rates = check.object(p, raw, 'esmsNumerique', path);
  if (rates)
    for (const key of ['activeRecordsRate', 'activeRecordsWithProjectRate', 'activeRecordsWithEventRate'])
      check.rate(p, rates, key, `${path}.esmsNumerique`);
}

/** The campaign's indicators, each reported and non-zero, no other; without a list, any TBB.1.<n>. */
function tbb1Refusals(
  p: Problems,
  required: string[] | undefined,
  tbb1: Record<string, unknown>,
  finess: string,
  path: string,
): void {
  const reported = Object.keys(tbb1);
  if (required?.length) {
    for (const indicator of required)
      if (!(indicator in tbb1))
        p.add('va_tbb1_missing', say('tbb1_missing', { indicator, finess }), `${path}.${indicator}`);
  } else if (!reported.length) p.add('va_tbb1_missing', say('tbb1_none', { finess }), path);
  for (const indicator of reported) {
    const value = tbb1[indicator];
    if (required?.length ? !required.includes(indicator) : !TBB1_FORM.test(indicator)) {
      p.add(
        'va_tbb1_unknown',
        required?.length
          ? say('tbb1_not_required', { indicator, required: required.join(', ') })
          : say('tbb1_unknown', { indicator }),
        `${path}.${indicator}`,
        value,
      );
    } else if (typeof value !== 'number' || !Number.isFinite(value))
      p.add(
        'invalid_type',
        say('expected_type', { expected: 'number', received: typeof value }),
        `${path}.${indicator}`,
        value,
      );
    else if (value === 0) p.add('va_tbb1_zero', say('tbb1_zero', { indicator, finess }), `${path}.${indicator}`, 0);
    else if (value < 0)
      p.add('invalid_value', say('tbb1_negative', { indicator, finess }), `${path}.${indicator}`, value);
  }
}
