import { bankDetailsRefusals } from '../../domain/bank-details';
import { controlSumCents, endToEndId, pain001, type CreditTransferFile } from '../../domain/sepa/pain001';
import { parsePain002 } from '../../domain/sepa/pain002';
import { validateAgainst } from '../support/sepa';

// The payment run's file: ISO 20022 pain.001.001.09, checked against the official schema (PyPI's
// sepaxml) by xmllint; the bank's answer, pain.002; bank details checked by ibantools.
const file = (transfers: CreditTransferFile['transfers']): CreditTransferFile => ({
  messageId: 'SONS-RUN-2024-0001',
  createdAt: '2024-03-01T10:00:00.000Z',
  executionDate: '2024-03-04',
  debtor: { name: 'Agence de services et de paiement', iban: 'FR7630001007941234567890185', bic: 'BDFEFRPPCCT' },
  transfers,
});
const transfer = (orderKey: string, amountCents: number) => ({
  orderKey,
  amountCents,
  creditor: { name: 'Éditeur Acmé SAS', iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPPAR' },
  remittance: `SONS avance ${orderKey}`,
});

test('a payment run of three orders is a valid pain.001.001.09, its control sum and count those of the orders', () => {
  const transfers = [
    transfer('bdc:editeur-acme:BDC-0001:advance', 175_200),
    transfer('bdc:editeur-acme:BDC-0002:balance', 408_800),
    transfer('bdc:editeur-acme:BDC-0003:advance', 65_700),
  ];
  const xml = pain001(file(transfers));
  const verdict = validateAgainst('pain.001.001.09.xsd', xml);
  expect(verdict).toEqual({ ok: true, output: expect.stringContaining('validates') });
  expect(controlSumCents(transfers)).toBe(649_700);
  expect(xml).toContain('<CtrlSum>6497.00</CtrlSum>');
  expect(xml.match(/<NbOfTxs>3<\/NbOfTxs>/g)).toHaveLength(2);
  // the end-to-end id is the order's key made to fit 35 characters, the same at every release
  const id = endToEndId('bdc:editeur-acme:BDC-0001:advance');
  expect(id).toHaveLength(35);
  expect(endToEndId('bdc:editeur-acme:BDC-0001:advance')).toBe(id);
  expect(endToEndId('bdc:editeur-acme:BDC-0001:balance')).not.toBe(id);
  expect(xml).toContain(`<EndToEndId>${id}</EndToEndId>`);
  // names leave the Latin set the rulebook allows
  expect(xml).toContain('<Nm>Editeur Acme SAS</Nm>');
});

test('the schema catches what the builder must never write', () => {
  const xml = pain001(file([transfer('k', 100)])).replace(
    /<EndToEndId>[^<]+</,
    '<EndToEndId>SONS-THIS-ID-IS-FAR-LONGER-THAN-THIRTY-FIVE<',
  );
  expect(validateAgainst('pain.001.001.09.xsd', xml).ok).toBe(false);
});

test("the bank's answer: one transfer paid, one rejected with its reason", () => {
  const paid = endToEndId('a');
  const closed = endToEndId('b');
  const report = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-1</MsgId><CreDtTm>2024-03-05T08:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>SONS-RUN-2024-0001</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>SONS-RUN-2024-0001</OrgnlPmtInfId>
      <TxInfAndSts><OrgnlEndToEndId>${paid}</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
      <TxInfAndSts><OrgnlEndToEndId>${closed}</OrgnlEndToEndId><TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>`;
  expect(parsePain002(report)).toEqual({
    messageId: 'BANK-1',
    originalMessageId: 'SONS-RUN-2024-0001',
    statuses: [
      { endToEndId: paid, outcome: 'paid' },
      { endToEndId: closed, outcome: 'rejected', reason: 'AC04' },
    ],
  });
});

test('bank details: check digits, the SEPA zone, the BIC, the holder', () => {
  const codes = (raw: Parameters<typeof bankDetailsRefusals>[0]) => bankDetailsRefusals(raw).map((r) => r.code);
  expect(codes({ iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'PSSTFRPPPAR', holder: 'Acme' })).toEqual([]);
  expect(codes({ iban: 'FR14 2004 1010 0505 0001 3M02 607', bic: 'PSSTFRPPPAR', holder: 'Acme' })).toEqual([
    'invalid_iban',
  ]);
  expect(codes({ iban: 'BR1800360305000010009795493C1', bic: 'PSSTFRPPPAR', holder: 'Acme' })).toEqual([
    'iban_outside_sepa',
  ]);
  expect(codes({ iban: 'FR1420041010050500013M02606', bic: 'PSST', holder: '' })).toEqual([
    'invalid_bic',
    'invalid_holder',
  ]);
});

test('a status that is not final (pending, accepted technically) is no answer yet', () => {
  const report = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BANK-2</MsgId><CreDtTm>2024-03-05T08:00:00Z</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>SONS-RUN-2024-0001</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>SONS-RUN-2024-0001</OrgnlPmtInfId>
      <TxInfAndSts><OrgnlEndToEndId>A</OrgnlEndToEndId><TxSts>PDNG</TxSts></TxInfAndSts>
      <TxInfAndSts><OrgnlEndToEndId>B</OrgnlEndToEndId><TxSts>ACTC</TxSts></TxInfAndSts>
      <TxInfAndSts><OrgnlEndToEndId>C</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>`;
  expect(parsePain002(report).statuses).toEqual([{ endToEndId: 'C', outcome: 'rejected' }]);
});
