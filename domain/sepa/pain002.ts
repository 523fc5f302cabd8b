import { XMLParser } from 'fast-xml-parser';

/**
 * The bank's answer to a payment run, ISO 20022 pain.002 (customer payment status report): per
 * transaction, its end-to-end id and whether it was paid or rejected, with the ISO reason code
 * (AC04: account closed, AC01: wrong account number…).
 */
export interface TransferStatus {
  endToEndId: string;
  outcome: 'paid' | 'rejected';
  /** the ISO 20022 status reason code of a rejection */
  reason?: string;
}

/** ISO 20022 external status reason codes the bank returns most, in French (others are shown as their code). */
export const rejectionReasonFr: Record<string, string> = {
  AC01: 'numéro de compte incorrect',
  AC04: 'compte clos',
  AC06: 'compte bloqué',
  AG01: 'opération interdite sur ce compte',
  AM04: 'provision insuffisante',
  BE04: 'adresse du créancier manquante',
  MD07: 'titulaire du compte décédé',
  MS03: 'motif non communiqué par la banque',
  RC01: 'BIC incorrect',
};

const accepted = new Set(['ACCC', 'ACSC', 'ACSP', 'ACCP', 'ACWC']);

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function parsePain002(xml: string): {
  messageId: string;
  originalMessageId: string;
  statuses: TransferStatus[];
} {
  const doc = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false }).parse(xml) as {
    Document?: { CstmrPmtStsRpt?: Record<string, unknown> };
  };
  const report = doc.Document?.CstmrPmtStsRpt as
    | {
        GrpHdr?: { MsgId?: string };
        OrgnlGrpInfAndSts?: { OrgnlMsgId?: string };
        OrgnlPmtInfAndSts?: unknown;
      }
    | undefined;
  if (!report) throw new Error('not a pain.002 customer payment status report');
  const statuses: TransferStatus[] = [];
  for (const info of list(report.OrgnlPmtInfAndSts as Record<string, unknown> | Record<string, unknown>[])) {
    for (const tx of list(info.TxInfAndSts as Record<string, unknown> | Record<string, unknown>[])) {
      const endToEndId = String(tx.OrgnlEndToEndId ?? '');
      const status = String(tx.TxSts ?? '');
      const reason = list(tx.StsRsnInf as { Rsn?: { Cd?: string } } | { Rsn?: { Cd?: string } }[])[0]?.Rsn?.Cd;
      // a status that is not final (ACTC, PDNG, RCVD…) is no answer yet: the transfer awaits the next report
      if (!endToEndId || (!accepted.has(status) && status !== 'RJCT')) continue;
      statuses.push(
        accepted.has(status)
          ? { endToEndId, outcome: 'paid' }
          : { endToEndId, outcome: 'rejected', ...(reason ? { reason } : {}) },
      );
    }
  }
  return {
    messageId: String(report.GrpHdr?.MsgId ?? ''),
    originalMessageId: String(report.OrgnlGrpInfAndSts?.OrgnlMsgId ?? ''),
    statuses,
  };
}
