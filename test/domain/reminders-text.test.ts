import { renderNotice } from '../../domain/notices';

// Issue 21: a reminder says only what is true of its BDC — a BDC awaiting its référencement, nothing
// paid, was told « l'avance versée est demandée en remboursement ». One template, one case per state.
const reminder = (deadline: string, status: string, paidCents: number, outstandingCents = 0) =>
  renderNotice('deadline_reminder', {
    bdcId: 'bdc:editeur-acme:BDC-1',
    reference: 'BDC-1',
    deadline,
    deadlineAt: '2024-04-17T21:59:59.999Z',
    before: 'P7D',
    status,
    paidCents,
    outstandingCents,
  }).text.replace(/[\u00a0\u202f]/g, ' '); // French typography's non-breaking spaces, read as spaces

test('closing, awaiting référencement, nothing paid: no word of an advance to give back', () => {
  const text = reminder('closing', 'awaiting_referencement', 0);
  expect(text).toContain('pas encore référencée');
  expect(text).toContain('Aucune somme ne vous a été versée');
  expect(text).not.toMatch(/avance|rembours/);
  expect(text).toContain('17/04/2024 23:59');
});

test('closing, awaiting the VA, the advance paid: the advance named with its amount, demanded back without a VA', () => {
  const text = reminder('closing', 'awaiting_va', 175_200);
  expect(text).toContain('l’avance versée (1 752,00 €) est demandée en remboursement');
  expect(text).toContain('En attente de la VA');
});

test('closing, nothing paid yet while awaiting the VA: the lapse only', () => {
  const text = reminder('closing', 'advance_issued', 0);
  expect(text).toContain('devient caduc.');
  expect(text).not.toMatch(/rembours/);
});

test('dossier and reimbursement due: what each awaits, the amount still due in euros', () => {
  expect(reminder('dossier', 'awaiting_referencement', 0)).toContain('Déposez le dossier de référencement');
  expect(reminder('reimbursementDue', 'reimbursement_due', 175_200, 75_200)).toContain(
    'Réglez le remboursement de 752,00 €',
  );
});
