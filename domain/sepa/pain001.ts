import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { formatEuros } from '../money';

/**
 * A SEPA credit transfer initiation, ISO 20022 pain.001.001.09: one payment run of the ASP — its
 * debtor account, one transaction per payment order, the control sum and count. Validated by the
 * suite against the official schema (shipped in PyPI's sepaxml) with xmllint.
 */
export interface Transfer {
  /** the order's idempotency key: its end-to-end id is made from it */
  orderKey: string;
  amountCents: number;
  creditor: { name: string; iban: string; bic: string };
  /** what the éditeur reads on its statement */
  remittance: string;
}

export interface CreditTransferFile {
  messageId: string;
  createdAt: string;
  /** the day the bank is asked to execute the transfers (YYYY-MM-DD) */
  executionDate: string;
  debtor: { name: string; iban: string; bic: string };
  transfers: Transfer[];
}

/**
 * The end-to-end id of an order's transfer: ISO 20022 allows 35 characters, an order's key is longer,
 * so the id is made from the key — deterministic (a run released again carries the same ids) and
 * unique (128 bits of its SHA-256, in base 32).
 */
export function endToEndId(orderKey: string): string {
  const digest = createHash('sha256').update(orderKey).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest.subarray(0, 20)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `SONS${out.slice(0, 31)}`;
}

/** Characters the SEPA rulebook's Latin set allows in a text (others are replaced): names, remittances. */
export const sepaText = (text: string, max: number) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);

export const controlSumCents = (transfers: Transfer[]) => transfers.reduce((t, x) => t + x.amountCents, 0);

export function pain001(file: CreditTransferFile): string {
  const sum = formatEuros(controlSumCents(file.transfers));
  const count = String(file.transfers.length);
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    Document: {
      '@_xmlns': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09',
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: file.messageId,
          CreDtTm: file.createdAt.replace(/\.\d{3}Z$/, 'Z'),
          NbOfTxs: count,
          CtrlSum: sum,
          InitgPty: { Nm: sepaText(file.debtor.name, 70) },
        },
        PmtInf: {
          PmtInfId: file.messageId,
          PmtMtd: 'TRF',
          BtchBookg: 'false',
          NbOfTxs: count,
          CtrlSum: sum,
          PmtTpInf: { SvcLvl: { Cd: 'SEPA' } },
          ReqdExctnDt: { Dt: file.executionDate },
          Dbtr: { Nm: sepaText(file.debtor.name, 70) },
          DbtrAcct: { Id: { IBAN: file.debtor.iban } },
          DbtrAgt: { FinInstnId: { BICFI: file.debtor.bic } },
          ChrgBr: 'SLEV',
          CdtTrfTxInf: file.transfers.map((t) => ({
            PmtId: { EndToEndId: endToEndId(t.orderKey) },
            Amt: { InstdAmt: { '@_Ccy': 'EUR', '#text': formatEuros(t.amountCents) } },
            CdtrAgt: { FinInstnId: { BICFI: t.creditor.bic } },
            Cdtr: { Nm: sepaText(t.creditor.name, 70) },
            CdtrAcct: { Id: { IBAN: t.creditor.iban } },
            RmtInf: { Ustrd: sepaText(t.remittance, 140) },
          })),
        },
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true }).build(document) as string;
}
