import { randomUUID } from 'node:crypto';
import { bdcMessages } from '../../contract/bdc';
import { RefusedError, type Refusal } from '../../domain/refusal';
import { enrolInDatabase } from '../../scripts/samples/enrolment';
import { harnessPerFile } from '../support/harness';

// Issue 24: « No order is validated for an éditeur without valid enrolment ». An ordonnateur's
// validation of an advance for an éditeur not enrolled was accepted and the order written; only the
// payment run refused it, weeks later. The ledger refuses the order where it is written, so the
// validation is refused with the reason and nothing is paid; once enrolled, the same advance is.
const h = harnessPerFile({ ordonnateurs: 'absent' });
const ordonnateur = { role: 'ordonnateur' as const, id: 'ordonnateur-inscription-test' };
const validate = (bdcId: string) =>
  h.send(bdcId, bdcMessages.proposalValidated, { eventId: randomUUID(), actor: ordonnateur, proposalId: 'advance' });
const refusalsOf = (p: Promise<unknown>): Promise<Refusal[]> =>
  p.then(
    () => [],
    (e: RefusedError) => e.refusals,
  );

test('an advance for an éditeur not enrolled: its validation is refused, nothing paid; enrolled, the advance is validated and ordered', async () => {
  const { bdcId, request } = await h.register({ request: { editeurId: `editeur-new-${randomUUID().slice(0, 6)}` } });
  await h.waitForStatus(bdcId, 'awaiting_validation');
  const refused = await refusalsOf(validate(bdcId));
  expect(refused).toMatchObject([{ code: 'editeur_not_enrolled' }]);
  expect(await h.money(bdcId)).toEqual({ orders: [], demands: [], receipts: [] });
  expect((await h.state(bdcId)).proposals).toMatchObject([{ kind: 'advance', state: 'proposed', validations: [] }]);

  await enrolInDatabase(h.ledger.sql, request.editeurId);
  await validate(bdcId);
  await h.waitForStatus(bdcId, 'awaiting_va');
  expect(await h.money(bdcId)).toEqual({ orders: [['advance', 175_200]], demands: [], receipts: [] });
});
